"""The fetch stage as Beam transforms: `ReplayPages` (from WARC) and `FetchPages` (live and/or
from web archives, as the fetch mode says; resumable)."""

import time
from collections import deque
from typing import NamedTuple
from concurrent.futures import ThreadPoolExecutor

import apache_beam as beam

from webtext.config import CorpusConfig
from webtext.crawl.charset import decode_html
from webtext.crawl.archives import ArchiveClient
from webtext.crawl.fetch import FetchFailure, content_type_of, make_session, unexpected
from webtext.crawl.modes import ARCHIVE_MODES, FALLBACK_MODES, LiveHost, fetch_link
from webtext.crawl.replay import STAGE, DamagedWarcError, match_replay, read_warc, resolve_redirects
from webtext.crawl.warc_out import WarcBundleWriter
from webtext.guard import guarded
from webtext.hashing import bucket
from webtext.records import DamagedInput, Drop, FetchResult, Link
from webtext.stagekit import DROPS, classify, route, windowed
from webtext.urls import canonical_url, host_of

MISSING = "missing"


DAMAGED = "damaged"


class _ReadWarcFile(beam.DoFn):
    """A WARC path -> its responses; a file that is damaged gives what it held, then a DamagedInput."""

    def process(self, path: str):
        try:
            yield from read_warc(path)
        except DamagedWarcError as damaged:
            yield beam.pvalue.TaggedOutput(DAMAGED, DamagedInput(path, damaged.offset, damaged.error,
                                                                 damaged.records))


class Replayed(NamedTuple):
    results: object  # PCollection[FetchResult]
    drops: object  # PCollection[Drop]
    missing: object  # PCollection[Link] the WARC files lack (with missing_output), else None
    damaged: object  # PCollection[DamagedInput]: WARC files that could not be read to their end


class ReplayPages(beam.PTransform):
    """Links -> Replayed (fetch results, drops, ...), answered from the WARC files at `warc_paths`.

    With `missing_output`, links the archive lacks come out as `missing` instead of
    `not_archived` drops: a live run first takes what its own WARC files already hold.
    """

    def __init__(self, warc_paths: list[str], missing_output: bool = False):
        super().__init__()
        self._warc_paths = warc_paths
        self._missing_output = missing_output

    def expand(self, links):
        read = (links.pipeline
                | "WarcFiles" >> beam.Create(self._warc_paths)
                | "ReadWarc" >> beam.ParDo(_ReadWarcFile()).with_outputs(DAMAGED, main="records"))
        records = read.records
        redirects = beam.pvalue.AsDict(
            records | "Redirects" >> beam.FlatMap(
                lambda r: [(canonical_url(r.target_uri), canonical_url(r.location))] if r.location else []))
        responses = records | "KeyResponses" >> beam.FlatMap(
            lambda r: [(k, r) for k in [canonical_url(r.target_uri)] if k and not r.location])
        keyed_links = links | "KeyLinks" >> beam.Map(
            lambda link, hops: (resolve_redirects(link.url, hops), link), redirects)
        joined = {"links": keyed_links, "responses": responses} | "Join" >> beam.CoGroupByKey()
        results, drops = classify(joined, "Match", STAGE,
                                  lambda kv: match_replay(kv[1]["links"], kv[1]["responses"]), many=True,
                                  members=lambda kv: [link.url for link in kv[1]["links"]])
        if not self._missing_output:
            return Replayed(results, drops, None, read[DAMAGED])
        split = drops | "Missing" >> beam.Partition(lambda d, _: int(d.reason == "not_archived"), 2)
        missing = ({"missing": split[1] | beam.Map(lambda d: (d.item, None)), "links": links | "ByURL" >> beam.Map(
            lambda link: (link.url, link))} | "JoinMissing" >> beam.CoGroupByKey()
            | "MissingLinks" >> beam.FlatMap(lambda kv: list(kv[1]["links"]) if list(kv[1]["missing"]) else []))
        return Replayed(results, split[0], missing, read[DAMAGED])


def fetch_host(session, links: list[Link], config: CorpusConfig, warc: WarcBundleWriter,
               archive: ArchiveClient | None = None, sleep=time.sleep):
    """Fetch one host's links in order, live or from an archive as `config.fetch` says; yield outcomes.

    Live requests read robots.txt once and wait a delay between them (LiveHost); archive
    requests wait for the archive's own rate limit (ArchiveClient).
    """
    live = LiveHost(session, config, detect_dead=config.fetch in FALLBACK_MODES, sleep=sleep)
    for link in sorted(links, key=lambda link: link.url):
        try:
            fetched = fetch_link(link, config.fetch, live.fetch, archive.fetch if archive else None)
        except FetchFailure as failure:
            yield Drop(STAGE, failure.reason, link.url, failure.detail)
            continue
        except Exception as error:  # one server's answer must never end the run: a counted drop
            failure = unexpected(error)
            yield Drop(STAGE, failure.reason, link.url, failure.detail)
            continue
        # Our own output: an I/O failure here fails the bundle, which a runner retries; not a drop.
        record_id, warc_date = warc.add(fetched)
        yield guarded(STAGE, lambda page: _decoded(link, page, record_id, warc_date), fetched,
                      members=lambda _: [link.url])[0]


def _decoded(link: Link, fetched, record_id: str, warc_date: str) -> FetchResult:
    """A fetched page (already in the WARC file), decoded."""
    content_type = content_type_of(fetched.headers)
    html, encoding = decode_html(fetched.body, content_type)
    return FetchResult(link, fetched.status, fetched.url, content_type, encoding, html, f"live:{record_id}",
                       warc_date, fetched.source, fetched.archive_url)


class _FetchHosts(beam.DoFn):
    """Fetches many hosts at once, one thread per host key: up to `fetch_threads` requests in flight
    per worker, at most one at a time per host key (so per host: at most `host_parallelism`).
    Each host's outcomes are handed on as soon as that host is done."""

    def __init__(self, config: CorpusConfig, warc_dir: str):
        self._config = config
        self._warc_dir = warc_dir

    def setup(self):
        self._session = make_session(self._config.user_agent, self._config.allow_loopback,
                                     pool_size=self._config.fetch_threads * 2)
        self._pool = ThreadPoolExecutor(self._config.fetch_threads)
        self._archive = ArchiveClient(self._session, self._config) if self._config.fetch in ARCHIVE_MODES else None

    def start_bundle(self):
        self._warc = WarcBundleWriter(self._warc_dir, self._config.warc_pages_per_file)
        self._in_flight = deque()  # (future, window, timestamp), oldest first

    def _fetch(self, links: list[Link]) -> list:
        return list(fetch_host(self._session, links, self._config, self._warc, self._archive))

    def process(self, host_links, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        while len(self._in_flight) >= self._config.fetch_threads:  # the pool is full: wait for the oldest
            yield from self._outcomes(self._in_flight.popleft()[0])
        self._in_flight.append((self._pool.submit(self._fetch, list(host_links[1])), window, timestamp))
        while self._in_flight and self._in_flight[0][0].done():
            yield from self._outcomes(self._in_flight.popleft()[0])

    def _outcomes(self, future):
        for outcome in future.result():
            yield route(STAGE, outcome)

    def finish_bundle(self):
        while self._in_flight:
            future, window, timestamp = self._in_flight.popleft()
            yield from windowed(self._outcomes(future), window, timestamp)
        self._warc.close()

    def teardown(self):
        self._pool.shutdown(wait=True)
        self._session.close()


class FetchPages(beam.PTransform):
    """Links -> (fetch results, drops), fetched live or from archives (crawl/modes.py); every kept
    response also goes to a WARC file.

    Links reach the fetchers keyed by (host, slice): one key is fetched by one thread, so a host
    sees at most `host_parallelism` connections, while a host with millions of URLs is split
    over that many keys instead of pinning the run to one worker.
    """

    def __init__(self, config: CorpusConfig, warc_dir: str):
        super().__init__()
        self._config = config
        self._warc_dir = warc_dir

    def expand(self, links):
        slices = self._config.host_parallelism
        results = (links
                   | "ByHost" >> beam.Map(lambda link: ((host_of(link.fetch_url), bucket(link.url, slices)), link))
                   | "GroupHost" >> beam.GroupByKey()
                   | "Fetch" >> beam.ParDo(_FetchHosts(self._config, self._warc_dir)).with_outputs(DROPS, main="kept"))
        return results.kept, results[DROPS]
