"""The filter presets: which junk rules run after the Wikipedia, length and language filters.

- `webtext` (the default): what GPT-2's WebText did, plus only rules measured to drop almost no
  real article (junk.py): a page must be prose, not a menu, a consent or sign-in screen, or spam.
- `gopher`: those, then Gopher's quality and repetition rules (quality.py) with the paper's
  thresholds. They were made for unfiltered Common Crawl and drop some real articles (5 of the 69
  in ../shared/data/articles_en; bench/bench_filters.py), for users who want them anyway.
- `none`: no junk rules at all.
"""

from webtext.filters.junk import WEBTEXT_RULES
from webtext.filters.quality import quality_rules, repetition_rules


def _without_repeats(rules) -> tuple:
    """The rules in order, a rule already listed (same reason, score and limit) once."""
    seen, kept = set(), []
    for rule in rules:
        key = (rule.reason, rule.limit, rule.drops_below, rule.score.__qualname__)
        if key not in seen:
            seen.add(key)
            kept.append(rule)
    return tuple(kept)


PRESETS = {
    "webtext": WEBTEXT_RULES,
    "gopher": _without_repeats(WEBTEXT_RULES + quality_rules() + repetition_rules()),
    "none": (),
}
