"""Long inputs on the local runner, each size in its own process so peak memory is its own:
dump lines read and parsed next to a plain zstandard + json loop (streamed: the stage's memory
above the loop's must stay flat), submissions through link selection,
and documents through dedup + tokenize + shards (grouped: the in-process runner holds each
grouping's input in memory, so these grow with the input; a cluster runner shuffles on disk).

Usage: python bench/bench_long_input.py [--submissions 1000000] [--documents 100000]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import apache_beam as beam
from bench_sources import plain_loop, synthetic_dump
from common import peak_rss_mib, report

from webtext.dedup.transforms import DeduplicateDocuments
from webtext.engines.config import CorpusConfig
from webtext.records import Document
from webtext.sources.settings import LinkRules
from webtext.sources.transforms import ReadSubmissions, SelectLinks
from webtext.tokenize.transforms import TokenizeToShards


def _dump_made_elsewhere(path: str, lines: int) -> None:
    """The dump is written by another process: compressing with a 2 GiB window holds as much as it
    writes, and that peak must not count as the pipeline's."""
    subprocess.run([sys.executable, __file__, "--make", path, str(lines)], check=True)


def _over_a_dump(lines: int, work) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of `work(path)` over a synthetic dump of `lines` lines."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "RS.zst")
        _dump_made_elsewhere(path, lines)
        started = time.perf_counter()
        work(path)
        return time.perf_counter() - started, peak_rss_mib()


def plain_run(lines: int) -> tuple[float, float]:
    """The baseline for read_run: a plain zstandard + json loop over the same dump. Decoding a
    2 GiB-window dump keeps up to 2 GiB of history, so this grows with the input too."""
    return _over_a_dump(lines, plain_loop)


def _select_links(path: str) -> None:
    with beam.Pipeline(runner="FnApiRunner") as p:
        submissions = (p | beam.Create([path]) | ReadSubmissions()).submissions
        links = (submissions | SelectLinks(LinkRules())).links
        links | beam.combiners.Count.Globally()


def links_run(lines: int) -> tuple[float, float]:
    return _over_a_dump(lines, _select_links)


def _read_only(path: str) -> None:
    """Reading and parsing alone, counted as they stream by (Count combines within each bundle)."""
    with beam.Pipeline(runner="FnApiRunner") as p:
        submissions = (p | beam.Create([path]) | ReadSubmissions()).submissions
        submissions | beam.combiners.Count.Globally()


def read_run(lines: int) -> tuple[float, float]:
    """The streaming part of a run, whose memory must not grow with the input."""
    return _over_a_dump(lines, _read_only)


def _documents(seed: int, n: int):
    import random
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(20000)]
    for i in range(n):
        text = " ".join(rng.choice(vocabulary) for _ in range(150))
        yield Document(f"{seed:04x}{i:012x}", f"https://e.com/{seed}/{i}", "", "e.com", "", text, 5, ("s",),
                       ("r",), 1, "en")


def documents_run(n: int) -> tuple[float, float]:
    config = CorpusConfig.from_flags(inputs=("x",), warc=("w",), docs_per_shard=5000)
    chunks = max(1, n // 1000)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        with beam.Pipeline(runner="FnApiRunner") as p:
            docs = p | beam.Create(list(range(chunks))) | beam.FlatMap(lambda s: _documents(s, n // chunks))
            unique, _, _, kept_tally = (docs | DeduplicateDocuments(config.dedup))[:4]
            unique | TokenizeToShards(config.shards, out, expected=kept_tally)  # as `webtext corpus` runs it
        return time.perf_counter() - started, peak_rss_mib()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        synthetic_dump(args.make[0], int(args.make[1]))
        return
    if args.one:
        run = {"plain": plain_run, "read": read_run, "links": links_run, "documents": documents_run}[
            args.one[0]
        ]
        seconds, peak = run(int(args.one[1]))
        print(seconds, peak)
        return
    rows = []
    for kind, sizes in (("plain", (args.submissions // 10, args.submissions)),
                        ("read", (args.submissions // 10, args.submissions)),
                        ("links", (args.submissions // 10, args.submissions)),
                        ("documents", (args.documents // 10, args.documents))):
        for n in sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--one", kind, str(n)], capture_output=True, text=True, check=True
            ).stdout.split()
            seconds, peak = float(out[-2]), float(out[-1])
            rows += [(f"{kind}: {n:,} in {seconds:.0f} s, peak RSS", peak, "MiB")]
    report("long inputs on the in-process local runner", rows)
    peaks = {row[0].split(" in ")[0]: row[1] for row in rows}
    small, large = f"{args.submissions // 10:,}", f"{args.submissions:,}"
    print(
        f"  read stage above the plain loop: {peaks[f'read: {small}'] - peaks[f'plain: {small}']:.0f} MiB at "
        f"{small} lines, {peaks[f'read: {large}'] - peaks[f'plain: {large}']:.0f} MiB at {large} "
        "(flat: the growth is zstd's window, which any reader of these dumps holds)"
    )


if __name__ == "__main__":
    main()
