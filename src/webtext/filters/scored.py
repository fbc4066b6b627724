"""A filter rule as a score and a limit, over a document's text features computed once.

Each rule measures one number of a text (`score`) and drops the document when the number passes
its `limit` (above it, or below it for rules where less is worse). Keeping the number, not only the
verdict, lets the report show how close the kept documents came to each rule, and lets the filter
benchmark calibrate each limit on real articles. `applies_from` is the length, in words, below which
a length-sensitive rule does not judge (a 100-word text repeats a phrase "a lot" after two uses).
"""

import re
from collections.abc import Callable
from functools import cached_property
from typing import NamedTuple

import numpy as np


class TextFeatures:
    """The parts of a text the rules look at, each computed on first use and then shared."""

    def __init__(self, text: str, language: str = ""):
        self.text = text
        self.language = language

    @cached_property
    def words(self) -> list[str]:
        return self.text.split()

    @cached_property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    @cached_property
    def lower_text(self) -> str:
        return self.text.lower()

    @cached_property
    def lower_words(self) -> list[str]:
        return self.lower_text.split()

    @cached_property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.text) if p.strip()]

    @cached_property
    def line_repeats(self) -> tuple[float, float]:
        """duplicate_fractions of the lines: two of Gopher's rules and the webtext preset's read it."""
        return duplicate_fractions(self.lines)

    @cached_property
    def paragraph_repeats(self) -> tuple[float, float]:
        return duplicate_fractions(self.paragraphs)

    @cached_property
    def word_ids_and_lengths(self) -> tuple[np.ndarray, np.ndarray]:
        """The lower-cased words as ids (first seen, first numbered) and their lengths."""
        words = _WORD.findall(self.lower_text)
        vocabulary: dict[str, int] = {}
        ids = [vocabulary.setdefault(w, len(vocabulary)) for w in words]
        return np.array(ids, dtype=np.uint64), np.fromiter(map(len, words), dtype=np.int64, count=len(words))


class Rule(NamedTuple):
    reason: str  # the drop's reason code, after "quality_"
    score: Callable[[TextFeatures], float]
    limit: float
    drops_below: bool = False  # True: a score under the limit drops (less is worse); else one over it
    applies_from: int = 0  # words; shorter documents are not judged by this rule
    english_only: bool = False
    why: str = ""

    def applies(self, features: TextFeatures) -> bool:
        return (len(features.words) >= self.applies_from
                and (not self.english_only or features.language == "en"))

    def breaks(self, score: float) -> bool:
        return score < self.limit if self.drops_below else score > self.limit

    def drops(self, features: TextFeatures) -> bool:
        """Whether this rule, on its own, drops the text."""
        return self.applies(features) and self.breaks(self.score(features))


def first_broken(rules, features: TextFeatures) -> str | None:
    """The reason of the first rule the text breaks, in the rules' order."""
    for rule in rules:
        if rule.drops(features):
            return rule.reason
    return None


def scores(rules, features: TextFeatures) -> list[float | None]:
    """Each rule's score, in the rules' order (None where a rule does not apply): what the report
    shows for a kept document. A list, not a dict by reason: Gopher's presets have two rules for
    one reason (two limits, or two measures of repeated lines)."""
    return [float(rule.score(features)) if rule.applies(features) else None for rule in rules]


_WORD = re.compile(r"\w+", re.UNICODE)


def duplicate_fractions(parts: list[str]) -> tuple[float, float]:
    """Share of parts that repeat an earlier one, and share of characters in them."""
    seen, duplicates, duplicate_chars = set(), 0, 0
    for part in parts:
        if part in seen:
            duplicates += 1
            duplicate_chars += len(part)
        seen.add(part)
    total_chars = sum(len(p) for p in parts) or 1
    return duplicates / max(1, len(parts)), duplicate_chars / total_chars
