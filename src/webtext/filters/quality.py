"""Gopher's quality and repetition rules (Rae et al. 2021, "Scaling Language Models", appendix A).

Each rule returns a reason code when a document breaks it, or None. The
thresholds are the paper's; `QualityThresholds` makes every one configurable.
The stop-word rule is English-only and runs only on documents identified as
English.
"""

import re
from dataclasses import dataclass
from itertools import filterfalse

import numpy as np

STOP_WORDS = frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})
BULLETS = ("\u2022", "\u2023", "\u25e6", "\u2043", "\u2219", "-", "*", "\u00b7")
_WORD = re.compile(r"\w+", re.UNICODE)
_ALPHA = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class QualityThresholds:
    max_words: int = 100_000
    min_mean_word_length: float = 3.0
    max_mean_word_length: float = 10.0
    max_symbol_word_ratio: float = 0.1  # "#" and "..." per word
    max_bullet_line_fraction: float = 0.9
    max_ellipsis_line_fraction: float = 0.3
    min_alpha_word_fraction: float = 0.8
    min_stop_words: int = 2
    max_duplicate_line_fraction: float = 0.3
    max_duplicate_line_char_fraction: float = 0.2
    max_duplicate_paragraph_fraction: float = 0.3
    max_duplicate_paragraph_char_fraction: float = 0.2
    top_ngram_char_fraction: tuple = ((2, 0.20), (3, 0.18), (4, 0.16))
    duplicate_ngram_char_fraction: tuple = ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10))


def quality_issue(text: str, language: str, t: QualityThresholds = QualityThresholds()) -> str | None:
    """The first Gopher quality rule the text breaks, as a reason code."""
    words = text.split()
    if not words:
        return "no_words"
    if len(words) > t.max_words:
        return "too_long"
    mean_length = sum(map(len, words)) / len(words)
    if not t.min_mean_word_length <= mean_length <= t.max_mean_word_length:
        return "mean_word_length"
    if (text.count("#") + text.count("...") + text.count("\u2026")) / len(words) > t.max_symbol_word_ratio:
        return "symbol_ratio"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and sum(line.startswith(BULLETS) for line in lines) / len(lines) > t.max_bullet_line_fraction:
        return "bullet_lines"
    if lines and sum(line.endswith(("...", "\u2026")) for line in lines) / len(lines) > t.max_ellipsis_line_fraction:
        return "ellipsis_lines"
    if alphabetic_word_count(words) / len(words) < t.min_alpha_word_fraction:
        return "alphabetic_words"
    if language == "en" and len(STOP_WORDS.intersection(text.lower().split())) < t.min_stop_words:
        return "stop_words"
    return None


def alphabetic_word_count(words: list[str]) -> int:
    """How many words hold at least one letter. Most words are letters only, which str.isalpha
    answers in C; only the others are searched (69 vs 105 us per page of ../shared/data)."""
    return sum(map(str.isalpha, words)) + sum(1 for w in filterfalse(str.isalpha, words) if _ALPHA.search(w))


def _duplicate_fractions(parts: list[str]) -> tuple[float, float]:
    """Share of parts that repeat an earlier one, and share of characters in them."""
    seen, duplicates, duplicate_chars = set(), 0, 0
    for part in parts:
        if part in seen:
            duplicates += 1
            duplicate_chars += len(part)
        seen.add(part)
    total_chars = sum(len(p) for p in parts) or 1
    return duplicates / max(1, len(parts)), duplicate_chars / total_chars


def _ngram_keys(word_ids: np.ndarray, n: int) -> np.ndarray:
    """One 64-bit key per n-gram (a polynomial hash of word ids; collisions are negligible at 2^64)."""
    keys = np.zeros(len(word_ids) - n + 1, dtype=np.uint64)
    for offset in range(n):
        keys = keys * np.uint64(1_000_003) + word_ids[offset:offset + len(keys)]
    return keys


def _top_ngram_char_fraction(word_ids: np.ndarray, lengths: np.ndarray, n: int) -> float:
    """Characters in all occurrences of the most frequent n-gram, over all characters."""
    if len(word_ids) < n:
        return 0.0
    keys = _ngram_keys(word_ids, n)
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    top = np.argmax(counts)
    return float(lengths[first[top]:first[top] + n].sum() * counts[top] / max(1, lengths.sum()))


def _duplicate_ngram_char_fraction(word_ids: np.ndarray, lengths: np.ndarray, n: int) -> float:
    """Characters of words covered by n-grams that occur more than once (each word counted once)."""
    if len(word_ids) < n:
        return 0.0
    keys = _ngram_keys(word_ids, n)
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    repeated = counts[inverse] > 1
    covered = np.zeros(len(word_ids) + 1, dtype=np.int32)  # +1 at an n-gram's start, -1 past its end
    np.add.at(covered, np.flatnonzero(repeated), 1)
    np.add.at(covered, np.flatnonzero(repeated) + n, -1)
    return float(lengths[np.cumsum(covered)[:-1] > 0].sum() / max(1, lengths.sum()))


def repetition_issue(text: str, t: QualityThresholds = QualityThresholds()) -> str | None:
    """The first Gopher repetition rule the text breaks, as a reason code."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line_fraction, line_chars = _duplicate_fractions(lines)
    if line_fraction > t.max_duplicate_line_fraction or line_chars > t.max_duplicate_line_char_fraction:
        return "duplicate_lines"
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    paragraph_fraction, paragraph_chars = _duplicate_fractions(paragraphs)
    if (paragraph_fraction > t.max_duplicate_paragraph_fraction
            or paragraph_chars > t.max_duplicate_paragraph_char_fraction):
        return "duplicate_paragraphs"
    words = _WORD.findall(text.lower())
    vocabulary: dict[str, int] = {}
    word_ids = np.array([vocabulary.setdefault(w, len(vocabulary)) for w in words], dtype=np.uint64)
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    for n, limit in t.top_ngram_char_fraction:
        if _top_ngram_char_fraction(word_ids, lengths, n) > limit:
            return f"top_{n}gram"
    rules = sorted(t.duplicate_ngram_char_fraction)
    for i, (n, limit) in enumerate(rules):
        fraction = _duplicate_ngram_char_fraction(word_ids, lengths, n)
        if fraction > limit:
            return f"duplicate_{n}gram"
        # Words covered by repeated (n+1)-grams are covered by repeated n-grams too, so the
        # fraction only falls as n grows: under every limit still to check, none can fail.
        if all(fraction <= later for _, later in rules[i + 1:]):
            break
    return None
