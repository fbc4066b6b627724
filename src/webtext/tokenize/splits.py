"""Which split and which shard a document goes to: from its doc id alone, stable across runs."""

import math

from webtext.hashing import bucket

SPLIT_RESOLUTION = 1_000_000
SPLIT_SEED = 0x5EED
SHARD_SEED = 0x5AAD


def validation_bucket(doc_id: str) -> int:
    return bucket(doc_id, SPLIT_RESOLUTION, SPLIT_SEED)


def split_cutoff(val_fraction: float, smallest: list[int], documents: int, min_documents: int) -> float:
    """The bucket below which a document is in the validation split.

    `val_fraction` of the buckets, raised where that would leave the split too small to evaluate on:
    then the documents with the `min(min_documents, documents // 5)` smallest buckets are in it.
    `smallest` is the sorted `min_documents` smallest buckets of the corpus's `documents` documents."""
    cutoff = val_fraction * SPLIT_RESOLUTION
    wanted = min(min_documents, documents // 5)
    if wanted and len(smallest) >= wanted:
        cutoff = max(cutoff, smallest[wanted - 1] + 1)
    return cutoff


def split_of(doc_id: str, cutoff: float) -> str:
    """"validation" or "train", by the document's bucket and a cutoff from `split_cutoff`."""
    return "validation" if validation_bucket(doc_id) < cutoff else "train"


def shard_count(documents: int, docs_per_shard: int) -> int:
    return max(1, math.ceil(documents / docs_per_shard))


def shard_of(doc_id: str, count: int) -> int:
    return bucket(doc_id, count, SHARD_SEED)


def shard_key(doc_id: str, counts: dict[str, int], cutoff: float, per_shard: int) -> tuple[str, int, int]:
    """(split, shard index, shard count) of a document, given the split cutoff and each split's document
    count."""
    split = split_of(doc_id, cutoff)
    count = shard_count(counts.get(split, 0), per_shard)
    return split, shard_of(doc_id, count), count
