"""Build the training split's 8-gram filter (a Beam combine: partial filters merge by OR), measure
eval sets against it, and check the false-positive rate with random strings."""

import random
import string

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq

from webtext.atomic import write_atomically
from webtext.ngram_bloom import filter_from_bytes, new_filter, ngrams, overlap_fraction


class PartialFilter:
    """A Bloom filter that pickles as its bytes, so Beam can move it between workers."""

    def __init__(self, bloom):
        self.bloom = bloom

    def __getstate__(self):
        return self.bloom.save_bytes()

    def __setstate__(self, data: bytes):
        self.bloom = filter_from_bytes(data)


class BuildFilter(beam.CombineFn):
    """Texts -> one Bloom filter's bytes; each worker fills its own filter, merged by bitwise OR."""

    def __init__(self, expected_items: int, false_positive_rate: float):
        self._n, self._p = expected_items, false_positive_rate

    def create_accumulator(self) -> PartialFilter:
        return PartialFilter(new_filter(self._n, self._p))

    def add_input(self, accumulator: PartialFilter, text: str) -> PartialFilter:
        accumulator.bloom.update(ngrams(text))
        return accumulator

    def merge_accumulators(self, accumulators) -> PartialFilter:
        accumulators = iter(accumulators)
        merged = next(accumulators)
        for other in accumulators:
            merged.bloom |= other.bloom
        return merged

    def extract_output(self, accumulator: PartialFilter) -> bytes:
        return accumulator.bloom.save_bytes()


def _texts(path: str):
    for batch in pq.ParquetFile(path).iter_batches(columns=["text"], batch_size=1024):
        yield from batch.column("text").to_pylist()


def build_training_filter(text_paths: list[str], expected_items: int, false_positive_rate: float, dest: str,
                          runner: str = "FnApiRunner") -> None:
    """Write the 8-gram filter of the given text shards to `dest`, built as one Beam pipeline."""
    with beam.Pipeline(runner=runner) as pipeline:
        (pipeline | beam.Create(text_paths) | beam.FlatMap(_texts)
         | beam.CombineGlobally(BuildFilter(expected_items, false_positive_rate))
         | beam.Map(lambda data: write_atomically(dest, data)))


def measure(documents: list[str], bloom) -> dict:
    """The paper's numbers for one eval set: % of its 8-grams in the training set, and per document."""
    per_document, found, total = [], 0, 0
    for text in documents:
        hits, grams = overlap_fraction(text, bloom)
        found, total = found + hits, total + grams
        if grams:
            per_document.append(hits / grams)
    values = np.array(per_document) if per_document else np.zeros(0)
    return {"documents": len(documents), "ngrams": total, "overlap_percent": 100 * found / max(1, total),
            "median_document_overlap_percent": 100 * float(np.median(values)) if len(values) else 0.0,
            "per_document": sorted(per_document)}


def false_positive_rate(bloom, samples: int = 1_000_000, seed: int = 0) -> float:
    """Share of random 8-word strings (never inserted) that the filter claims to hold."""
    rng = random.Random(seed)
    letters = string.ascii_lowercase
    hits = 0
    for _ in range(samples):
        item = " ".join("".join(rng.choices(letters, k=7)) for _ in range(8))
        hits += item in bloom
    return hits / samples
