"""Which split and which shard a document goes to: from its doc id alone, stable across runs."""

import math

from webtext.hashing import bucket

SPLIT_RESOLUTION = 1_000_000
SPLIT_SEED = 0x5EED
SHARD_SEED = 0x5AAD


def split_of(doc_id: str, val_fraction: float) -> str:
    return "validation" if bucket(doc_id, SPLIT_RESOLUTION, SPLIT_SEED) < val_fraction * SPLIT_RESOLUTION else "train"


def shard_count(documents: int, docs_per_shard: int) -> int:
    return max(1, math.ceil(documents / docs_per_shard))


def shard_of(doc_id: str, count: int) -> int:
    return bucket(doc_id, count, SHARD_SEED)
