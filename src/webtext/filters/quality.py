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

from webtext.filters.scored import Rule, TextFeatures, first_broken

STOP_WORDS = frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})
BULLETS = ("\u2022", "\u2023", "\u25e6", "\u2043", "\u2219", "-", "*", "\u00b7")
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


def quality_rules(t: QualityThresholds = QualityThresholds()) -> tuple[Rule, ...]:
    """Gopher's quality rules, in the paper's order, as scored rules."""
    return (
        Rule("no_words", lambda f: len(f.words), 1, drops_below=True),
        Rule("too_long", lambda f: len(f.words), t.max_words),
        Rule("mean_word_length", _mean_word_length, t.min_mean_word_length, drops_below=True),
        Rule("mean_word_length", _mean_word_length, t.max_mean_word_length),
        Rule("symbol_ratio", _symbols_per_word, t.max_symbol_word_ratio),
        Rule("bullet_lines", lambda f: _line_share(f, lambda line: line.startswith(BULLETS)),
             t.max_bullet_line_fraction),
        Rule("ellipsis_lines", lambda f: _line_share(f, lambda line: line.endswith(("...", "\u2026"))),
             t.max_ellipsis_line_fraction),
        Rule("alphabetic_words", lambda f: alphabetic_word_count(f.words) / max(1, len(f.words)),
             t.min_alpha_word_fraction, drops_below=True),
        stop_words_rule(t.min_stop_words),
    )


def _distinct_stop_words(f: TextFeatures) -> int:
    return len(STOP_WORDS.intersection(f.lower_words))


def stop_words_rule(minimum: int = 2) -> Rule:
    """Gopher's stop-word rule. Two made with one minimum are equal (one score function), so a preset
    that lists it twice (webtext's rules, then Gopher's) can keep it once."""
    return Rule("stop_words", _distinct_stop_words, minimum, drops_below=True, english_only=True,
                why="English prose holds at least two of the, be, to, of, and, that, have, with")


STOP_WORDS_RULE = stop_words_rule()


def _mean_word_length(f: TextFeatures) -> float:
    return sum(map(len, f.words)) / max(1, len(f.words))


def _symbols_per_word(f: TextFeatures) -> float:
    return (f.text.count("#") + f.text.count("...") + f.text.count("\u2026")) / max(1, len(f.words))


def _line_share(f: TextFeatures, test) -> float:
    return sum(map(test, f.lines)) / len(f.lines) if f.lines else 0.0


def quality_issue(text: str, language: str, t: QualityThresholds = QualityThresholds()) -> str | None:
    """The first Gopher quality rule the text breaks, as a reason code."""
    return first_broken(quality_rules(t), TextFeatures(text, language))


def alphabetic_word_count(words: list[str]) -> int:
    """How many words hold at least one letter. Most words are letters only, which str.isalpha
    answers in C; only the others are searched with the regular expression."""
    return sum(map(str.isalpha, words)) + sum(1 for w in filterfalse(str.isalpha, words) if _ALPHA.search(w))


_KEY_BASE = np.uint64(1_000_003)


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


def repetition_rules(t: QualityThresholds = QualityThresholds()) -> tuple[Rule, ...]:
    """Gopher's repetition rules, in the paper's order, as scored rules."""
    return (
        Rule("duplicate_lines", lambda f: f.line_repeats[0], t.max_duplicate_line_fraction),
        Rule("duplicate_lines", lambda f: f.line_repeats[1], t.max_duplicate_line_char_fraction),
        Rule("duplicate_paragraphs", lambda f: f.paragraph_repeats[0], t.max_duplicate_paragraph_fraction),
        Rule(
            "duplicate_paragraphs", lambda f: f.paragraph_repeats[1], t.max_duplicate_paragraph_char_fraction
        ),
        *(
            Rule(
                f"top_{n}gram",
                lambda f, n=n: _top_ngram_char_fraction(ngram_keys(f, n), f.word_ids_and_lengths[1], n),
                limit,
            )
            for n, limit in t.top_ngram_char_fraction
        ),
        *(
            Rule(
                f"duplicate_{n}gram",
                lambda f, n=n: _duplicate_ngram_char_fraction(ngram_keys(f, n), f.word_ids_and_lengths[1], n),
                limit,
            )
            for n, limit in t.duplicate_ngram_char_fraction
        ),
    )


def ngram_keys(f: TextFeatures, n: int) -> np.ndarray:
    """One 64-bit key per n-gram of the text's words: a polynomial hash of the word ids (collisions
    are negligible at 2^64). Kept on the features, and each n's made from the largest smaller n's."""
    cache = f.__dict__.setdefault("_ngram_keys", {})
    if n not in cache:
        word_ids = f.word_ids_and_lengths[0]
        below = max((m for m in cache if m < n), default=None)
        keys, m = (cache[below], below) if below else (word_ids, 1)
        while m < n:  # past the text's length, both sides are empty
            keys = keys[:-1] * _KEY_BASE + word_ids[m:]
            m += 1
        cache[n] = keys
    return cache[n]


def repetition_issue(text: str, t: QualityThresholds = QualityThresholds()) -> str | None:
    """The first Gopher repetition rule the text breaks, as a reason code."""
    return first_broken(repetition_rules(t), TextFeatures(text))
