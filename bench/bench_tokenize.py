"""Tokenize + write throughput on the local runner vs bare tiktoken `encode_ordinary_batch` (one thread).

Usage: python bench/bench_tokenize.py [--docs 4000]
"""

import argparse
import random
import tempfile

import apache_beam as beam

from common import report, timed
from webtext.config import CorpusConfig
from webtext.records import Document
from webtext.sample import prose
from webtext.tokenize.gpt2 import gpt2_encoding
from webtext.tokenize.transforms import TokenizeDocuments, WriteShards


def documents(n: int, seed: int = 1) -> list[Document]:
    rng = random.Random(seed)
    return [Document(f"{seed:04d}{i:012x}", f"https://e.com/{seed}/{i}", "", "e.com", "t",
                     "\n\n".join(prose.article(rng, 8)), 5, ("s",), ("news",), 1, "en") for i in range(n)]


CHUNK = 500  # documents are made inside the pipeline, CHUNK per seed, so the input is not pickled into it


def run_pipeline(seeds: list[int], config: CorpusConfig) -> None:
    with tempfile.TemporaryDirectory() as out:
        with beam.Pipeline(runner="FnApiRunner") as p:
            (p | beam.Create(seeds) | beam.FlatMap(lambda seed: documents(CHUNK, seed))
             | TokenizeDocuments() | WriteShards(config, out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20000)
    args = parser.parse_args()
    seeds = list(range(max(4, args.docs // CHUNK)))
    small = seeds[: len(seeds) // 4]
    times, encoding = {}, gpt2_encoding()
    texts = [d.text for seed in seeds for d in documents(CHUNK, seed)]
    small_tokens = sum(len(ids) + 1 for ids in encoding.encode_ordinary_batch(texts[: len(small) * CHUNK], num_threads=1))
    with timed(times, "make"):
        for seed in seeds:
            documents(CHUNK, seed)
    with timed(times, "tiktoken"):
        tokens = sum(len(ids) + 1 for ids in encoding.encode_ordinary_batch(texts, num_threads=1))
    config = CorpusConfig(inputs=("x",), warc=("y",), docs_per_shard=1000)
    with timed(times, "beam_small"):
        run_pipeline(small, config)
    with timed(times, "beam"):
        run_pipeline(seeds, config)
    # The pipeline makes its own documents (so its input is not pickled into it); take that time out.
    stage = times["beam"] - times["make"]
    marginal = (times["beam"] - times["beam_small"]) - times["make"] * (1 - len(small) / len(seeds))
    report(f"tokenize: {len(texts):,} documents, {tokens:,} tokens (1 core)", [
        ("bare tiktoken encode_ordinary_batch", tokens / times["tiktoken"], "tokens/s"),
        ("webtext tokenize + write, whole run", tokens / stage, "tokens/s"),
        ("webtext tokenize + write, past start-up", (tokens - small_tokens) / marginal, "tokens/s"),
    ], ("webtext past start-up / bare", (tokens - small_tokens) / marginal / (tokens / times["tiktoken"])))


if __name__ == "__main__":
    main()
