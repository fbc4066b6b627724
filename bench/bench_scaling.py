"""Scaling of the whole pipeline over replayed pages with `webtext corpus --workers N`, each N pinned to
N cores (taskset), measured side by side in interleaved rounds, next to what this machine itself
gives: the same ratio for N copies of a plain Python loop (a VM's cores are rarely N times one).

Also: the shards of every N (and of the one Beam pipeline, with --beam) are the same bytes, and a
run killed part-way, then run again, takes up the finished units and gives the same bytes.

Usage: python bench/bench_scaling.py [--pages 12000] [--workers 1,2] [--rounds 3] [--pages_per_warc 1000]
[--beam]
       python bench/bench_scaling.py --against OTHER/src [--workers 2] [--rounds 5]   (what a change costs:
       `git worktree add OTHER <commit before it>`, then this code and that one in alternation)
On a 16-core machine: --pages 48000 --workers 1,2,4,8,16 (the one-worker run is then 4 minutes a round, the
sixteen-worker one about 20 s, of which about 2 s are start-up)
"""

import argparse
import glob
import hashlib
import io
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from common import pinned, report, report_rounds
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from webtext.sample import prose

BUSY_LOOP = "x = 0\nfor i in range(6_000_000): x += i * i % 7"


def synthetic_site(directory: str, pages: int, pages_per_file: int = 1000) -> tuple[str, str]:
    """WARC files of `pages` article pages, `pages_per_file` each (0: one file), as a crawl writes them
    (webtext's own writes 50 pages a file, Common Crawl's about 40,000), and the URL list that links
    them: (a pattern matching the WARC files, the URL list)."""
    rng = random.Random(0)
    urls = os.path.join(directory, "urls.txt")
    per_file = pages_per_file or pages
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    with open(urls, "w") as listing:
        for first in range(0, pages, per_file):
            with open(os.path.join(directory, f"pages-{first // per_file:05d}.warc.gz"), "wb") as raw:
                writer = WARCWriter(raw, gzip=True)
                for i in range(first, min(pages, first + per_file)):
                    url = f"https://site{i % 50}.example/articles/{i}"
                    html = prose.page_html(f"Article {i}", f"site{i % 50}.example",
                                           prose.article(rng, rng.randint(4, 9)), rng)
                    writer.write_record(
                        writer.create_warc_record(
                            url, "response", payload=io.BytesIO(html.encode()), http_headers=headers
                        )
                    )
                    listing.write(url + "\n")
    return os.path.join(directory, "pages-*.warc.gz"), urls


def corpus_command(warc: str, urls: str, out: str, workers: int) -> list[str]:
    runner = ["--workers", str(workers)]  # 0: the one Beam pipeline
    return [
        sys.executable,
        "-m",
        "webtext",
        "corpus",
        "--urls",
        urls,
        "--warc",
        warc,
        "--out",
        out,
        "--quiet",
        "--no_report",
        *runner,
    ]


def run(warc: str, urls: str, out: str, workers: int, source: str | None = None) -> float:
    """Seconds of one run; `source`: the `src` folder of another checkout of webtext to run instead."""
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": source} if source else None
    subprocess.run(pinned(max(1, workers)) + corpus_command(warc, urls, out, workers), check=True, env=env)
    return time.perf_counter() - started


def against(warc: str, urls: str, tmp: str, workers: int, source: str, rounds: int) -> bool:
    """This code against the code in `source` (e.g. a worktree of the commit before a change), the same
    runs in alternation: what the change costs, and whether the shards are the same bytes."""
    mine, theirs = [], []
    for r in range(rounds):
        theirs.append(run(warc, urls, os.path.join(tmp, f"theirs-{r}"), workers, source))
        mine.append(run(warc, urls, os.path.join(tmp, f"mine-{r}"), workers))
    ratios = [m / t for m, t in zip(mine, theirs)]
    print(
        f"  {f'this code over {source}, --workers {workers}':<44} {statistics.median(ratios):>14.3f}x time"
        f"   (per round: {' '.join(f'{x:.3f}' for x in ratios)}; best {min(mine):.2f} s against "
        f"{min(theirs):.2f} s)"
    )
    same = shard_digest(os.path.join(tmp, "mine-0")) == shard_digest(os.path.join(tmp, "theirs-0"))
    print(f"  {'shards byte-identical to that code':<44} {'yes' if same else 'NO'}")
    return same


def machine_ratio(cores: int, repeats: int = 5) -> float:
    """How much more `cores` copies of a plain loop get done than one, each set pinned as the pipeline is:
    one copy and `cores` copies in turn, `repeats` times, medians compared (this machine's speed drifts
    by a third from one second to the next)."""
    return machine_ratios(cores, repeats)[0]


def machine_ratios(cores: int, repeats: int = 5) -> tuple[float, float]:
    """machine_ratio's, and how much more CPU a copy of the loop takes when `cores` copies run than when
    one does (the same work: what sharing the machine alone costs, for a program's CPU to be held to)."""
    def timed(copies: int) -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        processes = [
            subprocess.Popen(pinned(copies) + [sys.executable, "-c", BUSY_LOOP]) for _ in range(copies)
        ]
        for process in processes:
            process.wait()
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return wall, cpu / copies
    ones, manys = zip(*((timed(1), timed(cores)) for _ in range(repeats)))
    speed = cores * statistics.median(w for w, _ in ones) / statistics.median(w for w, _ in manys)
    return speed, statistics.median(c for _, c in manys) / statistics.median(c for _, c in ones)


def shard_digest(out: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(
        glob.glob(os.path.join(out, "tokens", "*")) + glob.glob(os.path.join(out, "text", "*"))
    ):
        with open(path, "rb") as stream:
            digest.update(os.path.basename(path).encode() + stream.read())
    return digest.hexdigest()


def killed_and_resumed(
    warc: str, urls: str, out: str, workers: int, after_units: int
) -> tuple[int, int, float]:
    """(fetch units done when the run was killed, units the rerun took up, the rerun's seconds)."""
    process = subprocess.Popen(pinned(workers) + corpus_command(warc, urls, out, workers))
    fetched = os.path.join(out + ".staging", "_units", "fetched")
    while (
        process.poll() is None
        and len([d for d in glob.glob(os.path.join(fetched, "*")) if ".partial" not in d]) < after_units
    ):
        time.sleep(0.05)
    # the launching process alone, as the OOM killer would: its workers follow
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(0.5)
    done = len([d for d in glob.glob(os.path.join(fetched, "*")) if ".partial" not in d])
    started = time.perf_counter()
    subprocess.run(pinned(workers) + corpus_command(warc, urls, out, workers), check=True)
    seconds = time.perf_counter() - started
    with open(os.path.join(out, "_work", "run.json")) as stream:
        taken_up = json.load(stream)["done_before"]["fetch"]
    return done, taken_up, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    # The measurement of the one Beam pipeline used 12,000 pages; a run's fixed costs (about 2 s
    # of start-up, the index and dedup in one process) weigh less the more pages there are.
    parser.add_argument("--pages", type=int, default=12000)
    parser.add_argument(
        "--workers", default="1,2", help="comma-separated worker counts, each on that many cores"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages_per_warc", type=int, default=1000, help="pages a WARC file (0: one file)")
    parser.add_argument(
        "--beam", action="store_true", help="also time the one Beam pipeline (in-process runner)"
    )
    parser.add_argument(
        "--against",
        metavar="SRC",
        help="only compare this code with the src folder of another "
        "checkout (a worktree of an earlier commit), at the largest --workers, in alternation",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    if max(counts) > os.cpu_count():
        sys.exit(f"--workers {max(counts)}: this machine has {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        warc, urls = synthetic_site(tmp, args.pages, args.pages_per_warc)
        if args.against:
            sys.exit(0 if against(warc, urls, tmp, counts[-1], args.against, args.rounds) else 1)
        seconds: dict[int, list[float]] = {n: [] for n in counts}
        machine: dict[int, list[float]] = {n: [] for n in counts[1:]}
        digests, base = {}, counts[0]
        for r in range(args.rounds):
            for n in counts:
                out = os.path.join(tmp, f"w{n}-{r}")
                seconds[n].append(run(warc, urls, out, n))
                if n != base:
                    machine[n].append(machine_ratio(n) / (machine_ratio(base) if base > 1 else 1.0))
                digests[f"--workers {n}"] = shard_digest(out)
        if args.beam:
            out = os.path.join(tmp, "beam")
            beam_s = run(warc, urls, out, 0)
            digests["one Beam pipeline"] = shard_digest(out)
        rows = []
        for n in counts:
            rows.append((f"--workers {n} on {n} core(s), best of {args.rounds}", args.pages / min(seconds[n]),
                         "pages/s"))
        if args.beam:
            rows.append(("one Beam pipeline (in-process runner, 1 core)", args.pages / beam_s, "pages/s"))
        report(f"scaling: {args.pages} replayed pages through every stage, each N pinned to N cores", rows)
        for n in counts[1:]:
            ratios = [one / many for one, many in zip(seconds[base], seconds[n])]
            best = min(seconds[base]) / min(seconds[n])
            print(f"  {f'speed-up, {n} workers over {base}':<44} {best:>14.2f}x")
            report_rounds(ratios)
            ceiling = sorted(machine[n])[len(machine[n]) // 2]
            print(
                f"  {f'a plain loop, {n} copies over {base}':<44} {ceiling:>14.2f}x   (this machine's "
                "ceiling, "
                f"median of {' '.join(f'{c:.2f}' for c in machine[n])})"
            )
            print(f"  {'the pipeline against that ceiling':<44} {best / ceiling:>14.0%}")
        same = len(set(digests.values())) == 1
        print(f"  {'shards byte-identical across ' + ', '.join(digests):<44} {'yes' if same else 'NO'}")
        n = counts[-1]
        done, taken_up, rerun_s = killed_and_resumed(
            warc, urls, os.path.join(tmp, "resumed"), n, after_units=3
        )
        resumed_same = shard_digest(os.path.join(tmp, "resumed")) == digests[f"--workers {n}"]
        print(f"  {'killed after units done, taken up by the rerun':<44} {done:>8} / {taken_up}")
        print(
            f"  {'the rerun, seconds (an uninterrupted run: ' + f'{min(seconds[n]):.1f})':<44} "
            f"{rerun_s:>14.1f}"
        )
        print(f"  {'killed + resumed byte-identical to uninterrupted':<44} {'yes' if resumed_same else 'NO'}")
        if not same or not resumed_same or taken_up != done:
            sys.exit(1)


if __name__ == "__main__":
    main()
