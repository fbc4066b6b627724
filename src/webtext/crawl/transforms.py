"""The fetch stage as Beam transforms: `ReplayPages` (from WARC) and `FetchPages` (live)."""

import time

import apache_beam as beam
import requests

from webtext.config import CorpusConfig
from webtext.crawl.charset import decode_html
from webtext.crawl.fetch import FetchFailure, fetch_url, robots_for
from webtext.crawl.replay import STAGE, match_replay, read_warc, resolve_redirects
from webtext.crawl.warc_out import WarcBundleWriter
from webtext.records import Drop, FetchResult
from webtext.urls import canonical_url, host_of
from webtext.stagekit import DROPS, classify, route


class ReplayPages(beam.PTransform):
    """Links -> (fetch results, drops), answered from the WARC files at `warc_paths`."""

    def __init__(self, warc_paths: list[str]):
        super().__init__()
        self._warc_paths = warc_paths

    def expand(self, links):
        records = (links.pipeline
                   | "WarcFiles" >> beam.Create(self._warc_paths)
                   | "ReadWarc" >> beam.FlatMap(read_warc))
        redirects = beam.pvalue.AsDict(
            records | "Redirects" >> beam.FlatMap(
                lambda r: [(canonical_url(r.target_uri), canonical_url(r.location))] if r.location else []))
        responses = records | "KeyResponses" >> beam.FlatMap(
            lambda r: [(k, r) for k in [canonical_url(r.target_uri)] if k and not r.location])
        keyed_links = links | "KeyLinks" >> beam.Map(
            lambda link, hops: (resolve_redirects(link.url, hops), link), redirects)
        joined = {"links": keyed_links, "responses": responses} | "Join" >> beam.CoGroupByKey()
        return classify(joined, "Match", STAGE,
                        lambda kv: match_replay(kv[1]["links"], kv[1]["responses"]), many=True)


class _FetchHost(beam.DoFn):
    """Fetch one host's links in sequence, with robots.txt read once and a delay between requests."""

    def __init__(self, config: CorpusConfig, warc_dir: str):
        self._config = config
        self._warc_dir = warc_dir

    def setup(self):
        self._session = requests.Session()
        self._session.headers["User-Agent"] = self._config.user_agent

    def start_bundle(self):
        self._warc = WarcBundleWriter(self._warc_dir)

    def process(self, host_links):
        config = self._config
        _, links = host_links
        links = sorted(links, key=lambda link: link.url)
        robots = robots_for(self._session, links[0].fetch_url, timeout_s=config.timeout_s,
                            allow_loopback=config.allow_loopback)
        delay = (robots.crawl_delay(config.user_agent) if robots else None) or config.delay_s
        for index, link in enumerate(links):
            if robots is not None and not robots.can_fetch(link.fetch_url, config.user_agent):
                yield self._drop(Drop(STAGE, "robots_disallowed", link.url))
                continue
            if index:
                time.sleep(delay)
            try:
                fetched = fetch_url(self._session, link.fetch_url, timeout_s=config.timeout_s,
                                    max_bytes=config.max_body_bytes, allow_loopback=config.allow_loopback)
            except FetchFailure as failure:
                yield self._drop(Drop(STAGE, failure.reason, link.url, failure.detail))
                continue
            record_id, warc_date = self._warc.add(fetched)
            content_type = dict((k.lower(), v) for k, v in fetched.headers).get("content-type", "")
            html, encoding = decode_html(fetched.body, content_type)
            yield route(STAGE, FetchResult(link, fetched.status, fetched.url, content_type, encoding, html, f"live:{record_id}",
                              warc_date))

    def _drop(self, drop: Drop):
        return route(STAGE, drop)

    def finish_bundle(self):
        self._warc.close()

    def teardown(self):
        self._session.close()


class FetchPages(beam.PTransform):
    """Links -> (fetch results, drops), fetched live; every kept response also goes to a WARC file."""

    def __init__(self, config: CorpusConfig, warc_dir: str):
        super().__init__()
        self._config = config
        self._warc_dir = warc_dir

    def expand(self, links):
        results = (links
                   | "ByHost" >> beam.Map(lambda link: (host_of(link.fetch_url), link))
                   | "GroupHost" >> beam.GroupByKey()
                   | "Fetch" >> beam.ParDo(_FetchHost(self._config, self._warc_dir)).with_outputs(DROPS, main="kept"))
        return results.kept, results[DROPS]
