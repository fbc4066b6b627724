"""Shingles, signatures and banding; recall and false merges on the labelled near-duplicate set."""

import json

from webtext.dedup.clusters import near_duplicate_survivors
from webtext.dedup.minhash import (
    Signer,
    band_keys,
    bands_and_rows,
    collision_probability,
    estimated_jaccard,
    exact_key,
    shingles,
)


def test_shingles_are_normalised_word_5grams():
    assert shingles("The cat, the HAT!", 5) == {b"the cat the hat"}
    assert len(shingles("one two three four five six", 5)) == 2


def test_exact_key_ignores_case_punctuation_and_whitespace():
    assert exact_key("Hello,   World!\n") == exact_key("hello world") != exact_key("hello there")


def test_signatures_are_stable_across_signers():
    text = " ".join(f"word{i}" for i in range(100))
    assert band_keys(Signer(128, 5).signature(text), 8, 16) == band_keys(
        Signer(128, 5).signature(text), 8, 16
    )


def test_estimated_jaccard_tracks_the_true_one():
    words = [f"w{i}" for i in range(400)]
    a = Signer(128, 5).signature(" ".join(words)).tobytes()
    b = Signer(128, 5).signature(" ".join(words[:300] + [f"x{i}" for i in range(100)])).tobytes()
    true = 296 / 496  # shared 5-grams / union of 5-grams
    assert abs(estimated_jaccard(a, b) - true) < 0.15 and estimated_jaccard(a, a) == 1.0


def test_bands_and_rows_follow_the_threshold():
    bands, rows = bands_and_rows(0.8, 128)
    assert bands * rows <= 128
    assert collision_probability(0.9, bands, rows) > 0.99 and collision_probability(0.5, bands, rows) < 0.05


def test_labelled_near_duplicates(shared_data):
    """Measured: 75/77 pairs with Jaccard >= 0.8 merged (all at >= 0.9), none of the 765 pairs under 0.5."""
    docs = [json.loads(line) for line in (shared_data / "neardup.jsonl").read_text().splitlines()]
    pairs = [json.loads(line) for line in (shared_data / "neardup_pairs.jsonl").read_text().splitlines()]
    survivor = near_duplicate_survivors(((d["doc_id"], d["text"]) for d in docs), 0.8)
    merged = [survivor.get(p["doc_a"], p["doc_a"]) == survivor.get(p["doc_b"], p["doc_b"]) for p in pairs]
    high = [m for m, p in zip(merged, pairs) if p["jaccard_norm5"] >= 0.8]
    low = [m for m, p in zip(merged, pairs) if p["jaccard_norm5"] < 0.5]
    assert sum(high) / len(high) >= 0.95
    assert all(m for m, p in zip(merged, pairs) if p["jaccard_norm5"] >= 0.9)
    assert sum(low) == 0
