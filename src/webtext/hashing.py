"""Process-stable hashes. Never Python's `hash()`: it is salted per process."""

import hashlib

import xxhash


def doc_id(canonical_url: str) -> str:
    """The document id: 16 hex digits of sha1 of the canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def stable_uint64(text: str, seed: int = 0) -> int:
    """A fast 64-bit hash that is the same in every process and on every machine."""
    return xxhash.xxh64_intdigest(text.encode("utf-8"), seed=seed)


def bucket(text: str, n: int, seed: int = 0) -> int:
    """Which of `n` buckets `text` falls in, stably."""
    return stable_uint64(text, seed) % n
