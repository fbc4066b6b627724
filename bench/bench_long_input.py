"""Long inputs on the local runner, each size in its own process so peak memory is its own:
submissions through link selection, and documents through dedup + tokenize + shards.

Usage: python bench/bench_long_input.py [--submissions 1000000] [--documents 100000]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import apache_beam as beam

from bench_sources import synthetic_dump
from common import peak_rss_mib, report
from webtext.config import CorpusConfig
from webtext.dedup.transforms import DeduplicateDocuments
from webtext.records import Document
from webtext.sources.transforms import ReadSubmissions, SelectLinks
from webtext.tokenize.transforms import TokenizeDocuments, WriteShards


def links_run(lines: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "RS.zst")
        synthetic_dump(path, lines)
        started = time.perf_counter()
        with beam.Pipeline(runner="FnApiRunner") as p:
            _, submissions, _ = p | beam.Create([path]) | ReadSubmissions()
            _, _, links, _, _ = submissions | SelectLinks(CorpusConfig(inputs=(path,), warc=("w",)))
            links | beam.combiners.Count.Globally()
        return time.perf_counter() - started, peak_rss_mib()


def _documents(seed: int, n: int):
    import random
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(20000)]
    for i in range(n):
        text = " ".join(rng.choice(vocabulary) for _ in range(150))
        yield Document(f"{seed:04x}{i:012x}", f"https://e.com/{seed}/{i}", "", "e.com", "", text, 5, ("s",),
                       ("r",), 1, "en")


def documents_run(n: int) -> tuple[float, float]:
    config = CorpusConfig(inputs=("x",), warc=("w",), docs_per_shard=5000)
    chunks = max(1, n // 1000)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        with beam.Pipeline(runner="FnApiRunner") as p:
            docs = p | beam.Create(list(range(chunks))) | beam.FlatMap(lambda s: _documents(s, n // chunks))
            unique, _, _ = docs | DeduplicateDocuments(config)
            unique | TokenizeDocuments() | WriteShards(config, out)
        return time.perf_counter() - started, peak_rss_mib()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        seconds, peak = (links_run if args.one[0] == "links" else documents_run)(int(args.one[1]))
        print(seconds, peak)
        return
    rows = []
    for kind, sizes in (("links", (args.submissions // 10, args.submissions)),
                        ("documents", (args.documents // 10, args.documents))):
        for n in sizes:
            out = subprocess.run([sys.executable, __file__, "--one", kind, str(n)], capture_output=True, text=True,
                                 check=True).stdout.split()
            seconds, peak = float(out[-2]), float(out[-1])
            rows += [(f"{kind}: {n:,} in {seconds:.0f} s, peak RSS", peak, "MiB")]
    report("long inputs on the in-process local runner", rows)


if __name__ == "__main__":
    main()
