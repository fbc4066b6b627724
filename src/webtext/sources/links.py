"""WebText's link rules: which submissions count, and which links enter the corpus.

Per submission: a link post (not a self post), with an http(s) URL that is not
Reddit itself or a media file, created before the cut-off (Dec 2017).
Per canonical URL: the highest score among its counted submissions (or, with
`karma_policy="sum"`, OpenWebText2's total) is at least `min_karma` (3), and
the page is not Wikipedia or a configured mirror of it. NSFW and removed
submissions are kept by default, as WebText did not filter them; both are
policy flags.
"""

from collections.abc import Iterable

from webtext.guard import guarded
from webtext.reasons import LINKS, SELECT
from webtext.records import Drop, Link, Submission
from webtext.sources.settings import LinkRules
from webtext.urls import canonical_url, fetchable_url, host_matches, is_media, is_reddit, is_wikipedia

SELECT_STAGE, LINKS_STAGE = SELECT, LINKS


def from_url_list(submission: Submission) -> bool:
    return submission.source.startswith("urls:")


def select_submission(sub: Submission, config: LinkRules) -> tuple[str, Submission] | Drop:
    """(canonical URL, submission) for a submission whose link counts, else a Drop."""
    if sub.is_self:
        return Drop(SELECT_STAGE, "self_post", sub.id)
    listed = from_url_list(sub)
    if not listed and config.cutoff_utc is not None and sub.created_utc >= config.cutoff_utc:
        return Drop(SELECT_STAGE, "after_cutoff", sub.id, str(sub.created_utc))
    if config.drop_nsfw and sub.over_18:
        return Drop(SELECT_STAGE, "nsfw", sub.id)
    if config.drop_removed and sub.removed:
        return Drop(SELECT_STAGE, "removed", sub.id)
    canonical = canonical_url(sub.url or "")
    if canonical is None:
        return Drop(SELECT_STAGE, "not_http_url", sub.id, (sub.url or "")[:200])
    if config.blocklist and host_matches(canonical, config.blocklist):
        return Drop(SELECT_STAGE, "blocklisted", sub.id, canonical)
    if is_reddit(canonical):
        return Drop(SELECT_STAGE, "reddit_link", sub.id, canonical)
    if is_media(canonical):
        return Drop(SELECT_STAGE, "media_link", sub.id, canonical)
    return canonical, sub


def _latest_snapshots(subs: Iterable[Submission]) -> list[Submission]:
    """One snapshot per submission id (dumps can hold several); the highest score wins."""
    best: dict[str, Submission] = {}
    for sub in subs:
        kept = best.get(sub.id)
        if kept is None or (sub.score, sub.source) > (kept.score, kept.source):
            best[sub.id] = sub
    return sorted(best.values(), key=lambda s: (s.created_utc, s.id))


def build_link(canonical: str, subs: Iterable[Submission], config: LinkRules) -> Link | Drop:
    """Merge every counted submission of one canonical URL; apply karma and Wikipedia rules."""
    subs = _latest_snapshots(subs)
    scores = [s.score for s in subs]
    karma = sum(scores) if config.karma_policy == "sum" else max(scores)
    if is_wikipedia(canonical, config.wikipedia_mirrors):
        return Drop(LINKS_STAGE, "wikipedia", canonical)
    if karma < config.min_karma and not any(from_url_list(s) for s in subs):
        return Drop(LINKS_STAGE, "low_karma", canonical, f"max score {karma}")
    first = subs[0]
    by_id = sorted(subs, key=lambda s: s.id)
    return Link(
        url=canonical,
        fetch_url=fetchable_url(first.url or canonical),
        karma=karma,
        submission_ids=tuple(s.id for s in by_id),
        scores=tuple(s.score for s in by_id),
        subreddits=tuple(sorted({s.subreddit for s in subs if s.subreddit})),
        first_seen_utc=first.created_utc,
    )


def selected(sub: Submission, rules: LinkRules) -> tuple[str, Submission] | Drop:
    """`select_submission`'s outcome, an exception in it being the select stage's error drop: what both
    engines call for each submission."""
    return guarded(SELECT_STAGE, lambda s: select_submission(s, rules), sub)[0]


def linked(canonical: str, subs: Iterable[Submission], rules: LinkRules) -> Link | Drop:
    """`build_link`'s outcome for one URL's submissions, an exception being the links stage's error drop
    (named by the URL): what both engines call for each URL."""
    return guarded(LINKS_STAGE, lambda item: build_link(item[0], item[1], rules), (canonical, subs))[0]
