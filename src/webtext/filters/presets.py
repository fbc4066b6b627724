"""The filter presets: which junk rules run after the Wikipedia, length and language filters.

- `webtext` (the default): what GPT-2's WebText did, plus only rules measured to drop almost no
  real article (junk.py): a page must be prose, not a menu, a consent or sign-in screen, or spam.
- `gopher`: those, then Gopher's quality and repetition rules (quality.py) with the paper's
  thresholds. They were made for unfiltered Common Crawl and drop some real articles
  (bench/bench_filters.py; bench/README.md), for users who want them anyway.
- `none`: no junk rules at all.
"""

from webtext.filters.junk import WEBTEXT_RULES
from webtext.filters.quality import quality_rules, repetition_rules

PRESETS = {
    "webtext": WEBTEXT_RULES,
    # Equal rules once (dict keys keep the first): Gopher's stop-word rule is also webtext's.
    "gopher": tuple(dict.fromkeys(WEBTEXT_RULES + quality_rules() + repetition_rules())),
    "none": (),
}


def kept_scores(config: dict):
    """(rules, score) for a corpus's recorded config: the junk rules it ran and a function giving a
    kept document's score under each of them (what the report plots against each limit). A config
    from before presets records a boolean: Gopher's rules were on unless it was false."""
    from webtext.filters.scored import TextFeatures, scores

    recorded = config.get("filters")
    if isinstance(recorded, dict):  # the settings section
        preset = recorded["preset"]
    else:  # a flat config: its preset's name, or (before presets) whether Gopher's rules were on
        preset = recorded or ("gopher" if config.get("quality_filters", True) else "none")
    rules = PRESETS.get(preset, ())
    return rules, lambda text, language: scores(rules, TextFeatures(text, language))
