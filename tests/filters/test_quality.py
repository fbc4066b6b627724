"""Gopher's rules, each with a document just inside and just outside its threshold."""

import random
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from webtext.filters.quality import (
    QualityThresholds,
    _duplicate_ngram_char_fraction,
    _top_ngram_char_fraction,
    alphabetic_word_count,
    ngram_keys,
    quality_issue,
    repetition_issue,
)
from webtext.filters.scored import TextFeatures
from webtext.sample import prose

T = QualityThresholds()
VOCABULARY = sorted(set(prose.NOUNS + prose.ADJECTIVES + prose.VERBS + prose.PEOPLE))


def filler(n: int, seed: int = 0) -> list[str]:
    """n varied ordinary words (mean length about 6), starting with two stop words."""
    rng = random.Random(seed)
    return ["the", "and"] + [rng.choice(VOCABULARY) for _ in range(n - 2)]


def line(seed: int, prefix: str = "", suffix: str = "") -> str:
    return prefix + " ".join(filler(8, seed)) + suffix


def test_clean_prose_passes_every_rule():
    text = "\n\n".join(prose.article(random.Random(3), 5))
    assert quality_issue(text, "en") is None and repetition_issue(text) is None


def test_word_count_cap():
    words = filler(T.max_words)
    assert quality_issue(" ".join(words), "en") != "too_long"
    assert quality_issue(" ".join(words + ["more"]), "en") == "too_long"


@pytest.mark.parametrize(
    "length, issue", [(2, "mean_word_length"), (3, None), (10, None), (12, "mean_word_length")]
)
def test_mean_word_length(length, issue):
    words = ["the", "and"] + [chr(97 + i % 26) * length for i in range(998)]
    assert quality_issue(" ".join(words), "en") == issue


def test_symbol_ratio():
    assert quality_issue(" ".join(filler(100) + ["#"] * 10), "en") is None  # 10 per 110 words: 0.091
    assert quality_issue(" ".join(filler(100) + ["#"] * 12), "en") == "symbol_ratio"  # 12 per 112: 0.107


def test_bullet_lines():
    inside = [line(i, prefix="- ") for i in range(9)] + [line(99)]  # 0.90 of lines
    outside = [line(i, prefix="- ") for i in range(19)] + [line(99)]  # 0.95
    assert quality_issue("\n".join(inside), "en") is None
    assert quality_issue("\n".join(outside), "en") == "bullet_lines"


def test_ellipsis_lines():
    inside = [line(i, suffix="...") for i in range(3)] + [line(10 + i) for i in range(7)]  # 0.3
    outside = [line(i, suffix="...") for i in range(4)] + [line(10 + i) for i in range(6)]  # 0.4
    assert quality_issue("\n".join(inside), "en") is None
    assert quality_issue("\n".join(outside), "en") == "ellipsis_lines"


def test_alphabetic_words():
    numbers = [str(10000 + i) for i in range(21)]
    assert quality_issue(" ".join(filler(80) + numbers[:20]), "en") is None  # 80 of 100 words: 0.80
    assert quality_issue(" ".join(filler(79) + numbers), "en") == "alphabetic_words"  # 79 of 100


_PIECES = [
    "a",
    "B7",
    "42",
    "_",
    "--",
    "\u00bd",
    "x\u00b2",
    "\u00e9t\u00e9",
    "\u0661\u0662",
    "\u6f22",
    "x_1",
    "#",
    "...",
    "\u2026",
    "\u0130",
]
_SPACES = [" ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85", "\r\n", "  "]


@given(
    st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SPACES)), max_size=30), st.text(max_size=30)
)
@example([], " \u00a0 ")
def test_alphabetic_word_count_matches_a_search_per_word(parts, noise):
    text = "".join(piece + space for piece, space in parts) + noise
    words = text.split()
    assert alphabetic_word_count(words) == sum(bool(re.search(r"[^\W\d_]", w)) for w in words)


def test_stop_words_only_for_english():
    words = [w for w in filler(100) if w not in ("the", "and")]
    assert quality_issue(" ".join(words + ["the"]), "en") == "stop_words"
    assert quality_issue(" ".join(words + ["the", "with"]), "en") is None
    assert quality_issue(" ".join(words), "de") is None
    # In any case: one as written and one capitalised, or both capitalised, make two.
    assert quality_issue(" ".join(["The"] + words + ["with"]), "en") is None
    assert quality_issue(" ".join(["The"] + words + ["WITH"]), "en") is None
    assert quality_issue(" ".join(["The"] + words + ["THE"]), "en") == "stop_words"  # one word, twice


def test_duplicate_lines():
    # this rule alone
    lines_only = QualityThresholds(top_ngram_char_fraction=(), duplicate_ngram_char_fraction=())
    unique = [line(i) for i in range(20)]
    assert repetition_issue("\n".join(unique + unique[:4]), lines_only) is None  # 4 of 24 lines repeat: 0.17
    assert repetition_issue("\n".join(unique + unique[:7]), lines_only) == "duplicate_lines"  # 7 of 27: 0.26
    # the n-gram rule is stricter
    assert repetition_issue("\n".join(unique + unique[:4])) == "duplicate_5gram"


def test_top_and_duplicate_ngrams():
    clean = " ".join(filler(400, seed=5))
    assert repetition_issue(clean) is None
    spam = clean + " " + " ".join(["cheap pills online"] * 40)
    assert repetition_issue(spam) in ("top_2gram", "top_3gram", "duplicate_5gram")


def _reference_duplicate_fraction(words: list[str], n: int) -> float:
    """Gopher's definition, written plainly: characters of words inside any repeated n-gram."""
    grams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    covered = [False] * len(words)
    for i, gram in enumerate(grams):
        if grams.count(gram) > 1:
            covered[i:i + n] = [True] * n
    return sum(len(w) for w, c in zip(words, covered) if c) / max(1, sum(len(w) for w in words))


def _keys(words: list[str], n: int):
    features = TextFeatures(" ".join(words))
    return ngram_keys(features, n), features.word_ids_and_lengths[1]


@given(st.lists(st.sampled_from(["a", "bb", "ccc", "dddd", "ee"]), max_size=40), st.integers(2, 8))
def test_vectorised_duplicate_ngrams_match_the_plain_definition(words, n):
    assert _duplicate_ngram_char_fraction(*_keys(words, n), n) == pytest.approx(
        _reference_duplicate_fraction(words, n)
    )


@given(st.lists(st.sampled_from(["a", "bb", "ccc", "dddd", "ee", "f"]), max_size=40), st.integers(1, 6))
def test_vectorised_top_ngram_matches_the_plain_definition(words, n):
    """Characters in every occurrence of the most frequent n-gram; where several are equally
    frequent, the answer is one of theirs."""
    grams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    total = max(1, sum(map(len, words)))
    most = max(map(grams.count, grams), default=0)
    candidates = {sum(map(len, g)) * most / total for g in grams if grams.count(g) == most} or {0.0}
    fraction = _top_ngram_char_fraction(*_keys(words, n), n)
    assert any(fraction == pytest.approx(c) for c in candidates)


@given(st.lists(st.sampled_from(["a", "bb", "ccc", "dddd", "ee", "f"]), min_size=1, max_size=60))
def test_duplicate_ngram_fractions_only_fall_as_n_grows(words):
    """What lets repetition_issue stop early: the covered share never rises with n."""
    fractions = [_reference_duplicate_fraction(words, n) for n in range(5, 11)]
    assert all(a >= b for a, b in zip(fractions, fractions[1:]))


@given(st.lists(st.sampled_from(["a", "bb", "ccc", "dddd", "ee", "f", "gggggg"]), min_size=1, max_size=60),
       st.lists(st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0]), min_size=6, max_size=6))
@example(["a", "bb", "ccc", "dddd", "ee", "f"] * 2, [1.0, 0.0, 1.0, 1.0, 1.0, 1.0])  # passes n=5, fails n=6
def test_stopping_early_gives_the_answer_of_checking_every_n(words, limits):
    rules = tuple(zip(range(5, 11), limits))
    thresholds = QualityThresholds(top_ngram_char_fraction=(), duplicate_ngram_char_fraction=rules)
    text = " ".join(words)
    full = next(
        (f"duplicate_{n}gram" for n, limit in rules if _reference_duplicate_fraction(words, n) > limit), None
    )
    assert repetition_issue(text, thresholds) == full
