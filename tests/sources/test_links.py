"""WebText's link rules, per submission and per canonical URL."""

import json

from webtext.config import WEBTEXT_CUTOFF_UTC, CorpusConfig
from webtext.records import Drop, Link, Submission
from webtext.sources.dumps import iter_lines
from webtext.sources.links import build_link, select_submission
from webtext.sources.submissions import parse_submission
from webtext.urls import canonical_url

CONFIG = CorpusConfig(inputs=("x",), warc=("y",))


def sub(id="a", url="https://example.com/a", score=5, created=1400000000, **kw) -> Submission:
    fields = dict(subreddit="news", is_self=False, over_18=False, source="f:1")
    fields.update(kw)
    return Submission(id, url, score, created, fields["subreddit"], fields["is_self"], fields["over_18"],
                      fields["source"])


def test_cutoff_is_exact_at_the_boundary():
    assert not isinstance(select_submission(sub(created=WEBTEXT_CUTOFF_UTC - 1), CONFIG), Drop)
    assert select_submission(sub(created=WEBTEXT_CUTOFF_UTC), CONFIG).reason == "after_cutoff"
    no_cutoff = CorpusConfig(inputs=("x",), warc=("y",), cutoff_utc=None)
    assert not isinstance(select_submission(sub(created=WEBTEXT_CUTOFF_UTC + 99), no_cutoff), Drop)


def test_submission_drops_have_reasons():
    assert select_submission(sub(is_self=True), CONFIG).reason == "self_post"
    assert select_submission(sub(url="ftp://x.org/f"), CONFIG).reason == "not_http_url"
    assert select_submission(sub(url="https://i.redd.it/x.jpg"), CONFIG).reason == "media_link"
    assert select_submission(sub(url="https://www.reddit.com/r/a/comments/b/"), CONFIG).reason == "reddit_link"
    nsfw = CorpusConfig(inputs=("x",), warc=("y",), drop_nsfw=True)
    assert select_submission(sub(over_18=True), nsfw).reason == "nsfw"
    assert not isinstance(select_submission(sub(over_18=True), CONFIG), Drop)  # flagged, not decided, by default


def test_karma_is_the_highest_score_and_needs_three():
    key = "https://example.com/a"
    assert build_link(key, [sub("a", score=2), sub("b", score=1)], CONFIG).reason == "low_karma"
    link = build_link(key, [sub("b", score=2, created=20), sub("a", score=3, created=10, subreddit="x")], CONFIG)
    assert isinstance(link, Link)
    assert (link.karma, link.submission_ids, link.subreddits, link.first_seen_utc) == (3, ("a", "b"), ("news", "x"), 10)


def test_two_snapshots_of_one_submission_count_once_with_the_higher_score():
    link = build_link("https://example.com/a", [sub("a", score=1), sub("a", score=7, source="f:9")], CONFIG)
    assert link.karma == 7 and link.submission_ids == ("a",)


def test_wikipedia_links_are_dropped_whatever_their_karma():
    assert build_link("https://en.wikipedia.org/wiki/X", [sub(score=900)], CONFIG).reason == "wikipedia"


def test_url_lists_are_exempt_from_karma():
    listed = sub("url:l:1", score=0, created=0, source="urls:l:1")
    assert isinstance(build_link("https://example.com/a", [listed], CONFIG), Link)


def test_shared_pages_follow_the_webtext_rule(shared_data):
    """The links we keep are exactly the pages the truth file expects in a WebText corpus."""
    groups: dict[str, list] = {}
    for number, raw in iter_lines(str(shared_data / "submissions.zst")):
        parsed = parse_submission(raw, f"s:{number}")
        if isinstance(parsed, Submission):
            selected = select_submission(parsed, CONFIG)
            if not isinstance(selected, Drop):
                groups.setdefault(selected[0], []).append(selected[1])
    kept = {key for key, subs in groups.items() if isinstance(build_link(key, subs, CONFIG), Link)}
    pages = [json.loads(line) for line in (shared_data / "submissions_pages_truth.jsonl").read_text().splitlines()]
    for page in pages:
        assert (canonical_url(page["canonical_url"]) in kept) == page["expected_in_corpus_webtext_rule"], page
    assert sum(p["expected_in_corpus_webtext_rule"] for p in pages) == 78
