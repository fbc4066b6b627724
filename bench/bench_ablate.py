"""A known answer, shown honestly: does `webtext ablate` find that the default rules make a better small
model than no junk rules, or than keeping near-duplicates?

Corpora from the real pages in ../shared/data (pages.warc.gz through its Reddit submissions, half of the
69 English articles of articles_en, and the bundled sample with its junk and duplicates), built three
ways: the defaults, `--filters none`, and `--dedup_threshold 0.99` (near-duplicates kept; exact ones
still go: there is no setting that keeps those). A small GPT-2 (the trainer's `tiny`: 2 layers x 64)
trains on each with the same token budget, several seeds, and is measured in bits per byte on the
bodies of the *other* half of the articles (held out: none of their pages is in any corpus). It prints
the ablation's table and verdicts, the seconds a run takes, the whole ablation's wall time, and over
every seed how often the defaults beat `--filters none`.

Usage: python bench/bench_ablate.py [--seeds 10] [--tokens 300000]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")


def webtext(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "webtext", *args], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=300_000)
    args = parser.parse_args()
    articles = os.path.join(SHARED, "articles_en")
    if not os.path.exists(os.path.join(articles, "pages.jsonl")):
        sys.exit("bench_ablate needs ../shared/data (the development data)")
    pages = [json.loads(line) for line in open(os.path.join(articles, "pages.jsonl"), encoding="utf-8")]
    submissions = open(os.path.join(articles, "submissions.jsonl"), encoding="utf-8").read().splitlines()
    train_half = {p["submission_id"] for p in pages[::2]}
    held_out = [p["ground_truth_text"] for p in pages[1::2]]
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "articles_train.jsonl"), "w", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in submissions if json.loads(line)["id"] in train_half)
        with open(os.path.join(tmp, "held_out.jsonl"), "w", encoding="utf-8") as out:
            out.writelines(json.dumps({"text": text}) + "\n" for text in held_out)
        from webtext.sample.paths import sample_dump, sample_warc

        inputs = [
            "--input",
            os.path.join(SHARED, "submissions.zst"),
            "--warc",
            os.path.join(SHARED, "pages.warc.gz"),
            "--input",
            os.path.join(tmp, "articles_train.jsonl"),
            "--warc",
            os.path.join(articles, "pages.warc.gz"),
            "--input",
            sample_dump(),
            "--warc",
            sample_warc(),
            "--quiet",
            "--no_report",
            "--val_fraction",
            "0.1",
            "--cutoff_utc",
            "-1",
            "--min_karma",
            "0",
        ]
        variants = {
            "default": [],
            "no_filters": ["--filters", "none"],
            "near_dups_kept": ["--dedup_threshold", "0.99"],
        }
        for name, flags in variants.items():
            webtext("corpus", *inputs, *flags, "--out", os.path.join(tmp, name))
        out = os.path.join(tmp, "ablation")
        started = time.monotonic()
        webtext(
            "ablate",
            *(f for name in variants for f in ("--variant", f"{name}={os.path.join(tmp, name)}")),
            "--eval",
            f"articles={os.path.join(tmp, 'held_out.jsonl')}",
            "--seeds",
            str(args.seeds),
            "--tokens",
            str(args.tokens),
            "--device",
            "cpu",
            "--out",
            out,
        )
        wall = time.monotonic() - started
        report = json.load(open(os.path.join(out, "ablate.json"), encoding="utf-8"))
    runs = {(r["variant"], r["seed"]): r for r in report["runs"]}
    wins = sum(
        runs[("default", s)]["bits_per_byte"]["articles"]
        < runs[("no_filters", s)]["bits_per_byte"]["articles"]
        for s in report["seeds"]
    )
    print(
        f"\n{report['seconds_a_run']:.1f} s a run (one core); the whole ablation {wall:.0f} s wall on "
        f"{os.cpu_count()} cores"
    )
    ties = sum(
        runs[("default", s)]["bits_per_byte"]["articles"]
        == runs[("no_filters", s)]["bits_per_byte"]["articles"]
        for s in report["seeds"]
    )
    seeds = len(report["seeds"])
    print(
        f"the defaults beat --filters none on the held-out articles in {wins} of {seeds} seeds "
        f"({ties} tied: where the two corpora are the same, so are the models)"
    )
    for name in variants:
        corpus = report["corpora"]
        print(
            f"{name}: {corpus['documents'][name]} documents, {corpus['tokens'][name]:,} tokens, "
            f"{report['epochs'][name]:.1f} epochs at this budget"
        )


if __name__ == "__main__":
    main()
