"""Seeded English prose and page boilerplate for the sample. No third-party text is copied in."""

import random

SUBJECTS = [
    "The city council", "A small team of engineers", "Local farmers", "The new report", "Researchers at the university",
    "Most of the residents", "The project manager", "Several independent studies", "The museum's curator",
    "A group of volunteers", "The regional government", "Our reporter", "The company's founder", "Many teachers",
    "The river authority", "A retired pilot", "The school board", "Economists", "The hospital staff", "Two students",
]
VERBS = [
    "announced", "questioned", "described", "measured", "rebuilt", "published", "reviewed", "defended",
    "explained", "tested", "compared", "planned", "criticised", "documented", "improved", "expanded",
]
OBJECTS = [
    "the plan for a new bridge", "the results of the water survey", "a cheaper way to store solar power",
    "the history of the old harbour", "the budget for next year", "a map of every cycling route",
    "the effects of the long dry summer", "the rules for public markets", "a design for quieter trains",
    "the records of the nineteenth century mill", "an archive of local newspapers", "the cost of rural broadband",
    "a programme that teaches adults to code", "the migration of birds along the coast", "the school lunch menu",
    "the recovery of the forest after the fire", "a proposal to reopen the railway line", "the price of housing",
]
ADVERBIALS = [
    "after months of careful work", "in a meeting on Tuesday evening", "with surprising patience",
    "despite strong objections", "for the first time in a decade", "before the winter arrived",
    "in front of a large audience", "without much public attention", "as part of a wider effort",
    "according to people familiar with the matter", "during a long interview", "with help from the community",
]
CONNECTIVES = ["However,", "Meanwhile,", "In addition,", "As a result,", "Later,", "Even so,", "For now,", "Still,"]

NAV = ["Home", "News", "Sport", "Culture", "Science", "Opinion", "About us", "Contact", "Subscribe"]
COOKIE = "We use cookies to improve your experience. By continuing to browse you accept our cookie policy. Accept all"
FOOTER = "Copyright 2016 {site}. All rights reserved. Privacy policy | Terms of use | Advertise with us"
COMMENTERS = ["river_fan", "oldtimer42", "quiet_reader", "mapmaker", "nightowl"]
COMMENT_LINES = ["Great article, thanks for sharing!", "I disagree with most of this.", "Does anyone have a source?",
                 "This happened in my town too.", "First!"]

# A single-page app: all of its text arrives later through JavaScript, so there is nothing to extract.
SCRIPT_SHELL = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Loading</title></head>'
                '<body><div id="app"></div><script src="/static/app.js"></script></body></html>')

GERMAN = ("Der Stadtrat hat am Dienstag einen neuen Plan für die Brücke vorgestellt. Die Bewohner der Altstadt "
          "waren zunächst skeptisch, doch nach einer langen Diskussion stimmten die meisten zu. Die Kosten sollen "
          "im nächsten Jahr geprüft werden, und die Bauarbeiten beginnen frühestens im Herbst. ")


def sentence(rng: random.Random) -> str:
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(ADVERBIALS)}."
    return f"{rng.choice(CONNECTIVES)} {text[0].lower()}{text[1:]}" if rng.random() < 0.25 else text


def article(rng: random.Random, paragraphs: int) -> list[str]:
    """Paragraphs of 4-7 sentences each."""
    return [" ".join(sentence(rng) for _ in range(rng.randint(4, 7))) for _ in range(paragraphs)]


def page_html(title: str, site: str, paragraphs: list[str], rng: random.Random, lang: str = "en") -> str:
    """A page with realistic boilerplate around the article: nav, cookie banner, comments, footer."""
    nav = "".join(f'<li><a href="/{item.lower().replace(" ", "-")}">{item}</a></li>' for item in NAV)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    comments = "".join(
        f'<div class="comment"><span class="author">{rng.choice(COMMENTERS)}</span><p>{rng.choice(COMMENT_LINES)}</p></div>'
        for _ in range(rng.randint(1, 3)))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | {site}</title></head>'
            f'<body><header><a class="logo" href="/">{site}</a><nav><ul>{nav}</ul></nav></header>'
            f'<div class="cookie-banner" id="cookies"><p>{COOKIE}</p><button>OK</button></div>'
            f'<main><article><h1>{title}</h1><p class="byline">By Staff Writer</p>{body}</article>'
            f'<section id="comments" class="comments"><h2>Comments</h2>{comments}</section></main>'
            f'<footer><p>{FOOTER.format(site=site)}</p></footer></body></html>')


def edit_words(paragraphs: list[str], rng: random.Random, edits: int) -> list[str]:
    """A near-duplicate, as a syndicated copy is: the same article with `edits` words changed."""
    out = [p.split() for p in paragraphs]
    for _ in range(edits):
        words = rng.choice(out)
        words[rng.randrange(len(words))] = rng.choice(["often", "quickly", "new", "local", "small", "many"])
    return [" ".join(words) for words in out]
