"""Rules for pages that are not prose: what WebText's "heuristic based cleaning" has to catch.

Reddit's karma already vouches for a page being worth reading; these rules only catch what
the extractor hands on from pages that carry no article: menus, index pages and link lists
(`short_lines`), cookie, login and error screens (`boilerplate`), bot comments and other
generated text (`repeated_lines`) and keyword spam (`keyword_stuffing`, `stop_words`). Each
limit was set on bench/bench_filters.py's measurement: the scores of 69 real English articles
(the development data's set), whole and cut to their first 64, 100 and 200 words (so short
documents are judged fairly), against the scores of the project's junk set
(webtext.sample.junk). The numbers are in bench/README.md and beside each rule below.
"""

import re
from collections import Counter

from webtext.filters.quality import STOP_WORDS_RULE
from webtext.filters.scored import Rule, TextFeatures

# A line of prose: 10 words or more, or 80 characters (scripts written without spaces).
PARAGRAPH_WORDS, PARAGRAPH_CHARS = 10, 80


def paragraph_word_share(f: TextFeatures) -> float:
    """Share of the words that stand in lines long enough to be prose. A menu, an index of
    headlines, a link list or a form is all short lines; an article is mostly paragraphs
    (at least 0.59 of its words on every article measured, code-heavy ones included)."""
    in_paragraphs = total = 0
    for line in f.lines:
        n = len(line.split())
        total += n
        if n >= PARAGRAPH_WORDS or len(line) >= PARAGRAPH_CHARS:
            in_paragraphs += n
    return in_paragraphs / total if total else 0.0


# What a screen that stands in front of an article says: consent dialogs, sign-in and paywall
# forms, error pages, "enable JavaScript" notices, parked domains. Phrases, not topic words: an
# article about privacy or passwords says "cookies", "consent" and "password" often, but seldom
# "accept all", "manage preferences" or "forgot your password".
SCREEN_PHRASES = re.compile(
    "|".join(
        (
            # consent dialogs
            r"\bwe use cookies\b",
            r"\buse of cookies\b",
            r"\bcookie (policy|settings|preferences)\b",
            r"\baccept (all|cookies)\b",
            r"\breject all\b",
            r"\bmanage (your )?(preferences|settings|choices|cookies)\b",
            r"\bour (\d+ )?partners\b",
            r"\blegitimate (business )?interest\b",
            r"\bpersonal data\b",
            r"\bprivacy (policy|centre|center|settings)\b",
            r"\byour (consent|choices|preferences)\b",
            # sign-in forms and paywalls
            r"\bsign (in|up)\b",
            r"\blog ?in\b",
            r"\bforgot (your )?password\b",
            r"\bremember me\b",
            r"\bcreate (an|one|your) account\b",
            r"\bhave an account\b",
            r"\balready a subscriber\b",
            r"\bsubscribe now\b",
            r"\bcontinue (reading|with)\b",
            r"\bemail address\b",
            # error pages, script shells, parked domains, page furniture
            r"\bpage not found\b",
            r"\b404\b",
            r"\bcould not be found\b",
            r"\bgo to the homepage\b",
            r"\benable javascript\b",
            r"\brequires javascript\b",
            r"\bjavascript (is )?(required|disabled)\b",
            r"\bupdate your browser\b",
            r"\bbrowser is out of date\b",
            r"\bdomain (may be |is )?for sale\b",
            r"\bbuy this domain\b",
            r"\bmake an offer\b",
            r"\bour newsletter\b",
            r"\bunsubscribe at any time\b",
            r"\ball rights reserved\b",
        )
    )
)  # matched against the lower-cased text: 4x faster than re.IGNORECASE


def screen_phrases_per_100_words(f: TextFeatures) -> float:
    """How densely the text speaks of cookies, accounts, errors and browsers. A consent dialog
    or a sign-in form says one such phrase every few words; an article, even one about privacy,
    seldom more than one in a hundred."""
    return 100 * len(SCREEN_PHRASES.findall(f.lower_text)) / max(1, len(f.words))


# The commonest English function words: they carry no topic, so spam that repeats its
# keywords is seen by its content words alone.
FUNCTION_WORDS = frozenset(
    """a about after again against all also am an and any are as at be because been before
being between both but by can could did do does doing down during each even few for from further had has have
having
he her here hers herself him himself his how i if in into is it its itself just like may me might more most
must my
myself no nor not now of off on once one only or other our ours ourselves out over own same she should so some
such
than that the their theirs them themselves then there these they this those through to too under until up upon
us
very was we were what when where which while who whom why will with would you your yours yourself""".split()
)


PUNCTUATION = ".,;:!?\"'()[]{}<>\u201c\u201d\u2018\u2019\u2014\u2013-\u2026*/#|"


def top_content_words_share(f: TextFeatures, top: int = 3) -> float:
    """Share of the words that are the text's three commonest content words. Keyword spam
    ("best running shoes madison, cheap running shoes online, ...") puts a third of its words
    on its keywords; a whole article at most about a tenth."""
    if not f.lower_words:
        return 0.0
    # Counted as whitespace splits them (in C), then punctuation is stripped from the distinct
    # words only: "shoes," and "shoes" are one keyword.
    counts: Counter = Counter()
    for word, n in Counter(f.lower_words).items():
        word = word.strip(PUNCTUATION)
        if len(word) > 1 and word.isalpha() and word not in FUNCTION_WORDS:
            counts[word] += n
    return sum(n for _, n in counts.most_common(top)) / len(f.lower_words)


def repeated_line_chars(f: TextFeatures) -> float:
    """Share of the characters in lines that repeat an earlier line (Gopher's measure): a generated
    page that says the same thing over and over. Articles repeat short lines ("Advertisement",
    "Enlarge"), which is why Gopher's count of such lines drops real ones; their characters stay
    under 0.15 of an article's on every article measured."""
    return f.line_repeats[1]


# Each limit's calibration (bench/bench_filters.py): the worst score among the 69 real articles at
# their first 64 / 100 / 200 words / whole, then the junk set's closest score that the limit drops.
WEBTEXT_RULES = (
    STOP_WORDS_RULE,  # Gopher's: articles 2 / 3 / 4 / 6 distinct stop words
    # articles 0.17 / 0.36 / 0.45 / 0.59; junk 0.14 and below (navigation and link lists 0)
    Rule("short_lines", paragraph_word_share, 0.15, drops_below=True,
         why="menus, index pages, link lists and forms: under 15% of the words in lines of prose"),
    # articles 0 / 0 / 0.5 / 0.45 per 100 words; junk 8.7 and above (consent and sign-in screens)
    Rule("boilerplate", screen_phrases_per_100_words, 3.0,
         why="cookie, sign-in, paywall, error, JavaScript and parked-domain screens"),
    # articles 0.15 / 0.09 / 0.05 / 0.14; bot-comment guestbooks 0.66 and above
    Rule("repeated_lines", repeated_line_chars, 0.4,
         why="generated pages: two fifths of the text in lines said before"),
    # articles 0.22 / 0.18 / 0.18 / 0.09 (a changelog of "Added ..." lines, an SEO how-to); not
    # judged under 100 words, where three words reach a quarter of the text after a few uses each;
    # keyword spam 0.28 and above
    Rule("keyword_stuffing", top_content_words_share, 0.25, applies_from=100, english_only=True,
         why="machine-made keyword spam: a quarter of the words on three keywords"),
)
