"""The fetch modes: which of the live web and the archives answers a link, and in what order.

live               today's page
archive            an archived copy only (the origin is never contacted)
live-then-archive  the archive when the live page is gone: DNS, 4xx, 5xx/timeouts after
                   retries, a parked domain or a soft 404
archive-then-live  the live page when no archived copy works
"""

import time

from webtext.config import CorpusConfig
from webtext.crawl.deadpage import dead_page_reason
from webtext.crawl.fetch import Fetched, FetchFailure, fetch_configured, robots_for
from webtext.records import Link

FALLBACK_MODES = ("live-then-archive", "archive-then-live")
ARCHIVE_MODES = ("archive", *FALLBACK_MODES)
# Live failures that mean "the linked page is gone": worth asking an archive. Not robots (the site
# said no), ssrf, content_type or too_large (the page is there, just not one we take).
GONE = frozenset({"dns", "connection_error", "timeout", "tls", "http_4xx", "http_5xx", "http_429", "redirect_loop",
                  "parked", "soft_404"})


class LiveHost:
    """One host's live fetches, in order: robots.txt read when first needed, a delay between requests.

    With `detect_dead`, a 200 that looks parked or like a soft 404 fails as such, so the
    caller can try an archive instead.
    """

    def __init__(self, session, config: CorpusConfig, detect_dead: bool = False, sleep=time.sleep):
        self._session, self._config, self._detect_dead, self._sleep = session, config, detect_dead, sleep
        self._robots = None
        self._robots_read = False
        self._unreachable: FetchFailure | None = None  # robots.txt found the host gone
        self._delay = config.delay_s
        self._requests = 0

    def _allowed(self, link: Link) -> bool:
        if not self._robots_read:
            self._robots_read = True
            try:
                self._robots = robots_for(self._session, link.fetch_url, timeout_s=self._config.timeout_s)
            except FetchFailure as failure:
                self._unreachable = failure
            if self._robots is not None:  # robots.txt's Crawl-delay, when it asks for more than ours
                self._delay = max(self._delay, self._robots.crawl_delay(self._config.user_agent) or 0)
        if self._unreachable is not None:
            raise FetchFailure(self._unreachable.reason, self._unreachable.detail)
        return self._robots is None or self._robots.can_fetch(link.fetch_url, self._config.user_agent)

    def fetch(self, link: Link) -> Fetched:
        config = self._config
        if not self._allowed(link):
            raise FetchFailure("robots")
        if self._requests and self._delay:
            self._sleep(self._delay)
        self._requests += 1
        fetched = fetch_configured(self._session, link.fetch_url, config, sleep=self._sleep)
        if self._detect_dead and (reason := dead_page_reason(link.fetch_url, fetched.url, fetched.body)):
            raise FetchFailure(reason, fetched.url[:200])
        return fetched


def fetch_link(link: Link, mode: str, live, archive) -> Fetched:
    """The link's page by `mode`; `live` and `archive` are callables Link -> Fetched raising FetchFailure.

    When both sources fail, the drop reason is the last one asked (in live-then-archive that is
    the archive's: `no_capture` counts the dead links no archive could bring back); the first
    source's reason is kept in the detail.
    """
    if mode == "live":
        return live(link)
    if mode == "archive":
        return archive(link)
    first, second = (live, archive) if mode == "live-then-archive" else (archive, live)
    try:
        return first(link)
    except FetchFailure as failure:
        if first is live and failure.reason not in GONE:
            raise
        earlier = failure
    try:
        return second(link)
    except FetchFailure as failure:
        which = "live" if first is live else "archive"
        raise FetchFailure(failure.reason, f"{failure.detail}; {which}: {earlier.reason} {earlier.detail}"[:300],
                           failure.retry_after_s) from failure
