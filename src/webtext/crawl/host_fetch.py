"""Fetching hosts without Beam, the fetch stage's one driver: `fetch_host`, one host's links in order, and
`HostFetcher`, which fetches many hosts at once for the units engine's fetch units and for the Beam
stage's DoFn (`FetchPages`) alike.

A host's links are fetched by one thread, in order, by `fetch_host` (robots.txt, delays, the host
budget, the WARC writer); a HostFetcher fetches up to `fetch_threads` hosts at once.
Outcomes come back as they arrive, through a bounded queue: a thread waits while the queue is full,
so a host with thousands of pages never has them all in memory.

What a host is for politeness is `host_key`, and a thread's share of it `host_slice`, in either engine:
a run in units puts every link of a host key in one unit, so that one thread of one worker fetches it
for the whole run; Beam groups the links by host slice, one thread a key.
"""

import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from webtext.crawl.archives import ArchiveClient
from webtext.crawl.charset import decode_html
from webtext.crawl.fetch import FetchFailure, content_type_of, make_session, unexpected
from webtext.crawl.modes import ARCHIVE_MODES, FALLBACK_MODES, LiveHost, fetch_link
from webtext.crawl.replay import STAGE
from webtext.crawl.settings import FetchSettings
from webtext.crawl.warc_out import WarcBundleWriter
from webtext.guard import guarded
from webtext.hashing import bucket
from webtext.records import Drop, FetchResult, Link
from webtext.urls import host_of


def fetch_host(session, links: list[Link], config: FetchSettings, warc: WarcBundleWriter,
               archive: ArchiveClient | None = None, sleep=time.sleep, clock=time.monotonic):
    """Fetch one host's links in order, live or from an archive as `config.mode` says; yield outcomes.

    Live requests read robots.txt once and wait a delay between them (LiveHost); archive
    requests wait for the archive's own rate limit (ArchiveClient).
    """
    live = LiveHost(session, config, detect_dead=config.mode in FALLBACK_MODES, sleep=sleep)
    budget_end, over_budget = clock() + config.host_budget_s, False
    for link in sorted(links, key=lambda link: link.url):
        # A host that would hold its thread past the budget (a long Crawl-delay times many links, or a
        # slow server) gives up its remaining links at once, each a drop, instead of stalling the run.
        wait = live.next_wait(link.fetch_url) if config.mode != "archive" else 0.0
        if over_budget or clock() + wait > budget_end:
            over_budget = True
            yield Drop(STAGE, "host_budget", link.url, f"the host's {config.host_budget_s:g} s were spent")
            continue
        try:
            fetched = fetch_link(link, config.mode, live.fetch, archive.fetch if archive else None)
        except Exception as error:  # one server's answer must never end the run: a counted drop
            failure = error if isinstance(error, FetchFailure) else unexpected(error)
            yield Drop(STAGE, failure.reason, link.url, failure.detail)
            continue
        # Our own output: an I/O failure here fails the bundle (which a Beam runner retries) or the unit
        # (the run stops; its rerun takes up the rest); never a drop.
        record_id, warc_date = warc.add(fetched)
        yield guarded(STAGE, lambda page: _decoded(link, page, record_id, warc_date), fetched,
                      members=lambda _: [link.url])[0]


def _decoded(link: Link, fetched, record_id: str, warc_date: str) -> FetchResult:
    """A fetched page (already in the WARC file), decoded."""
    content_type = content_type_of(fetched.headers)
    html, encoding = decode_html(fetched.body, content_type)
    return FetchResult(link, fetched.status, fetched.url, content_type, encoding, html, f"live:{record_id}",
                       warc_date, fetched.source, fetched.archive_url)


_DONE = object()  # a host's thread has no more outcomes


def host_key(url: str) -> str:
    """What politeness counts as one host: the host name of the link's canonical URL."""
    return host_of(url)


def host_slice(link: Link, slices: int) -> tuple[str, int]:
    """The key one thread fetches: (host, slice), `slices` (--host_parallelism) per host."""
    return host_key(link.url), bucket(link.url, slices)


class _Failed:
    """What a host's thread raised (our own output failed, e.g. the WARC file): re-raised by the caller."""

    def __init__(self, error: BaseException):
        self.error = error


class _Round:
    """One round of hosts (a unit's, a bundle's): its WARC writer, and the queue its threads hand on to."""

    def __init__(self, warc: WarcBundleWriter, outcomes: queue.Queue):
        self.warc, self.outcomes, self.called_off = warc, outcomes, threading.Event()

    def hand_on(self, item) -> bool:
        """Put `item` in the queue, waiting while it is full; False once the round is called off."""
        while not self.called_off.is_set():
            try:
                self.outcomes.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False


class HostFetcher:
    """Links -> outcomes (FetchResult or Drop) in the order they arrive; one thread per host slice, at most
    --fetch_threads at once. Both engines fetch with it: a unit's links at once (`start`), or the Beam
    DoFn's host slices one by one as they come (`add_host`), each with a tag (its window) that comes back
    with its outcomes. Pages go to WARC files of a round, from `begin` to `end` (a unit, a Beam bundle)."""

    def __init__(self, config: FetchSettings, warc_dir: str | None = None, undated_as_of: int | None = None):
        self._config = config
        self._session = make_session(
            config.user_agent, config.allow_origins, pool_size=config.fetch_threads * 2, proxy=config.proxy
        )
        self._archive = (ArchiveClient(self._session, config, undated_as_of=undated_as_of)
                         if config.mode in ARCHIVE_MODES else None)
        self._pool = ThreadPoolExecutor(config.fetch_threads, thread_name_prefix="fetch")
        self._round: _Round | None = None
        self._running = 0  # hosts of this round whose thread has not said it is done
        self.hosts_started = 0  # host slices given a thread in this round
        if warc_dir is not None:
            self.begin(warc_dir)

    def begin(self, warc_dir: str) -> None:
        """A new round of hosts, its pages to WARC files in `warc_dir`. A round left unfinished (a Beam
        bundle that failed part-way, to be retried whole) is called off: its threads stop at their next
        page, and nothing more of theirs is handed on."""
        if self._round is not None:
            self._round.called_off.set()
        self._round = _Round(WarcBundleWriter(warc_dir, self._config.warc_pages_per_file),
                             queue.Queue(maxsize=4 * self._config.fetch_threads))
        self._running = self.hosts_started = 0

    def end(self) -> None:
        """The round's WARC files whole (once every host is done: `hosts_running` 0)."""
        if self._round is not None:
            self._round.warc.close()
            self._round = None

    @property
    def hosts_running(self) -> int:
        return self._running

    @property
    def busy(self) -> bool:
        """Every fetch thread has a host: another would wait for one."""
        return self._running >= self._config.fetch_threads

    def start(self, links: list[Link]) -> None:
        """Begin fetching `links`: a thread per host slice, the biggest first (they take longest)."""
        groups: dict[tuple, list[Link]] = {}
        for link in links:
            groups.setdefault(host_slice(link, self._config.host_parallelism), []).append(link)
        for key in sorted(groups, key=lambda key: (-len(groups[key]), key)):
            self.add_host(groups[key])

    def add_host(self, links: list[Link], tag=None) -> None:
        """Fetch one host slice's links in a thread of its own; its outcomes come back with `tag`."""
        self._running += 1
        self.hosts_started += 1
        self._pool.submit(self._fetch, links, tag, self._round)

    def _fetch(self, links: list[Link], tag, round_: "_Round") -> None:
        try:
            for outcome in fetch_host(self._session, links, self._config, round_.warc, self._archive):
                if not round_.hand_on((outcome, tag)):
                    return
        except BaseException as error:  # noqa: BLE001 (handed to the caller's thread, which raises it)
            round_.hand_on((_Failed(error), tag))
        finally:
            round_.hand_on((_DONE, tag))

    def take(self, most: int, wait: bool) -> list[tuple[FetchResult | Drop, object]]:
        """Up to `most` (outcome, tag) pairs of what has arrived. `wait`: with nothing there yet, wait for
        an outcome or for a host to finish (then the list may be empty), unless no host is running."""
        taken = []
        while self._running and len(taken) < most:
            try:
                outcome, tag = self._round.outcomes.get(block=wait and not taken)
            except queue.Empty:
                break
            if outcome is _DONE:
                self._running -= 1
                if wait and not taken:
                    break  # a thread is free: the caller may give it a host
            elif isinstance(outcome, _Failed):
                raise outcome.error
            else:
                taken.append((outcome, tag))
        return taken

    def next_batch(self, most: int) -> list[FetchResult | Drop] | None:
        """Up to `most` outcomes: waits for the first, then takes only what has already arrived (the
        caller extracts them while the rest come). None once every host is done."""
        while self._running:
            if taken := self.take(most, wait=True):
                return [outcome for outcome, _ in taken]
        return None

    def batches(self, most: int) -> Iterator[list[FetchResult | Drop]]:
        while (batch := self.next_batch(most)) is not None:
            yield batch

    def close(self) -> None:
        """Every page fetched is in a whole WARC file once this returns (the threads are done by then)."""
        if self._round is not None and self._running:
            self._round.called_off.set()  # given up part-way: its threads stop at their next page
        self._pool.shutdown(wait=True)
        self.end()
        self._session.close()
