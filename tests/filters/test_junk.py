"""The default (webtext) preset: junk that is not prose is dropped with a reason, real articles are kept.

Each rule gets a text just inside and just outside its limit; the labelled junk set and, where
../shared/data is present, the 69 real English articles hold the preset to the issue's targets."""

import random
from collections import Counter

import pytest

from webtext.extract.extractor import run_trafilatura
from webtext.filters.evaluate import first_words, preset_outcomes
from webtext.filters.junk import (
    WEBTEXT_RULES,
    paragraph_word_share,
    repeated_line_chars,
    screen_phrases_per_100_words,
    top_content_words_share,
)
from webtext.filters.presets import PRESETS
from webtext.filters.scored import TextFeatures, first_broken, scores
from webtext.sample import prose
from webtext.sample.junk import KINDS, junk_pages

ARTICLE = "\n".join(prose.article(random.Random(11), 6))


def broken(text: str) -> str | None:
    return first_broken(WEBTEXT_RULES, TextFeatures(text, "en"))


def test_prose_breaks_no_rule_and_every_rule_reports_a_score():
    assert broken(ARTICLE) is None
    measured = scores(WEBTEXT_RULES, TextFeatures(ARTICLE, "en"))
    # every rule judges a 300-word article
    assert len(measured) == len(WEBTEXT_RULES) and None not in measured
    short = scores(WEBTEXT_RULES, TextFeatures(" ".join(ARTICLE.split()[:80]), "en"))
    assert [reason for reason, value in zip([r.reason for r in WEBTEXT_RULES], short) if value is None] == \
        ["keyword_stuffing"]  # judged from 100 words


def test_short_lines_limit():
    sentence = "the council and the harbour trust met to plan a new bridge today"  # 13 words: a prose line
    menu = ["Home", "News", "Sport", "About us"] * 30  # 120 words of menu lines
    inside = "\n".join([sentence] * 2 + menu[:-9])  # 26 of 137 words in prose lines: 0.19
    outside = "\n".join([sentence] + menu)  # 13 of 133: 0.098
    assert paragraph_word_share(TextFeatures(inside)) > 0.15 and broken(inside) != "short_lines"
    assert broken(outside) == "short_lines"


def test_boilerplate_limit():
    words = ARTICLE.split()
    inside = " ".join(words[:94] + ["accept", "all", "sign", "in", "remember", "me"])  # 3 per 100 words
    # 4 per 100
    outside = " ".join(words[:92] + ["accept", "all", "sign", "in", "remember", "me", "log", "in"])
    assert screen_phrases_per_100_words(TextFeatures(inside)) == 3.0 and broken(inside) is None
    assert broken(outside) == "boilerplate"


def test_an_article_about_passwords_and_cookies_is_not_boilerplate():
    """Topic words are not screen phrases: only what a consent or sign-in screen says counts."""
    article = " ".join(["Security researchers say a password should be long, and that cookies and consent "
                        "banners tell sites less than people think about privacy and tracking."] * 10)
    assert screen_phrases_per_100_words(TextFeatures(article)) == 0 and broken(article) is None


def test_repeated_lines_limit():
    lines = ARTICLE.splitlines()
    assert repeated_line_chars(TextFeatures("\n".join(lines + lines[:1]))) < 0.4
    assert broken("\n".join(lines[:1] * 3)) == "repeated_lines"


def test_keyword_stuffing_limit_and_its_minimum_length():
    spam = ", ".join(["the best running shoes and boots in madison"] * 15)  # 120 words
    assert top_content_words_share(TextFeatures(spam)) > 0.25 and broken(spam) == "keyword_stuffing"
    # 96 words: too short to judge
    assert broken(", ".join(["the best running shoes and boots in madison"] * 12)) is None
    assert top_content_words_share(TextFeatures(ARTICLE)) < 0.1


def test_rules_that_need_english_words_leave_other_languages_alone():
    spam = ", ".join(["the best running shoes and boots in madison"] * 15)
    assert first_broken(WEBTEXT_RULES, TextFeatures(spam, "de")) is None


def test_first_words_keeps_lines():
    assert first_words("a b c\nd e\n\nf g", 4) == "a b c\nd"


def test_the_junk_set_is_deterministic_and_labelled():
    pages = junk_pages(seed=3, per_kind=2)
    assert pages == junk_pages(seed=3, per_kind=2) and pages != junk_pages(seed=4, per_kind=2)
    assert Counter(kind for kind, _, _ in pages) == {kind: 2 for kind in KINDS}


def test_the_default_preset_drops_at_least_95_percent_of_the_junk_set_each_with_a_reason():
    pages = junk_pages(per_kind=6)
    fates = preset_outcomes(
        [(url, (run_trafilatura(html, url) or {}).get("text", "")) for _, url, html in pages], "webtext"
    )
    assert sum(f != "kept" for f in fates) >= 0.95 * len(pages)
    by_kind = {kind: {f for (k, _, _), f in zip(pages, fates) if k == kind} for kind in KINDS}
    # Length alone is not what catches the long junk: each of these kinds has its own rule.
    assert by_kind["navigation"] == by_kind["link_list"] == {"quality_short_lines"}
    assert "quality_boilerplate" in by_kind["cookie_wall"]
    assert by_kind["keyword_spam"] == {"quality_keyword_stuffing"}
    assert by_kind["comment_spam"] == {"quality_repeated_lines"}


@pytest.fixture(scope="module")
def articles(shared_data):
    from webtext.crawl.charset import decode_html
    from webtext.crawl.replay import read_warc

    warc = shared_data / "articles_en" / "pages.warc.gz"
    if not warc.exists():
        pytest.skip("../shared/data/articles_en is not here")
    return [(r.target_uri, (run_trafilatura(decode_html(r.body, r.content_type)[0], r.target_uri) or {})
             .get("text", "")) for r in read_warc(str(warc))]


def test_the_default_preset_keeps_real_articles_and_gopher_costs_some(articles):
    webtext = Counter(preset_outcomes(articles, "webtext"))
    assert len(articles) == 69
    assert sum(n for fate, n in webtext.items() if fate not in ("kept", "language")) <= len(articles) / 50
    gopher = Counter(preset_outcomes(articles, "gopher"))
    # why it is not the default
    assert sum(n for fate, n in gopher.items() if fate.startswith("quality_")) > 0


def test_the_default_preset_keeps_the_articles_cut_short(articles):
    """Length-sensitive rules are calibrated on short documents: each article's first 100 and
    200 words are kept too."""
    for n in (100, 200):
        cut = [(url, first_words(text, n)) for url, text in articles]
        assert Counter(preset_outcomes(cut, "webtext")).keys() <= {"kept", "language"}, n


def test_every_preset_is_named_in_the_cli_choices():
    import argparse

    from webtext.cli.corpus import add_corpus_parser

    sub = argparse.ArgumentParser().add_subparsers()
    add_corpus_parser(sub)
    [option] = [a for a in sub.choices["corpus"]._actions if "--filters" in a.option_strings]
    assert set(option.choices) == set(PRESETS) and option.default == "webtext"


def test_the_reports_scores_keep_gophers_two_measures_of_one_reason_apart():
    from webtext.filters.presets import kept_scores

    rules, score = kept_scores({"filters": {"preset": "gopher"}})
    # short lines repeated: many, but few characters
    text = "\n".join(ARTICLE.splitlines() + ["Advertisement"] * 6)
    measured = dict(enumerate(score(text, "en")))
    line_rules = [i for i, rule in enumerate(rules) if rule.reason == "duplicate_lines"]
    assert len(line_rules) == 2 and measured[line_rules[0]] > 0.3 > measured[line_rules[1]]
    assert kept_scores({"quality_filters": False})[0] == () and kept_scores({})[0] == rules  # older manifests
