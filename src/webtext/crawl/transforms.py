"""The fetch stage as Beam transforms: `ReplayPages` (from WARC) and `FetchPages` (live and/or
from web archives, as the fetch mode says; resumable)."""

from typing import NamedTuple

import apache_beam as beam

from webtext.crawl.host_fetch import HostFetcher, host_slice
from webtext.crawl.replay import NOT_ARCHIVED, STAGE, match_replay, read_warc_at, resolve_redirects
from webtext.crawl.settings import FetchSettings
from webtext.records import DamagedFileError, DamagedInput
from webtext.stagekit import DROPS, Routed, classify, route, windowed
from webtext.urls import canonical_url

MISSING = "missing"
DAMAGED = "damaged"


class _ReadWarcFile(beam.DoFn):
    """A WARC path -> its responses; each stretch of it that could not be read, and a file that ends
    damaged, a DamagedInput."""

    def __init__(self, max_body_bytes: int | None):
        self._max_body_bytes = max_body_bytes

    def process(self, path: str):
        try:
            for _, item in read_warc_at(path, self._max_body_bytes):
                yield beam.pvalue.TaggedOutput(DAMAGED, item) if isinstance(item, DamagedInput) else item
        except DamagedFileError as error:
            yield beam.pvalue.TaggedOutput(DAMAGED, error.damaged)


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

    def __init__(
        self, warc_paths: list[str], missing_output: bool = False, max_body_bytes: int | None = None
    ):
        super().__init__()
        self._warc_paths = warc_paths
        self._missing_output = missing_output
        self._max_body_bytes = max_body_bytes  # a replayed body is capped as a fetched one is

    def expand(self, links):
        read = (
            links.pipeline
            | "WarcFiles" >> beam.Create(self._warc_paths)
            | "ReadWarc"
            >> beam.ParDo(_ReadWarcFile(self._max_body_bytes)).with_outputs(DAMAGED, main="records")
        )
        records = read.records
        # Of several redirects of one URL (WARC files that disagree), the smallest record id's: the choice
        # the capture of a page gets (match_replay), and the units engine's index (warc_index.py).
        redirects = beam.pvalue.AsDict(
            records
            | "Redirects" >> beam.FlatMap(
                lambda r: [(canonical_url(r.target_uri), (r.record_id, canonical_url(r.location)))]
                if r.location else [])
            | "FirstRedirect" >> beam.CombinePerKey(min)
            | "RedirectTarget" >> beam.MapTuple(lambda key, first: (key, first[1])))
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
        split = drops | "Missing" >> beam.Partition(lambda d, _: int(d.reason == NOT_ARCHIVED), 2)
        missing = (
            {
                "missing": split[1] | beam.Map(lambda d: (d.item, None)),
                "links": links | "ByURL" >> beam.Map(lambda link: (link.url, link)),
            }
            | "JoinMissing" >> beam.CoGroupByKey()
            | "MissingLinks"
            >> beam.FlatMap(lambda kv: list(kv[1]["links"]) if list(kv[1]["missing"]) else [])
        )
        return Replayed(results, split[0], missing, read[DAMAGED])


class _FetchHosts(beam.DoFn):
    """Fetches many hosts at once with a HostFetcher (host_fetch.py, the units engine's too): one thread per
    host key, up to `fetch_threads` requests in flight per worker, at most one at a time per host key (so
    per host: at most `host_parallelism`).

    Each page is handed on as it arrives, through the fetcher's bounded queue: a host with thousands of
    links never has its pages held in memory, and fetch threads wait while the queue is full. A bundle's
    pages go to WARC files of its own, whole when the bundle ends."""

    def __init__(self, config: FetchSettings, warc_dir: str, undated_as_of: int | None = None):
        self._config = config
        self._undated_as_of = undated_as_of
        self._warc_dir = warc_dir

    def setup(self):
        self._fetcher = HostFetcher(self._config, undated_as_of=self._undated_as_of)

    def start_bundle(self):
        # A fresh round: what the threads of a failed attempt of a bundle still fetch is never handed on.
        self._fetcher.begin(self._warc_dir)

    def process(self, host_links, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        while self._fetcher.busy:  # every thread busy: hand on pages until one is free
            yield from self._routed(self._fetcher.take(_HAND_ON, wait=True))
        self._fetcher.add_host(list(host_links[1]), tag=(window, timestamp))
        yield from self._routed(self._fetcher.take(_HAND_ON, wait=False))

    def finish_bundle(self):
        while self._fetcher.hosts_running:
            yield from self._routed(self._fetcher.take(_HAND_ON, wait=True))
        self._fetcher.end()

    @staticmethod
    def _routed(taken):
        for outcome, (window, timestamp) in taken:
            yield from windowed([route(STAGE, outcome)], window, timestamp)

    def teardown(self):
        self._fetcher.close()


_HAND_ON = 64  # outcomes handed on between two looks at the fetch threads


class FetchPages(beam.PTransform):
    """Links -> Routed(fetch results, drops), fetched live or from archives (crawl/modes.py); every kept
    response also goes to a WARC file.

    Links reach the fetchers keyed by (host, slice): one key is fetched by one thread, so a host
    sees at most `host_parallelism` connections, while a host with millions of URLs is split
    over that many keys instead of pinning the run to one worker.
    """

    def __init__(self, config: FetchSettings, warc_dir: str, undated_as_of: int | None = None):
        """`undated_as_of`: the time archived copies of a link with no submission date are sought
        near (the link rules' cut-off)."""
        super().__init__()
        self._undated_as_of = undated_as_of
        self._config = config
        self._warc_dir = warc_dir

    def expand(self, links):
        slices = self._config.host_parallelism
        results = (
            links
            # keyed as the units engine keys its fetch threads
            | "ByHost" >> beam.Map(lambda link: (host_slice(link, slices), link))
            | "GroupHost" >> beam.GroupByKey()
            | "Fetch"
            >> beam.ParDo(_FetchHosts(self._config, self._warc_dir, self._undated_as_of)).with_outputs(
                DROPS, main="kept"
            )
        )
        return Routed(results.kept, results[DROPS])
