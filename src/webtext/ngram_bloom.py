"""8-gram Bloom filters for test-set overlap (GPT-2 paper, section 4) and decontamination.

Text is normalised as the paper describes: lower-cased alphanumeric words
separated by single spaces. The filter is rbloom (Rust) with a process-stable
128-bit xxhash, so a filter built on one machine answers the same on another,
can be saved and loaded, and filters merge by bitwise OR (`|=`).
"""

import re

import rbloom
import xxhash

NGRAM = 8
_ALPHANUMERIC_WORD = re.compile(r"[^\W_]+")


def normalize_for_overlap(text: str) -> str:
    return " ".join(_ALPHANUMERIC_WORD.findall(text.lower()))


def ngrams(text: str, n: int = NGRAM) -> list[str]:
    """The normalised text's word n-grams (a text shorter than n words has none)."""
    words = normalize_for_overlap(text).split(" ")
    return [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)] if len(words) >= n else []


def stable_hash(item: str) -> int:
    """rbloom wants a signed 128-bit int; xxh3-128 is the same in every process."""
    return xxhash.xxh3_128_intdigest(item.encode("utf-8")) - (1 << 127)


def new_filter(expected_items: int, false_positive_rate: float) -> rbloom.Bloom:
    return rbloom.Bloom(max(1, expected_items), false_positive_rate, stable_hash)


def filter_from_bytes(data: bytes) -> rbloom.Bloom:
    return rbloom.Bloom.load_bytes(data, stable_hash)


def overlap_fraction(text: str, bloom: rbloom.Bloom) -> tuple[int, int]:
    """(8-grams of the text found in the filter, 8-grams of the text)."""
    grams = ngrams(text)
    return sum(g in bloom for g in grams), len(grams)
