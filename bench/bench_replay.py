"""The second worker's worth on a replayed input shaped like a real one: `webtext corpus --workers 1` on one
core against `--workers 2` on two, over real pages in several WARC files with planted duplicates, Gopher's
rules (`--filters gopher`), the report and card made as a user's run makes them.

The input, built from ../shared/data (skipped where it is absent): the 179 real pages of pages.warc.gz and
articles_en/pages.warc.gz, each rewritten into variants (a share of the longer words of its text swapped for
others, so that no two variants are near-duplicates), 2,950 pages in all over 10 WARC files, about a third
of them planted duplicates: exact copies of a variant under another URL, and near copies (a few words of a
variant changed). Most of pages.warc.gz is German, dropped by the language rule after extraction, as a
Reddit crawl's foreign pages are.

Printed: pages per second at each worker count (interleaved rounds, best and each round's ratio, and their
median), this machine's own ceiling (copies of a plain loop, as bench_scaling.py measures it), the CPU a page
by stage at each worker count (the run's own accounting: worker, extraction child and launcher) beside what
two copies of the plain loop cost a copy in CPU over one (sharing the machine's caches and memory: the part of
any program's extra CPU that is the machine's, not the program's), and the serial part of
a run: the phases the launcher runs alone (index, dedup decision, shards, results, manifest, report, card)
as seconds beside the whole. The shards must be the same bytes at every worker count.

Usage: python bench/bench_replay.py [--pages 2950] [--warcs 10] [--rounds 3]
"""

import argparse
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

from bench_scaling import machine_ratios, shard_digest
from common import pinned
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
SOURCES = ("pages.warc.gz", "articles_en/pages.warc.gz")
NOT_TEXT = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<[^>]*>)", re.DOTALL | re.IGNORECASE)
LONG_WORD = re.compile(r"\b[^\W\d_]{5,}\b")
# The run's phases that the launching process runs alone (launcher.py's phases_wall_s), and those its
# workers share out.
SERIAL_PHASES = ("index", "dedup", "results", "shards")
PARALLEL_PHASES = ("read units", "link units", "fetch units", "tokenize units")


def real_pages() -> list[tuple[str, bytes, str]]:
    """(URL, HTML bytes, content type) of every response record in the shared data's WARC files."""
    pages = []
    for name in SOURCES:
        with open(os.path.join(DATA, name), "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    content_type = record.http_headers.get_header("Content-Type") or "text/html"
                    pages.append((record.rec_headers.get_header("WARC-Target-URI"),
                                  record.content_stream().read(), content_type))
    return pages


def rewritten(html: bytes, rng: random.Random, share: float, pool: list[str]) -> bytes:
    """The page with `share` of the longer words of its text (not its tags, scripts or styles) swapped
    for words of `pool`: the same markup, so the same extraction work, and another text."""
    text = html.decode("utf-8", errors="surrogateescape")

    def swap(match: re.Match) -> str:
        return rng.choice(pool) if rng.random() < share else match.group(0)

    parts = NOT_TEXT.split(text)
    parts[::2] = [LONG_WORD.sub(swap, part) for part in parts[::2]]  # the text between the tags
    return "".join(parts).encode("utf-8", errors="surrogateescape")


def build_input(directory: str, total: int, files: int, seed: int = 0) -> tuple[str, str, dict]:
    """WARC files and the URL list of `total` pages: (WARC pattern, URL list, what was planted)."""
    rng = random.Random(seed)
    pages = real_pages()
    pool = sorted({w for _, html, _ in pages for w in LONG_WORD.findall(html.decode("utf-8", "replace"))})
    duplicates = total // 3
    records: list[tuple[str, bytes, str]] = []
    for i in range(total - duplicates):
        url, html, content_type = pages[i % len(pages)]
        records.append((f"{url.rstrip('/')}/v{i}", rewritten(html, rng, 0.5, pool), content_type))
    exact = duplicates // 2
    for i in range(duplicates):
        url, html, content_type = records[rng.randrange(len(records) - i if i else len(records))]
        copy = html if i < exact else rewritten(html, rng, 0.02, pool)
        records.append((f"{url}/copy{i}", copy, content_type))
    rng.shuffle(records)
    urls = os.path.join(directory, "urls.txt")
    per_file = -(-len(records) // files)
    with open(urls, "w") as listing:
        for f in range(files):
            with open(os.path.join(directory, f"pages-{f:02d}.warc.gz"), "wb") as raw:
                writer = WARCWriter(raw, gzip=True)
                for url, html, content_type in records[f * per_file:(f + 1) * per_file]:
                    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)],
                                               protocol="HTTP/1.1")
                    writer.write_record(writer.create_warc_record(
                        url, "response", payload=io.BytesIO(html), http_headers=headers))
                    listing.write(url + "\n")
    return os.path.join(directory, "pages-*.warc.gz"), urls, {"exact": exact, "near": duplicates - exact}


def run(warc: str, urls: str, out: str, workers: int) -> dict:
    """One run as a user runs it (the report and card included): its seconds, phases and stage CPU."""
    command = [sys.executable, "-m", "webtext", "corpus", "--urls", urls, "--warc", warc, "--out", out,
               "--filters", "gopher", "--workers", str(workers), "--quiet"]
    started = time.perf_counter()
    subprocess.run(pinned(workers) + command, check=True)
    wall = time.perf_counter() - started
    with open(os.path.join(out, "_work", "run.json")) as stream:
        record = json.load(stream)
    with open(os.path.join(out, "manifest.json")) as stream:
        stages = json.load(stream)["stages"]
    cpu: dict[str, float] = {}
    for row in record["resources"]:
        cpu[row["stage"]] = cpu.get(row["stage"], 0.0) + row["cpu_s"]
    # What the launcher does after its phases, by when each file was written: run.json last of the units
    # engine's, then the manifest (the swap), the report (report.html, then stats.json) and the card.
    written = {name: os.path.getmtime(os.path.join(out, path)) for name, path in
               (("run", "_work/run.json"), ("manifest", "manifest.json"), ("report", "stats.json"),
                ("card", "croissant.json"), ("card readme", "README.md"))}
    written["card"] = max(written["card"], written.pop("card readme"))
    after = {"manifest and swap": written["manifest"] - written["run"],
             "report": written["report"] - written["manifest"], "card": written["card"] - written["report"]}
    return {"wall": wall, "phases": record["phases_wall_s"], "after": after, "cpu": cpu,
            "fetched": stages["fetch"]["kept"], "digest": shard_digest(out), "stages": stages}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2950)
    parser.add_argument("--warcs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not all(os.path.exists(os.path.join(DATA, name)) for name in SOURCES):
        print(f"bench_replay: skipped, {DATA} is absent")
        return
    if os.cpu_count() < 2:
        sys.exit("bench_replay: needs two cores")
    with tempfile.TemporaryDirectory() as tmp:
        warc, urls, planted = build_input(tmp, args.pages, args.warcs)
        runs: dict[int, list[dict]] = {1: [], 2: []}
        ceilings, loop_cpu = [], []
        for r in range(args.rounds):
            for n in (1, 2):
                runs[n].append(run(warc, urls, os.path.join(tmp, f"w{n}-{r}"), n))
            ceiling, cpu_ratio = machine_ratios(2)
            ceilings.append(ceiling)
            loop_cpu.append(cpu_ratio)
        stages = runs[1][0]["stages"]
        print(f"\n== replay: {args.pages} real pages ({planted['exact']} planted exact copies, "
              f"{planted['near']} near copies) in {args.warcs} WARC files, --filters gopher, report and card")
        print(f"  kept by stage: fetch {stages['fetch']['kept']}, extract {stages['extract']['kept']}, "
              f"filter {stages['filter']['kept']}, dedup {stages['dedup']['kept']} "
              f"(dropped there: {stages['dedup'].get('dropped', {})}); filter drops: "
              f"{stages['filter'].get('dropped', {})}")
        best = {n: min(runs[n], key=lambda one: one["wall"]) for n in runs}
        for n in runs:
            print(f"  {f'--workers {n} on {n} core(s), best of {args.rounds}':<44} "
                  f"{args.pages / best[n]['wall']:>10.1f} pages/s   ({best[n]['wall']:.1f} s)")
        ratios = sorted(one["wall"] / two["wall"] for one, two in zip(runs[1], runs[2]))
        speed_up = best[1]["wall"] / best[2]["wall"]
        print(f"  {'speed-up, 2 workers over 1 (best of rounds)':<44} {speed_up:>10.2f}x"
              f"   (rounds, lowest first: {' '.join(f'{x:.2f}x' for x in ratios)}; median "
              f"{statistics.median(ratios):.2f}x)")
        print(f"  {'a plain loop, 2 copies over 1':<44} {statistics.median(ceilings):>10.2f}x   (this "
              f"machine's ceiling, each round: {' '.join(f'{c:.2f}' for c in ceilings)})")
        print("  CPU ms a page by stage (medians over rounds; worker, extraction child and launcher):")
        names = sorted({name for n in runs for one in runs[n] for name in one["cpu"]})
        for name in names + ["all"]:
            row = []
            for n in runs:
                per = [1000 * (sum(one["cpu"].values()) if name == "all" else one["cpu"].get(name, 0.0))
                       / args.pages for one in runs[n]]
                row.append(statistics.median(per))
            ratio = row[1] / row[0] if row[0] else 0.0
            print(f"    {name:<22} 1 worker {row[0]:>7.2f}   2 workers {row[1]:>7.2f}   ({ratio:.2f}x)")
        print(f"    {'a plain loop':<22} CPU an iteration with 2 copies running over 1: "
              f"{statistics.median(loop_cpu):.2f}x (what sharing this machine costs any program; each round: "
              f"{' '.join(f'{c:.2f}' for c in loop_cpu)})")
        for n in runs:
            print(f"  where the seconds of the best {n}-worker run went:")
            phases, after = best[n]["phases"], best[n]["after"]
            serial = sum(phases.get(p, 0.0) for p in SERIAL_PHASES) + sum(after.values())
            parallel = sum(phases.get(p, 0.0) for p in PARALLEL_PHASES)
            for name, seconds in [(p, phases.get(p, 0.0)) for p in PARALLEL_PHASES + SERIAL_PHASES] + list(
                    after.items()):
                print(f"    {name:<22} {seconds:>7.2f} s")
            start_up = best[n]["wall"] - serial - parallel
            print(f"    {'serial (index .. card)':<22} {serial:>7.2f} s, start-up and exit {start_up:.2f} s, "
                  f"of {best[n]['wall']:.2f} s ({(serial + start_up) / best[n]['wall']:.0%} in all)")
        same = len({one["digest"] for n in runs for one in runs[n]}) == 1
        print(f"  {'shards byte-identical at 1 and 2 workers':<44} {'yes' if same else 'NO'}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
