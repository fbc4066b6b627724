"""The crawler and extractor against a catalogue of hostile responses, in one run: every URL gets its
expected outcome, nothing waits past its deadlines, and memory stays bounded."""

import resource
import time

from helpers.hostile_web import CATALOGUE, hostile_web, robots_host
from helpers.peak_memory import reset_own_peak, vm_hwm_mib
from webtext.crawl.fetch import make_session
from webtext.crawl.host_fetch import fetch_host
from webtext.crawl.warc_out import WarcBundleWriter
from webtext.engines.config import CorpusConfig
from webtext.extract.extractor import extract_document
from webtext.extract.sandbox import SandboxedCall
from webtext.filters.rules import filter_document
from webtext.records import Drop, Link

CONFIG = CorpusConfig.from_flags(
    inputs=("x",),
    fetch="live",
    delay_s=0.0,
    timeout_s=2.0,
    retries=1,
    backoff_s=0.01,
    max_retry_after_s=5.0,
    max_body_bytes=2_500_000,
    extract_timeout_s=20.0,
    min_words=64,
)


def outcome_of(fetch_outcome, extract) -> str:
    if isinstance(fetch_outcome, Drop):
        return fetch_outcome.reason
    document = extract_document(fetch_outcome, extract)
    if isinstance(document, Drop):
        return "extract"
    return "filter" if isinstance(filter_document(document, CONFIG.filters), Drop) else "fetched"


def crawl(base: str, paths, tmp_path) -> dict[str, str]:
    links = [Link(base + p, base + p, 5, ("s",), (5,), ("r",), 1) for p in paths]
    extract = SandboxedCall("webtext.extract.extractor:run_trafilatura", CONFIG.extract.timeout_s)
    try:
        with make_session("webtext-tests", (base,)) as session:
            outcomes = list(fetch_host(session, links, CONFIG.fetch, WarcBundleWriter(str(tmp_path))))
        return {(o.item if isinstance(o, Drop) else o.link.url).removeprefix(base): outcome_of(o, extract)
                for o in outcomes}
    finally:
        extract.close()


def test_every_hostile_response_gets_its_outcome(tmp_path):
    assert len(CATALOGUE) >= 40
    started, fresh_peak, resident = time.monotonic(), reset_own_peak(), vm_hwm_mib(field="VmRSS")
    with hostile_web() as base:
        got = crawl(base, list(CATALOGUE), tmp_path)
    elapsed = time.monotonic() - started
    expected = {path: outcome for path, (_, outcome) in CATALOGUE.items()}
    assert got == expected
    assert elapsed < 90  # every slow route is cut off by its deadline
    # what this process's peak grew by in the test, not what earlier tests left it holding (the extraction
    # child is small and gone: it is not counted)
    peak_mib = (vm_hwm_mib() - resident) if fresh_peak else \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mib < 2048, peak_mib  # 40 MiB bombs and 3 MB bodies never get near the whole of memory


def test_hosts_with_hostile_robots_txt(tmp_path):
    outcomes = {}
    # huge: its first 500 KiB ("Allow: /") are read, as RFC 9309 asks; slow: disallowed for the run.
    for kind, expected in (("huge", "fetched"), ("slow", "robots"), ("garbage", "fetched")):
        with robots_host(kind) as base:
            started = time.monotonic()
            outcomes[kind] = crawl(base, ["/page"], tmp_path / kind)["/page"]
            assert time.monotonic() - started < 20, kind
        assert outcomes[kind] == expected, (kind, outcomes[kind])
