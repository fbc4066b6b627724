"""praw as a source: fresh links from listings, and re-scoring known submissions by id.

The API lists at most ~1000 items per listing, so it serves fresh links and
score refreshes, not history (that is what the dumps are for). Credentials come
from praw's own places — `praw_client_id`/`praw_client_secret`/`praw_user_agent`
in the environment, or praw.ini — and never pass through webtext's config, logs
or outputs. Rate limits (429 + Retry-After) and 5xx answers are retried with
capped exponential backoff and jitter.
"""

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

from webtext.records import Submission
from webtext.settings import ConfigError

logger = logging.getLogger(__name__)
INFO_BATCH = 100  # /api/info takes at most 100 fullnames a call
SORTS = ("hot", "new", "top", "controversial", "rising")


class RedditCredentialsError(RuntimeError):
    """praw has no credentials; the message says what to set."""


class Listing(NamedTuple):
    subreddit: str
    sort: str = "top"
    time_filter: str = "all"
    limit: int = 1000

    @classmethod
    def parse(cls, spec: str) -> "Listing":
        """"subreddit[:sort[:time_filter[:limit]]]", e.g. "science:top:year:500"."""
        fields = spec.split(":")
        if not fields[0] or len(fields) > 4:
            raise ConfigError(f"listing {spec!r}: expected subreddit[:sort[:time_filter[:limit]]]")
        if len(fields) == 4 and not fields[3].isdigit():
            raise ConfigError(f"listing {spec!r}: the limit must be a number")
        listing = cls(fields[0], *(fields[1:3]), *([int(fields[3])] if len(fields) == 4 else []))
        if listing.sort not in SORTS:
            raise ConfigError(f"listing {spec!r}: sort must be one of {SORTS}")
        return listing


def connect(user_agent: str, api_url: str = "", **overrides):
    """A read-only praw.Reddit. `api_url` replaces Reddit's endpoints (a proxy, or the tests' loopback fake:
    praw takes endpoints only from code or praw.ini, never from the environment); `overrides` are praw
    settings."""
    import praw
    from praw.exceptions import MissingRequiredAttributeException

    if api_url:
        overrides = {"oauth_url": api_url, "reddit_url": api_url, "short_url": api_url, **overrides}
    try:
        reddit = praw.Reddit(user_agent=user_agent, check_for_updates=False, **overrides)
    except MissingRequiredAttributeException as error:
        raise RedditCredentialsError(
            "Reddit API credentials are missing: set praw_client_id and praw_client_secret in the "
            "environment (or a praw.ini site), see https://www.reddit.com/prefs/apps") from error
    reddit.read_only = True
    return reddit


def with_retries(call: Callable, attempts: int = 6, base_s: float = 1.0, cap_s: float = 60.0):
    """Run `call()`, retrying 429 (after Retry-After), 5xx and connection errors with backoff and jitter."""
    from prawcore.exceptions import RequestException, ServerError, TooManyRequests

    for attempt in range(attempts):
        try:
            return call()
        except TooManyRequests as error:
            wait = float(error.retry_after or base_s * 2**attempt)
            retryable = error
        except (ServerError, RequestException) as error:
            wait = base_s * 2**attempt * (1 + random.random() / 2)
            retryable = error
        if attempt == attempts - 1:
            raise retryable
        logger.info("Reddit API: %s; retrying in %.1f s", type(retryable).__name__, min(wait, cap_s))
        time.sleep(min(wait, cap_s))
    raise AssertionError("unreachable")


def _as_submission(item, source: str) -> Submission:
    return Submission(
        id=item.id, url=item.url, score=int(item.score), created_utc=int(item.created_utc),
        subreddit=str(item.subreddit), is_self=bool(item.is_self), over_18=bool(item.over_18), source=source,
        removed=getattr(item, "removed_by_category", None) is not None or item.author is None,
    )


def listing_submissions(reddit, listing: Listing) -> Iterator[Submission]:
    """Every submission of one listing, page by page (praw pages by 100)."""
    subreddit = reddit.subreddit(listing.subreddit)
    method = getattr(subreddit, listing.sort)
    kwargs = {"time_filter": listing.time_filter} if listing.sort in ("top", "controversial") else {}
    source = f"praw:{listing.subreddit}:{listing.sort}:{listing.time_filter}"
    items = with_retries(lambda: list(method(limit=listing.limit, **kwargs)))
    for item in items:
        yield _as_submission(item, source)


def current_scores(reddit, submission_ids: list[str]) -> dict[str, int]:
    """Today's score of each submission id the API still knows, 100 ids a call."""
    scores = {}
    for start in range(0, len(submission_ids), INFO_BATCH):
        names = [f"t3_{i}" for i in submission_ids[start:start + INFO_BATCH]]
        for item in with_retries(lambda: list(reddit.info(fullnames=names))):
            scores[item.id] = int(item.score)
    return scores
