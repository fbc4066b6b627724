"""WebText's link rules, per submission and per canonical URL."""

import json

from webtext.records import Drop, Link, Submission
from webtext.sources.dumps import iter_lines
from webtext.sources.links import build_link, select_submission
from webtext.sources.settings import WEBTEXT_CUTOFF_UTC, LinkRules
from webtext.sources.submissions import parse_submission
from webtext.urls import canonical_url

CONFIG = LinkRules()


def sub(id="a", url="https://example.com/a", score=5, created=1400000000, **kw) -> Submission:
    fields = dict(subreddit="news", is_self=False, over_18=False, source="f:1", removed=False)
    fields.update(kw)
    return Submission(id, url, score, created, fields["subreddit"], fields["is_self"], fields["over_18"],
                      fields["source"], fields["removed"])


def test_cutoff_is_exact_at_the_boundary():
    assert not isinstance(select_submission(sub(created=WEBTEXT_CUTOFF_UTC - 1), CONFIG), Drop)
    assert select_submission(sub(created=WEBTEXT_CUTOFF_UTC), CONFIG).reason == "after_cutoff"
    no_cutoff = LinkRules(cutoff_utc=None)
    assert not isinstance(select_submission(sub(created=WEBTEXT_CUTOFF_UTC + 99), no_cutoff), Drop)


def test_submission_drops_have_reasons():
    assert select_submission(sub(is_self=True), CONFIG).reason == "self_post"
    assert select_submission(sub(url="ftp://x.org/f"), CONFIG).reason == "not_http_url"
    assert select_submission(sub(url="https://i.redd.it/x.jpg"), CONFIG).reason == "media_link"
    assert (
        select_submission(sub(url="https://www.reddit.com/r/a/comments/b/"), CONFIG).reason == "reddit_link"
    )
    nsfw = LinkRules(drop_nsfw=True)
    assert select_submission(sub(over_18=True), nsfw).reason == "nsfw"
    # flagged, not decided, by default
    assert not isinstance(select_submission(sub(over_18=True), CONFIG), Drop)


def test_karma_is_the_highest_score_and_needs_three():
    key = "https://example.com/a"
    assert build_link(key, [sub("a", score=2), sub("b", score=1)], CONFIG).reason == "low_karma"
    link = build_link(
        key, [sub("b", score=2, created=20), sub("a", score=3, created=10, subreddit="x")], CONFIG
    )
    assert isinstance(link, Link)
    assert (link.karma, link.submission_ids, link.subreddits, link.first_seen_utc) == (
        3,
        ("a", "b"),
        ("news", "x"),
        10,
    )


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
    pages = [
        json.loads(line) for line in (shared_data / "submissions_pages_truth.jsonl").read_text().splitlines()
    ]
    for page in pages:
        assert (canonical_url(page["canonical_url"]) in kept) == page["expected_in_corpus_webtext_rule"], page
    assert sum(p["expected_in_corpus_webtext_rule"] for p in pages) == 78


def test_sum_policy_adds_scores_like_openwebtext2():
    summed = LinkRules(karma_policy="sum")
    subs = [sub("a", score=2), sub("b", score=1)]
    assert build_link("https://example.com/a", subs, summed).karma == 3
    assert build_link("https://example.com/a", subs, CONFIG).reason == "low_karma"


def test_links_keep_scores_aligned_with_submission_ids():
    link = build_link("https://example.com/a", [sub("b", score=9), sub("a", score=4)], CONFIG)
    assert (link.submission_ids, link.scores) == (("a", "b"), (4, 9))


def test_removed_is_a_policy_flag():
    removed = sub(removed=True)
    assert not isinstance(select_submission(removed, CONFIG), Drop)
    strict = LinkRules(drop_removed=True)
    assert select_submission(removed, strict).reason == "removed"


def test_blocklist_and_wikipedia_mirrors():
    config = LinkRules(blocklist=("spam.example",), wikipedia_mirrors=("wikiwand.com",))
    assert select_submission(sub(url="https://news.spam.example/a"), config).reason == "blocklisted"
    assert not isinstance(select_submission(sub(url="https://notspam.example/a"), config), Drop)
    assert build_link("https://wikiwand.com/en/Sun", [sub(score=50)], config).reason == "wikipedia"


def _shared_lines(shared_data):
    truth = [json.loads(line) for line in (shared_data / "submissions_truth.jsonl").read_text().splitlines()]
    lines = [raw for _, raw in iter_lines(str(shared_data / "submissions.zst"))]
    return list(zip(truth, lines))


def test_shared_lines_meet_their_cutoff_and_wikipedia_labels(shared_data):
    checked_cutoff = checked_wiki = 0
    for label, raw in _shared_lines(shared_data):
        parsed = parse_submission(raw, f"s:{label['line']}")
        if not isinstance(parsed, Submission) or parsed.is_self:
            continue
        selected = select_submission(parsed, CONFIG)
        if label.get("after_cutoff") is not None:
            assert (getattr(selected, "reason", None) == "after_cutoff") == label["after_cutoff"], label
            checked_cutoff += 1
        if label.get("kind") == "wikipedia_or_lookalike" and not isinstance(selected, Drop):
            link = build_link(selected[0], [selected[1]], CONFIG)
            assert (getattr(link, "reason", None) == "wikipedia") == label["is_wikipedia"], label
            checked_wiki += 1
    assert checked_cutoff > 500 and checked_wiki >= 5


def test_self_posts_that_mention_a_page_are_not_links(shared_data):
    for label, raw in _shared_lines(shared_data):
        if label.get("kind") == "self_post_mentioning_page":
            assert select_submission(parse_submission(raw, "s"), CONFIG).reason == "self_post"
