"""Canonical URLs merge one page's spellings and nothing else."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.provisional import urls

from webtext.urls import canonical_url, fetchable_url, is_media, is_reddit, is_wikipedia

PAGE = "https://example.com/news/story"


@pytest.mark.parametrize("spelling", [
    "https://example.com/news/story",
    "http://example.com/news/story",
    "https://www.example.com/news/story",
    "https://EXAMPLE.com/news/story",
    "https://example.com:443/news/story",
    "http://example.com:80/news/story",
    "https://example.com/news/story/",
    "https://example.com/news/story#comments",
    "https://example.com/news/story?utm_source=reddit&utm_medium=social",
    "https://example.com/news/story?utm_source=reddit&amp;utm_medium=social",
    "  HTTP://WWW.Example.COM:80/news/story/?utm_campaign=x#top ",
])
def test_spellings_of_one_page_share_a_key(spelling):
    assert canonical_url(spelling) == canonical_url(PAGE)


@pytest.mark.parametrize("other", [
    "https://example.com/news/other",
    "https://example.org/news/story",
    "https://example.com:8080/news/story",
    "https://example.com/news/story?id=2",
    "https://blog.example.com/news/story",
])
def test_different_pages_keep_different_keys(other):
    assert canonical_url(other) != canonical_url(PAGE)


@pytest.mark.parametrize(
    "bad", ["", "ftp://example.com/x", "mailto:a@b.c", "http:///nohost", "javascript:alert(1)", "not a url"]
)
def test_non_http_urls_have_no_key(bad):
    assert canonical_url(bad) is None


@given(urls())
def test_canonical_url_is_idempotent(url):
    once = canonical_url(url)
    if once is not None:
        assert canonical_url(once) == once


@given(st.text(max_size=80))
def test_canonical_url_never_raises(text):
    canonical_url(text)
    canonical_url("https://example.com/" + text)


@pytest.mark.parametrize("submitted, fetched", [
    ("http://www.example.com/a/?utm_source=x&amp;id=3#c", "http://www.example.com/a/?utm_source=x&id=3"),
    ("https://news.example.kr/news_view.html?idx=8723&page=1&bc=&mc=&find=&sch_date=",
     "https://news.example.kr/news_view.html?idx=8723&page=1&bc=&mc=&find=&sch_date="),  # empty values kept
    # host case only
    ("https://Example.COM:8443/Path/Case?Q=1#frag", "https://example.com:8443/Path/Case?Q=1"),
    ("https://user:secret@example.com/x", "https://example.com/x"),  # credentials are never sent
    ("https://example.com", "https://example.com/"),
])
def test_the_url_fetched_is_the_url_submitted(submitted, fetched):
    """The canonical URL is for identity and dedup; the request goes to the URL as submitted, less its
    fragment, its HTML escaping and its host's case."""
    assert fetchable_url(submitted) == fetched
    assert canonical_url(submitted) == canonical_url(fetched)


@pytest.mark.parametrize("url, wikipedia", [
    ("https://en.wikipedia.org/wiki/Sun", True), ("https://en.m.wikipedia.org/wiki/Sun", True),
    ("http://zh.wikipedia.org/wiki/X", True), ("https://en.wikipedia.org.example.net/wiki/Sun", False),
    ("https://www.wikihow.com/Make-Bread", False), ("https://en.wikibooks.org/wiki/Python", False),
    ("https://upload.wikimedia.org/x.png", False),
])
def test_wikipedia(url, wikipedia):
    assert is_wikipedia(url) is wikipedia


def test_media_and_reddit_links():
    assert is_media("https://i.redd.it/abc.jpg") and is_media("https://imgur.com/gallery/x")
    assert is_media("https://example.com/report.PDF") and not is_media("https://example.com/report")
    assert is_reddit("https://www.reddit.com/r/x/comments/1/") and not is_reddit("https://i.redd.it/a.png")


def test_shared_truth_spellings_match_their_warc_url(shared_data):
    """Every submitted spelling of a WARC page has the WARC URL's key (self posts excepted: their URL is
    Reddit's)."""
    checked = 0
    for line in (shared_data / "submissions_truth.jsonl").read_text().splitlines():
        label = json.loads(line)
        if label.get("canonical_url") and label.get("url") and not is_reddit(label["url"]):
            assert canonical_url(label["url"]) == canonical_url(label["canonical_url"]), label["url"]
            checked += 1
    assert checked > 150
