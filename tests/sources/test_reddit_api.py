"""praw against a loopback fake Reddit API: listings, paging, re-scoring, 429 and 5xx."""

import time

import pytest
from prawcore.exceptions import ServerError

from helpers.fake_reddit import fake_reddit, t3
from webtext.sources.reddit_api import (
    Listing,
    RedditCredentialsError,
    connect,
    current_scores,
    listing_submissions,
    with_retries,
)

LISTING = [t3(f"p{i:03d}", score=i, url=f"https://example.com/{i}") for i in range(250)]


def reddit_at(base: str):
    return connect(
        "webtext-tests/0.1",
        client_id="id",
        client_secret="secret",
        oauth_url=base,
        reddit_url=base,
        short_url=base,
    )


def test_listing_is_paged_to_the_end():
    with fake_reddit(listing=LISTING) as (base, fake):
        subs = list(listing_submissions(reddit_at(base), Listing("news", "top", "all", 1000)))
    assert [s.id for s in subs] == [f"p{i:03d}" for i in range(250)]
    assert (
        subs[3].score == 3
        and subs[3].url == "https://example.com/3"
        and subs[3].source == "praw:news:top:all"
    )
    assert sum(path.startswith("/r/news/top") for path in fake.requests) == 3  # 100 + 100 + 50


def test_rescoring_asks_100_ids_a_call_and_survives_429():
    ids = [f"p{i:03d}" for i in range(150)]
    scores = {i: 1000 + n for n, i in enumerate(ids[:140])}  # 10 ids the API no longer knows
    with fake_reddit(scores=scores, fail_first={"/api/info": (429, 1)}) as (base, fake):
        started = time.monotonic()
        refreshed = current_scores(reddit_at(base), ids)
        waited = time.monotonic() - started
    assert refreshed == scores
    assert fake.requests.count("/api/info") == 3  # one 429, then two batches
    assert waited >= 1.0  # Retry-After: 1 was honoured


def test_5xx_is_retried_then_succeeds():
    with fake_reddit(listing=LISTING[:5], fail_first={"/r/news/hot": (503, 1)}) as (base, _):
        subs = list(listing_submissions(reddit_at(base), Listing("news", "hot")))
    assert len(subs) == 5


def test_retries_give_up_after_their_budget():
    calls = []

    def always_failing():
        calls.append(1)
        raise ServerError(type("R", (), {"status_code": 503})())

    with pytest.raises(ServerError):
        with_retries(always_failing, attempts=3, base_s=0.01)
    assert len(calls) == 3


def test_missing_credentials_say_what_to_set(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no praw.ini here
    for name in ("praw_client_id", "praw_client_secret"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RedditCredentialsError, match="praw_client_id"):
        connect("webtext-tests/0.1")


@pytest.mark.parametrize("spec, listing", [
    ("science", Listing("science", "top", "all", 1000)),
    ("science:new", Listing("science", "new", "all", 1000)),
    ("science:top:year:50", Listing("science", "top", "year", 50)),
])
def test_listing_specs(spec, listing):
    assert Listing.parse(spec) == listing


def test_bad_listing_spec_is_a_clear_error():
    with pytest.raises(ValueError, match="sort must be one of"):
        Listing.parse("science:best")
