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
    if language == "en" and not enough_stop_words(text, words, t.min_stop_words):
        return "stop_words"
    return None


def enough_stop_words(text: str, words: list[str], minimum: int) -> bool:
    """Whether the text holds `minimum` distinct stop words, in any case. The words as written hold
    no more of them than the lower-cased text does, and on English pages enough already (on all 34
    of ../shared/data: 5 vs 51 us a page); only when they do not is the text lowered and split."""
    return (len(STOP_WORDS.intersection(words)) >= minimum
            or len(STOP_WORDS.intersection(text.lower().split())) >= minimum)


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


_KEY_BASE = np.uint64(1_000_003)


def ngram_keys(word_ids: np.ndarray, sizes):
    """(n, one 64-bit key per n-gram) for each n in `sizes`, ascending: a polynomial hash of the word
    ids (collisions are negligible at 2^64), each n's keys made from the last n's in one pass."""
    keys, n = word_ids, 1
    for size in sizes:
        while n < size:  # past the text's length, both sides are empty
            keys = keys[:-1] * _KEY_BASE + word_ids[n:]
            n += 1
        yield size, keys


def _top_ngram_char_fraction(keys: np.ndarray, lengths: np.ndarray, n: int) -> float:
    """Characters in all occurrences of the most frequent n-gram, over all characters. Of n-grams
    equally frequent, the one with the lowest key. (A sort and its run lengths, not np.unique, whose
    return_index needs the slower stable argsort.)"""
    if not len(keys):
        return 0.0
    ordered = np.sort(keys)
    run_starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[run_starts, len(ordered)])
    top = np.argmax(counts)
    first = int(np.argmax(keys == ordered[run_starts[top]]))
    return float(lengths[first:first + n].sum() * counts[top] / max(1, lengths.sum()))


def _duplicate_ngram_char_fraction(keys: np.ndarray, lengths: np.ndarray, n: int) -> float:
    """Characters of words covered by n-grams that occur more than once (each word counted once)."""
    if not len(keys):
        return 0.0
    order = np.argsort(keys)
    ordered = keys[order]
    same_as_next = ordered[1:] == ordered[:-1]
    repeated = np.zeros(len(keys), dtype=bool)  # in sorted order: equal to a neighbour
    repeated[1:] = same_as_next
    repeated[:-1] |= same_as_next
    starts = order[repeated]  # each position at most once, so plain fancy indexing adds (no np.add.at)
    covered = np.zeros(len(lengths) + 1, dtype=np.int32)  # +1 at a repeated n-gram's start, -1 past its end
    covered[starts] += 1
    covered[starts + n] -= 1
    return float(lengths[np.cumsum(covered[:-1]) > 0].sum() / max(1, lengths.sum()))


def word_ids_and_lengths(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The text's lower-cased words as ids (first seen, first numbered) and their lengths."""
    words = _WORD.findall(text.lower())
    vocabulary: dict[str, int] = {}
    ids = [vocabulary.setdefault(w, len(vocabulary)) for w in words]
    return np.array(ids, dtype=np.uint64), np.fromiter(map(len, words), dtype=np.int64, count=len(words))


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
    # The n-gram rules, vectorised: 80 us a page of ../shared/data (np.unique and np.add.at took 170).
    word_ids, lengths = word_ids_and_lengths(text)
    top_limits = dict(t.top_ngram_char_fraction)
    for n, keys in ngram_keys(word_ids, sorted(top_limits)):
        if _top_ngram_char_fraction(keys, lengths, n) > top_limits[n]:
            return f"top_{n}gram"
    duplicate_limits = dict(t.duplicate_ngram_char_fraction)
    sizes = sorted(duplicate_limits)
    for i, (n, keys) in enumerate(ngram_keys(word_ids, sizes)):
        fraction = _duplicate_ngram_char_fraction(keys, lengths, n)
        if fraction > duplicate_limits[n]:
            return f"duplicate_{n}gram"
        # Words covered by repeated (n+1)-grams are covered by repeated n-grams too, so the
        # fraction only falls as n grows: under every limit still to check, none can fail.
        if all(fraction <= duplicate_limits[later] for later in sizes[i + 1:]):
            break
    return None
