"""The fetch modes: which of the live web and the archives answers a link, and in what order.

live               today's page
archive            an archived copy only (the origin is never contacted)
live-then-archive  the archive when the live page is gone: DNS, 4xx, 5xx/timeouts after
                   retries, a parked domain or a soft 404
archive-then-live  the live page when no archived copy works
"""

import time

from protego import Protego

from webtext.crawl.deadpage import dead_page_reason
from webtext.crawl.fetch import Fetched, FetchFailure, fetch_configured, robots_for
from webtext.crawl.settings import FetchSettings
from webtext.records import Link
from webtext.urls import origin_of

FALLBACK_MODES = ("live-then-archive", "archive-then-live")
ARCHIVE_MODES = ("archive", *FALLBACK_MODES)
# Live failures that mean "the linked page is gone": worth asking an archive. Not robots (the site
# said no), ssrf, content_type or too_large (the page is there, just not one we take).
GONE = frozenset(
    {
        "dns",
        "connection_error",
        "timeout",
        "tls",
        "http_4xx",
        "http_5xx",
        "http_429",
        "redirect_loop",
        "parked",
        "soft_404",
    }
)


class LiveHost:
    """One host's live fetches, in order: robots.txt read when first needed, a delay between requests.

    robots.txt is scoped as RFC 9309 says, to scheme + host + port: each origin a link or a redirect
    hop reaches has its own, read once, and every hop is checked against its origin's rules (a
    redirect into a disallowed path, here or on another host, is a `robots` drop). The delay is
    the larger of ours and robots.txt's Crawl-delay for the link's origin, capped at
    `max_crawl_delay_s` (a site asking for a day between pages must not stall a worker).

    With `detect_dead`, a 200 that looks parked or like a soft 404 fails as such, so the
    caller can try an archive instead.
    """

    MAX_ORIGINS = 256  # robots.txt rules held per host group (redirects can reach many origins)

    def __init__(self, session, config: FetchSettings, detect_dead: bool = False, sleep=time.sleep):
        self._session, self._config, self._detect_dead, self._sleep = session, config, detect_dead, sleep
        self._rules: dict[str, object] = {}  # origin -> Protego, None (all allowed) or the FetchFailure
        self._requests = 0

    def _rules_for(self, url: str):
        origin = origin_of(url)
        if origin not in self._rules:
            if len(self._rules) >= self.MAX_ORIGINS:
                self._rules.clear()
            try:
                self._rules[origin] = robots_for(self._session, url, timeout_s=self._config.timeout_s)
            except FetchFailure as failure:  # the origin cannot be reached at all
                self._rules[origin] = failure
        return self._rules[origin]

    def check(self, url: str) -> None:
        """Raise FetchFailure unless `url`'s origin can be reached and its robots.txt allows it."""
        rules = self._rules_for(url)
        if isinstance(rules, FetchFailure):
            raise FetchFailure(rules.reason, rules.detail)
        if rules is not None and not rules.can_fetch(url, self._config.user_agent):
            raise FetchFailure("robots", url[:200])

    def _delay(self, rules) -> float:
        asked = rules.crawl_delay(self._config.user_agent) if isinstance(rules, Protego) else None
        return max(self._config.delay_s, min(asked or 0, self._config.max_crawl_delay_s))

    def next_wait(self, url: str) -> float:
        """How long the next live request to `url` would wait first (robots.txt not read for it here)."""
        return self._delay(self._rules.get(origin_of(url))) if self._requests else 0.0

    def fetch(self, link: Link) -> Fetched:
        config = self._config
        self.check(link.fetch_url)
        delay = self._delay(self._rules_for(link.fetch_url))
        if self._requests and delay:
            self._sleep(delay)
        self._requests += 1
        fetched = fetch_configured(
            self._session, link.fetch_url, config, sleep=self._sleep, hop_check=self.check
        )
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
        raise FetchFailure(
            failure.reason,
            f"{failure.detail}; {which}: {earlier.reason} {earlier.detail}"[:300],
            failure.retry_after_s,
        ) from failure
