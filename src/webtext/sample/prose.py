"""Seeded English prose and page boilerplate for the sample. No third-party text is copied in."""

import random

# Sentences are built word by word from slots, so that no phrase of five words
# repeats often enough to look like boilerplate to Gopher's repetition rules.
ADJECTIVES = [
    "new",
    "old",
    "local",
    "small",
    "large",
    "quiet",
    "busy",
    "public",
    "private",
    "rural",
    "coastal",
    "northern",
    "careful",
    "recent",
    "early",
    "late",
    "modest",
    "ambitious",
    "annual",
    "regional",
    "independent",
    "historic",
    "cheaper",
    "faster",
    "wider",
    "rare",
    "common",
    "seasonal",
    "official",
]
NOUNS = [
    "council",
    "harbour",
    "bridge",
    "school",
    "market",
    "railway",
    "river",
    "museum",
    "library",
    "farm",
    "hospital",
    "survey",
    "budget",
    "report",
    "archive",
    "festival",
    "garden",
    "forest",
    "factory",
    "station",
    "committee",
    "newspaper",
    "programme",
    "village",
    "network",
    "road",
    "clinic",
    "theatre",
    "orchard",
    "mill",
]
PEOPLE = ["engineers", "farmers", "teachers", "residents", "researchers", "volunteers", "students", "nurses",
          "economists", "officials", "historians", "drivers", "gardeners", "builders", "reporters", "pilots"]
VERBS = ["announced", "questioned", "described", "measured", "rebuilt", "published", "reviewed", "defended",
         "explained", "tested", "compared", "planned", "criticised", "documented", "improved", "expanded",
         "repaired", "opened", "closed", "funded", "studied", "mapped", "restored", "visited"]
PREPOSITIONS = [
    "near",
    "behind",
    "beside",
    "across",
    "beyond",
    "around",
    "inside",
    "along",
    "outside",
    "under",
]
ADVERBS = ["slowly", "quietly", "carefully", "openly", "briefly", "eagerly", "gradually", "firmly", "rarely",
           "happily", "patiently", "suddenly", "finally", "largely", "mostly", "again"]
TIMES = ["on Monday", "last spring", "in March", "this week", "after the storm", "before the election",
         "during the summer", "in the autumn", "at dawn", "by the weekend", "over the winter", "in 2015"]
CONNECTIVES = [
    "However,",
    "Meanwhile,",
    "In addition,",
    "As a result,",
    "Later,",
    "Even so,",
    "For now,",
    "Still,",
]
NAV = ["Home", "News", "Sport", "Culture", "Science", "Opinion", "About us", "Contact", "Subscribe"]
COOKIE = (
    "We use cookies to improve your experience. By continuing to browse you accept our cookie policy. "
    "Accept all"
)
FOOTER = "Copyright 2016 {site}. All rights reserved. Privacy policy | Terms of use | Advertise with us"
COMMENTERS = ["river_fan", "oldtimer42", "quiet_reader", "mapmaker", "nightowl"]
COMMENT_LINES = [
    "Great article, thanks for sharing!",
    "I disagree with most of this.",
    "Does anyone have a source?",
    "This happened in my town too.",
    "First!",
]

# A single-page app: all of its text arrives later through JavaScript, so there is nothing to extract.
SCRIPT_SHELL = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Loading</title></head>'
                '<body><div id="app"></div><script src="/static/app.js"></script></body></html>')

GERMAN = (
    "Der Stadtrat hat am Dienstag einen neuen Plan für die Brücke vorgestellt. Die Bewohner der Altstadt "
    "waren zunächst skeptisch, doch nach einer langen Diskussion stimmten die meisten zu. Die Kosten sollen "
    "im nächsten Jahr geprüft werden, und die Bauarbeiten beginnen frühestens im Herbst. "
)


def _phrase(rng: random.Random) -> str:
    return f"the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def sentence(rng: random.Random) -> str:
    shapes = [
        lambda: f"{_phrase(rng)} {rng.choice(VERBS)} {_phrase(rng)} {rng.choice(PREPOSITIONS)} "
                f"{_phrase(rng)}",
        lambda: f"{rng.choice(PEOPLE)} {rng.choice(ADVERBS)} {rng.choice(VERBS)} {_phrase(rng)} "
                f"{rng.choice(TIMES)}",
        lambda: f"{_phrase(rng)} of the {rng.choice(NOUNS)} was {rng.choice(VERBS)} by {rng.choice(PEOPLE)}",
        lambda: f"{rng.choice(TIMES)} {rng.choice(PEOPLE)} said that {_phrase(rng)} had {rng.choice(VERBS)} "
        f"{_phrase(rng)} with {rng.choice(PEOPLE)}",
        lambda: f"{_phrase(rng)} and {_phrase(rng)} have been {rng.choice(VERBS)} {rng.choice(ADVERBS)}",
    ]
    text = rng.choice(shapes)()
    text = text[0].upper() + text[1:] + "."
    return f"{rng.choice(CONNECTIVES)} {text[0].lower()}{text[1:]}" if rng.random() < 0.2 else text


def article(rng: random.Random, paragraphs: int) -> list[str]:
    """Paragraphs of 4-7 sentences each."""
    return [" ".join(sentence(rng) for _ in range(rng.randint(4, 7))) for _ in range(paragraphs)]


def page_html(title: str, site: str, paragraphs: list[str], rng: random.Random, lang: str = "en") -> str:
    """A page with realistic boilerplate around the article: nav, cookie banner, comments, footer."""
    nav = "".join(f'<li><a href="/{item.lower().replace(" ", "-")}">{item}</a></li>' for item in NAV)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    comments = "".join(
        '<div class="comment"><span '
        f'class="author">{rng.choice(COMMENTERS)}</span><p>{rng.choice(COMMENT_LINES)}</p></div>'
        for _ in range(rng.randint(1, 3))
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | '
        f'{site}</title></head>'
        f'<body><header><a class="logo" href="/">{site}</a><nav><ul>{nav}</ul></nav></header>'
        f'<div class="cookie-banner" id="cookies"><p>{COOKIE}</p><button>OK</button></div>'
        f'<main><article><h1>{title}</h1><p class="byline">By Staff Writer</p>{body}</article>'
        f'<section id="comments" class="comments"><h2>Comments</h2>{comments}</section></main>'
        f"<footer><p>{FOOTER.format(site=site)}</p></footer></body></html>"
    )


def edit_words(paragraphs: list[str], rng: random.Random, edits: int) -> list[str]:
    """A near-duplicate, as a syndicated copy is: the same article with `edits` words changed."""
    out = [p.split() for p in paragraphs]
    for _ in range(edits):
        words = rng.choice(out)
        words[rng.randrange(len(words))] = rng.choice(["often", "quickly", "new", "local", "small", "many"])
    return [" ".join(words) for words in out]
