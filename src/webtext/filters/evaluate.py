"""How often filters drop a set of extracted texts: whole presets, and each rule on its own.

bench/bench_filters.py prints these for real articles and for the junk set side by side, and
the tests hold the default preset to its targets with them. A text is (url, extracted text);
an empty extraction counts as dropped before the filters (`extract_empty`), as in a run.
"""

from collections import Counter

from webtext.filters.rules import filter_documents
from webtext.filters.scored import TextFeatures
from webtext.filters.settings import FilterSettings
from webtext.records import Document, Drop


def as_document(url: str, text: str) -> Document:
    return Document("0" * 16, url, url, "", "", text, 3, (), (), 0, "")


def preset_outcomes(texts: list[tuple[str, str]], preset: str, **settings) -> list[str]:
    """Each text's fate under the preset: "kept", or the reason it was dropped."""
    config = FilterSettings(preset=preset, **settings)
    filtered = iter(filter_documents([as_document(u, t.strip()) for u, t in texts if t.strip()], config))
    fates = []
    for _, text in texts:
        outcome = next(filtered) if text.strip() else Drop("extract", "extract_empty", "")
        fates.append(outcome.reason if isinstance(outcome, Drop) else "kept")
    return fates


def rule_drops(texts: list[tuple[str, str]], rules, language: str = "en") -> Counter:
    """For each rule, how many of the texts it would drop on its own (whatever the other rules say)."""
    dropped = Counter()
    for _, text in texts:
        features = TextFeatures(text.strip(), language)
        for rule in rules:
            if rule.drops(features):
                dropped[rule.reason] += 1
    return dropped


def first_words(text: str, n: int) -> str:
    """The text's first `n` words, its line breaks kept: a short document made from a long one."""
    lines, left = [], n
    for line in text.splitlines():
        words = line.split()[:left]
        if words:
            lines.append(" ".join(words))
            left -= len(words)
        if left <= 0:
            break
    return "\n".join(lines)
