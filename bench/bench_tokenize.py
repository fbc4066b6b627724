"""Tokenize + write throughput on the local runner vs bare tiktoken `encode_ordinary_batch` (one thread).

Usage: python bench/bench_tokenize.py [--docs 10000] [--paragraphs 16] [--docs_per_shard 1000] [--runs 3]
"""

import argparse
import json
import random
import tempfile

import apache_beam as beam
from common import (
    PRELOADED,
    measured_in_fresh_process,
    pin_to_one_cpu,
    preloaded,
    report,
    report_rounds,
    timed,
)

from webtext.engines.config import CorpusConfig
from webtext.records import Document
from webtext.sample import prose
from webtext.shards.gpt2 import encode_documents, gpt2_encoding
from webtext.tokenize.transforms import TokenizeToShards

# 16 paragraphs: ~1,150 GPT-2 tokens (~5 KB), the size of WebText's average document (40 GB, 8M documents).
PARAGRAPHS = 16


def documents(n: int, seed: int = 1, paragraphs: int = PARAGRAPHS) -> list[Document]:
    rng = random.Random(seed)
    return [
        Document(
            f"{seed:04d}{i:012x}",
            f"https://e.com/{seed}/{i}",
            "",
            "e.com",
            "t",
            "\n\n".join(prose.article(rng, paragraphs)),
            5,
            ("s",),
            ("news",),
            1,
            "en",
        )
        for i in range(n)
    ]


# documents per seed; made before anything is timed, and read by the in-process runner from memory
CHUNK = 500


def _tally(seed: int) -> list[tuple[str, int]]:
    return [(d.doc_id, 1) for d in preloaded(seed)]


def run_pipeline(seeds: list[int], config: CorpusConfig, upstream_counts: bool) -> None:
    """`upstream_counts`: the shard counts come from a tally made beside the documents, as `webtext
    corpus` takes them from dedup; otherwise TokenizeToShards counts the documents themselves."""
    with tempfile.TemporaryDirectory() as out:
        with beam.Pipeline(runner="FnApiRunner") as p:
            expected = (
                p | "Seeds" >> beam.Create(seeds) | "Tally" >> beam.FlatMap(_tally)
                if upstream_counts
                else None
            )
            (
                p
                | beam.Create(seeds)
                | beam.FlatMap(preloaded)
                | TokenizeToShards(config.shards, out, expected=expected)
            )


def best_of(runs: int, fn) -> float:
    """The fastest of `runs` timings: the least disturbed by whatever else the machine was doing."""
    times = {}
    for run in range(runs):
        with timed(times, run):
            fn()
    return min(times.values())


def measure(what: str, n_docs: int, paragraphs: int, docs_per_shard: int, runs: int) -> dict:
    """One measurement, in a process of its own: a process's heap after the bare loop's 10M+ Python
    ints is not the heap of a fresh one, and measured in one process the order changed the results.
    The process is pinned to one CPU, so the runner's own threads count against the same core."""
    pin_to_one_cpu()
    seeds = list(range(max(4, n_docs // CHUNK)))
    small = seeds[: len(seeds) // 4]
    PRELOADED.update((seed, documents(CHUNK, seed, paragraphs)) for seed in seeds)
    texts = [d.text for seed in seeds for d in PRELOADED[seed]]
    encoding = gpt2_encoding()
    if what == "bare":
        return {
            "seconds": best_of(runs, lambda: encoding.encode_ordinary_batch(texts, num_threads=1)),
            "tokens": sum(len(ids) + 1 for ids in encoding.encode_ordinary_batch(texts, num_threads=1)),
            "small_tokens": sum(
                len(ids) + 1
                for ids in encoding.encode_ordinary_batch(texts[: len(small) * CHUNK], num_threads=1)
            ),
        }
    if what == "encoder":
        return {"seconds": best_of(runs, lambda: encode_documents(encoding, texts))}
    config = CorpusConfig.from_flags(inputs=("x",), warc=("y",), docs_per_shard=docs_per_shard)
    upstream = what == "pipeline_upstream_counts"
    return {"small": best_of(runs, lambda: run_pipeline(small, config, upstream)),
            "all": best_of(runs, lambda: run_pipeline(seeds, config, upstream))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--paragraphs", type=int, default=PARAGRAPHS, help="document size (8: ~580 tokens)")
    parser.add_argument("--docs_per_shard", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--measure",
        choices=["bare", "encoder", "pipeline", "pipeline_upstream_counts"],
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.docs, args.paragraphs, args.docs_per_shard, args.runs)))
        return
    # Rounds of one fresh process per measurement, interleaved: a slow spell of the machine then
    # hits every side once instead of all the runs of one side. The table shows the best of the
    # rounds; the ratio line, every round's own ratio as well.
    rounds = []
    for _ in range(args.runs):
        rounds.append({})
        for what in ("pipeline_upstream_counts", "pipeline", "bare", "encoder"):
            rounds[-1][what] = measured_in_fresh_process(
                __file__, "--measure", what, "--docs", str(args.docs), "--paragraphs", str(args.paragraphs),
                "--docs_per_shard", str(args.docs_per_shard), "--runs", "1")
    tokens, small_tokens = rounds[0]["bare"]["tokens"], rounds[0]["bare"]["small_tokens"]

    def best(what: str, key: str) -> float:
        return min(r[what][key] for r in rounds)

    def past_start_up(small: float, whole: float) -> float:
        return (tokens - small_tokens) / (whole - small)

    bare = tokens / best("bare", "seconds")
    pipeline = {what: past_start_up(best(what, "small"), best(what, "all"))
                for what in ("pipeline_upstream_counts", "pipeline")}
    per_round = [past_start_up(r["pipeline_upstream_counts"]["small"], r["pipeline_upstream_counts"]["all"])
                 / (tokens / r["bare"]["seconds"]) for r in rounds]
    report(f"tokenize: {args.docs:,} documents, {tokens:,} tokens ({tokens // args.docs:,} per document), "
           f"{args.docs_per_shard} per shard "
           f"(1 core, best of {args.runs} interleaved rounds, each run in a fresh process)", [
        ("bare tiktoken encode_ordinary_batch", bare, "tokens/s"),
        ("webtext's encoder alone (encode_to_numpy)", tokens / best("encoder", "seconds"), "tokens/s"),
        ("tokenize + write, whole run", tokens / best("pipeline_upstream_counts", "all"), "tokens/s"),
        ("tokenize + write, past start-up", pipeline["pipeline_upstream_counts"], "tokens/s"),
        ("  the same, counting the documents", pipeline["pipeline"], "tokens/s"),
    ], ("tokenize + write past start-up / bare", pipeline["pipeline_upstream_counts"] / bare))
    report_rounds(per_round)


if __name__ == "__main__":
    main()
