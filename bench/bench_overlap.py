"""8-gram Bloom filter (rbloom + xxh3-128, FP bound 1e-8): 8-grams/s inserted and queried, and bytes per
8-gram, next to a Python set of the same 8-grams, in the same run.

Usage: python bench/bench_overlap.py [--ngrams 1000000]
"""

import argparse
import random
import sys
import time

from common import report

from webtext.ngram_bloom import new_filter, ngrams
from webtext.sample import prose


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ngrams", type=int, default=1_000_000)
    args = parser.parse_args()
    rng, grams = random.Random(0), []
    while len(grams) < args.ngrams:
        grams.extend(ngrams(" ".join(prose.article(rng, 4))))
    grams = grams[: args.ngrams]
    queries = grams[::2] + [g + " x" for g in grams[1::2]]  # half present, half absent
    results = {}
    started = time.perf_counter()
    bloom = new_filter(len(grams), 1e-8)
    bloom.update(grams)
    results["bloom insert"] = time.perf_counter() - started
    started = time.perf_counter()
    hits = sum(q in bloom for q in queries)
    results["bloom query"] = time.perf_counter() - started
    started = time.perf_counter()
    plain = set(grams)
    results["set insert"] = time.perf_counter() - started
    started = time.perf_counter()
    set_hits = sum(q in plain for q in queries)
    results["set query"] = time.perf_counter() - started
    set_bytes = sys.getsizeof(plain) + sum(sys.getsizeof(g) for g in plain)
    report(
        f"overlap filter: {len(grams):,} 8-grams ({len(plain):,} distinct), {len(queries):,} queries (1 "
        "core)",
        [
            ("Bloom filter insert", len(grams) / results["bloom insert"], "8-grams/s"),
            ("Bloom filter query", len(queries) / results["bloom query"], "8-grams/s"),
            ("Python set insert", len(grams) / results["set insert"], "8-grams/s"),
            ("Python set query", len(queries) / results["set query"], "8-grams/s"),
            ("Bloom filter bytes per 8-gram", bloom.size_in_bits / 8 / len(grams), "B"),
            ("Python set bytes per distinct 8-gram", set_bytes / len(plain), "B"),
            ("queries answered differently (false positives)", hits - set_hits, ""),
        ],
    )


if __name__ == "__main__":
    main()
