"""Shingles, MinHash signatures and LSH band keys.

Word 5-gram shingles of the normalised text, hashed with xxhash (process-stable,
unlike Python's hash()); datasketch's MinHash with a fixed seed turns them into
signatures, so a document's signature is the same on every worker. Bands and rows come from datasketch's
own optimiser for the threshold, and are recorded in the manifest.
"""

import hashlib
from functools import lru_cache

import numpy as np
import xxhash
from datasketch import MinHash, MinHashLSH

from webtext.text_normalize import normalized_words

MINHASH_SEED = 1
SIGNATURE_DTYPE = np.uint32  # datasketch keeps 32-bit hash values


def shingles(text: str, n: int) -> set[bytes]:
    """Word n-grams of the normalised text; a text shorter than n words is one shingle."""
    words = normalized_words(text)
    if len(words) < n:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i:i + n]).encode("utf-8") for i in range(len(words) - n + 1)}


def exact_key(text: str) -> str:
    """Documents with the same normalised words are exact duplicates."""
    return hashlib.sha1(" ".join(normalized_words(text)).encode("utf-8")).hexdigest()


# Missing a duplicate costs more than checking a candidate: a false candidate is
# caught by the estimated-Jaccard check, a missed pair is never seen again. So
# the banding is weighted towards recall (at 0.8 and 128 permutations: 14 bands
# of 9 rows, P(candidate | J=0.9) = 0.999, instead of 0.93 with equal weights).
LSH_WEIGHTS = (0.1, 0.9)  # (false positive, false negative)


@lru_cache(maxsize=8)
def bands_and_rows(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's choice of (bands, rows) for `threshold`, weighted towards recall."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    return lsh.b, lsh.r


def collision_probability(jaccard: float, bands: int, rows: int) -> float:
    """The S-curve: chance that a pair with this Jaccard shares at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


def shingle_hashes(text: str, n: int) -> np.ndarray:
    """32-bit hashes of the word n-gram shingles, computed from per-word xxhash values in numpy.

    The same set as hashing `shingles(text, n)` one string at a time would describe (a shingle is
    identified by its words in order), without building a string per shingle.
    """
    words = normalized_words(text)
    if not words:
        words = [""]
    word_hashes = np.fromiter((xxhash.xxh32_intdigest(w.encode("utf-8")) for w in words), dtype=np.uint64,
                              count=len(words))
    if len(words) < n:
        n = len(words)
    hashes = np.zeros(len(words) - n + 1, dtype=np.uint64)
    for offset in range(n):  # polynomial combination; the mask keeps it in 32 bits, as datasketch expects
        hashes = (hashes * np.uint64(0x9E3779B1) + word_hashes[offset : offset + len(hashes)]) & np.uint64(
            0xFFFFFFFF
        )
    return np.unique(hashes)


class Signer:
    """Builds signatures from one datasketch MinHash template: its permutations are generated once
    per worker and reused for every document. Shingles arrive already hashed (shingle_hashes), so
    the template's hash function is the identity (`int`)."""

    def __init__(self, num_perm: int, shingle_words: int):
        self._template = MinHash(num_perm=num_perm, seed=MINHASH_SEED, hashfunc=int)
        self._shingle_words = shingle_words

    def signature(self, text: str) -> np.ndarray:
        minhash = self._template.copy()
        minhash.update_batch(shingle_hashes(text, self._shingle_words).tolist())
        return minhash.hashvalues


def band_keys(signature: np.ndarray, bands: int, rows: int) -> list[tuple[int, bytes]]:
    """The LSH bucket keys of a signature: (band index, that band's hash values as bytes)."""
    return [(band, signature[band * rows:(band + 1) * rows].tobytes()) for band in range(bands)]


def estimated_jaccard(signature_a: bytes, signature_b: bytes) -> float:
    """The share of MinHash values two signatures agree on (an unbiased Jaccard estimate)."""
    a, b = (
        np.frombuffer(signature_a, dtype=SIGNATURE_DTYPE),
        np.frombuffer(signature_b, dtype=SIGNATURE_DTYPE),
    )
    return float(np.mean(a == b))
