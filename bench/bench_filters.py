"""Filters: what each preset and each rule drops of real articles, side by side with the junk set.

Real text: the 69 English articles of ../shared/data/articles_en (their WARC, extracted as a run
extracts), the English pages of ../shared/data/pages.warc.gz, and the real English base texts of
../shared/data/neardup.jsonl (trafilatura's extractions). Junk: webtext.sample.junk's labelled pages,
extracted the same way. Then, for each length-sensitive rule, the calibration its limit rests on:
the worst score among the articles whole and cut to their first 64, 100 and 200 words, next to the
junk's least extreme score.

Usage: python bench/bench_filters.py [--per_kind 20]
"""

import argparse
import json
import pathlib
from collections import Counter

from webtext.crawl.replay import warc_html
from webtext.extract.extractor import run_trafilatura
from webtext.filters.evaluate import first_words, preset_outcomes, rule_drops
from webtext.filters.presets import PRESETS
from webtext.filters.rules import identify_language
from webtext.filters.scored import TextFeatures
from webtext.sample.junk import junk_pages

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
NOT_JUDGED = {"kept", "language", "wikipedia"}  # outcomes that say nothing of a filter being wrong


def extracted(url: str, html: str) -> str:
    return (run_trafilatura(html, url) or {}).get("text", "")


def warc_texts(path: pathlib.Path) -> list[tuple[str, str]]:
    return [(url, extracted(url, html)) for url, html in warc_html(str(path))]


def english(texts):
    return [(u, t) for u, t in texts if t.strip() and identify_language(t) == "en"]


def share(outcomes: list[str], dropped) -> str:
    n = sum(map(dropped, outcomes))
    return f"{n}/{len(outcomes)} ({100 * n / max(1, len(outcomes)):.1f}%)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per_kind", type=int, default=20, help="junk pages of each kind")
    args = parser.parse_args()
    if not (DATA / "articles_en").is_dir():
        print(f"skipped: {DATA / 'articles_en'} is not here (the real articles the rates are measured on)")
        return
    real = {"articles_en": warc_texts(DATA / "articles_en" / "pages.warc.gz"),
            "pages.warc.gz (English)": english(warc_texts(DATA / "pages.warc.gz")),
            "neardup real bases (English)": english(
                [(d["doc_id"], d["text"]) for d in map(json.loads, open(DATA / "neardup.jsonl"))
                 if d["origin"] == "real" and d["variant"]["kind"] == "base"])}
    junk = junk_pages(per_kind=args.per_kind)
    junk_texts = [(url, extracted(url, html)) for _, url, html in junk]

    print(
        "\n== Presets: share dropped (real sets: for any reason but language and Wikipedia; junk: extraction "
        "and filters)"
    )
    print(f"  {'preset':<10}" + "".join(f" {name:>30}" for name in real) + f" {'junk set':>16}")
    for preset in PRESETS:
        cells = [share(preset_outcomes(texts, preset), lambda o: o not in NOT_JUDGED)
                 for texts in real.values()]
        cells.append(share(preset_outcomes(junk_texts, preset), lambda o: o != "kept"))
        print(f"  {preset:<10}" + "".join(f" {c:>30}" for c in cells[:-1]) + f" {cells[-1]:>16}")

    print("\n== The default preset on the junk set, by kind (outcome counts)")
    fates = preset_outcomes(junk_texts, "webtext")
    for kind in dict.fromkeys(k for k, _, _ in junk):
        counts = Counter(f for (k, _, _), f in zip(junk, fates) if k == kind)
        print(f"  {kind:<18} " + ", ".join(f"{reason} {n}" for reason, n in counts.most_common()))

    print(
        "\n== Each rule alone: share of the texts that reach the junk rules (>= 64 words, English) it drops"
    )
    reaching = {name: [(u, t) for u, t in texts if len(t.split()) >= 64] for name, texts in real.items()}
    reaching["junk set"] = [(u, t) for u, t in english(junk_texts) if len(t.split()) >= 64]
    print(f"  {'rule':<30} {'limit':>8}" + "".join(f" {name[:22]:>24}" for name in reaching))
    drops = {name: rule_drops(texts, PRESETS["gopher"]) for name, texts in reaching.items()}
    for rule in PRESETS["gopher"]:
        side = "<" if rule.drops_below else ">"
        preset = "webtext" if rule in PRESETS["webtext"] else "gopher"
        cells = [f"{drops[n][rule.reason]}/{len(t)} ({100 * drops[n][rule.reason] / max(1, len(t)):.0f}%)"
                 for n, t in reaching.items()]
        print(
            f"  {preset + ': ' + rule.reason:<30} {side}{rule.limit:>7}" + "".join(f" {c:>24}" for c in cells)
        )

    print("\n== Calibration: worst article score whole and cut short, against the junk's closest score")
    articles, junk_reaching = real["articles_en"], reaching["junk set"]
    for rule in PRESETS["gopher"]:
        worst = min if rule.drops_below else max
        cells = []
        for n in (64, 100, 200, None):
            scores = [
                rule.score(TextFeatures(t if n is None else first_words(t, n), "en")) for _, t in articles
            ]
            cells.append(f"{worst(scores):.3f}")
        junk_scores = [rule.score(TextFeatures(t, "en")) for _, t in junk_reaching]
        breaking = [s for s in junk_scores if rule.breaks(s)]
        closest = (max if rule.drops_below else min)(breaking) if breaking else float("nan")
        side = "<" if rule.drops_below else ">"
        print(
            f"  {rule.reason:<22} limit {side}{rule.limit:<7} from {rule.applies_from:>3} "
            f"words | articles at 64/100/200/all words: {' / '.join(cells)} | junk dropped, closest: "
            f"{closest:.3f}"
        )


if __name__ == "__main__":
    main()
