"""A worker process of a run in units (launcher.py): what it builds once and keeps, and its fetch units.

A fetch unit is a slice of the link space. `fetch_unit` takes its links through the per-record stages,
replay (or a live fetch) -> extract -> filters, to the documents that reach dedup, and writes them
beside what the global dedup step needs of each (exact key, member, signature: never the text). It
calls the stages' own drivers, as the Beam stages do, so the documents are the same. The read and link
units are steps.py's, the tokenize units and shards shard_steps.py's; each unit is written and
committed as unit_dir.py says.
"""

import itertools
import json
import os
import pickle
import signal
import time
from collections.abc import Iterator

from webtext.crawl.host_fetch import HostFetcher
from webtext.crawl.replay import fetch_outcome
from webtext.crawl.warc_index import WarcIndex, index_file
from webtext.dedup.over_signatures import DedupRecords
from webtext.engines.config import CorpusConfig
from webtext.engines.units.live_counts import LiveCounts
from webtext.engines.units.records import UnitTally
from webtext.engines.units.unit_dir import Tally, finish_unit, fresh_unit_dir, peak_rss_bytes
from webtext.extract.extractor import BATCH_PAGES, EXTRACTOR
from webtext.extract.in_flight import OneBatchInFlight
from webtext.extract.sandbox import SandboxedCall
from webtext.filters.batches import FilterBatches
from webtext.guard import guarded
from webtext.parent_death import die_with_parent
from webtext.reasons import DEDUP, EXTRACT, FETCH, FILTER
from webtext.records import Document, Drop, FetchResult, Link
from webtext.shards.gpt2 import gpt2_encoding

DOCS, SIGNED = "docs.pickle", "signed.pickle"
SIGNATURES = "signatures"  # the dedup records' CPU seconds, under a name of their own


class _Worker:
    """What a worker process builds once and keeps for every unit it is given."""

    def __init__(self, config: CorpusConfig, index_path: str, warc_dir: str):
        self.config, self._index_path, self._index = config, index_path, None
        self.warc_dir = warc_dir  # where a live unit writes what it fetches: --out/warc, which outlives runs
        self.sandbox = SandboxedCall(EXTRACTOR, config.extract.timeout_s, die_with_parent=True)
        self.dedup_records = DedupRecords(config.dedup)
        self.filters = FilterBatches(config.filters, keep_dropped_text=config.keep_dropped_text)
        self.encoding = None  # built at the first tokenized unit
        self.live_counts: LiveCounts | None = None  # a live crawl's figures, shared with the progress line

    @property
    def index(self) -> WarcIndex:
        """Opened at the first unit: the pool starts before the index is built."""
        if self._index is None:
            self._index = WarcIndex(self._index_path, self.config.fetch.max_body_bytes)
        return self._index


_worker: _Worker | None = None


def start_worker(config: CorpusConfig, index_path: str, warc_dir: str = "",
                 live_counts: LiveCounts | None = None) -> None:
    """A process pool's initializer: this process's worker state (and, for a live crawl, its slot in the
    counts the progress line shows)."""
    global _worker
    die_with_parent()
    # Ctrl-C is the launching process's to handle (it stops the pool): a worker that took it too would
    # print a traceback for every unit in hand.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = _Worker(config, index_path, warc_dir)
    if live_counts is not None:
        live_counts.take_slot()
        _worker.live_counts = live_counts


def warm_up() -> None:
    """Start the extraction child and build the tokenizer now, while the launching process is busy
    with the first stages, rather than at the first unit that needs them."""
    _worker.sandbox.start()
    encoding()


def encoding():
    """The GPT-2 tokenizer, built at this worker's first use."""
    if _worker.encoding is None:
        _worker.encoding = gpt2_encoding()
    return _worker.encoding


def _extracted(worker: _Worker, batches: Iterator[list], tally: Tally) -> Iterator[list[Document]]:
    """Documents batch by batch from batches of fetch outcomes (results and drops), one batch always in
    the extraction child's hands: while it extracts batch N, this process filters and signs batch N-1
    and reads (or, live, waits for) batch N+1 (as the Beam stage's _Extract does)."""
    in_flight = OneBatchInFlight(worker.sandbox)
    for outcomes in itertools.chain(batches, [[]]):
        _, docs = in_flight.swap(tally.outcomes(FETCH, outcomes, kept_as=fetch_outcome, count_in=False))
        yield tally.outcomes(EXTRACT, docs)


def read_links(links_path: str) -> list[Link]:
    """A fetch unit's links (a link unit's chunk), sorted by URL."""
    with open(links_path, encoding="utf-8") as lines:
        return sorted(map(link_from_json, lines), key=lambda link: link.url)


def link_from_json(line: str) -> Link:
    """A Link from its line in links/ (as_json's)."""
    return Link(**{k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(line).items()})


def _replayed(worker: _Worker, links: list[Link]) -> Iterator[list]:
    """The links' outcomes from the WARC files, a batch of links at a time."""
    for batch in _chunks(links, BATCH_PAGES):
        yield [guarded(FETCH, worker.index.replay, link)[0] for link in batch]


def _replayed_then_fetched(worker: _Worker, links: list[Link], fetcher: HostFetcher) -> Iterator[list]:
    """A live (or archive) unit: what the WARC files already hold (earlier runs', and what a killed run
    had fetched) replayed, the rest fetched. The fetch threads start first, so that replaying and
    extracting overlap the network."""
    held = {link.url for link in links if worker.index.holds(link)}
    fetcher.start([link for link in links if link.url not in held])
    yield from _replayed(worker, [link for link in links if link.url in held])
    yield from fetcher.batches(BATCH_PAGES)


def _counted(batches: Iterator[list], fetcher: HostFetcher, counts: LiveCounts) -> Iterator[list]:
    """The batches as they come, each counted for the progress line (pages, HTML bytes, hosts in flight);
    the unit's hosts counted done at its end."""
    for batch in batches:
        counts.add(len(batch), sum(len(o.html) for o in batch if isinstance(o, FetchResult)),
                   fetcher.hosts_running)
        yield batch
    counts.add(0, 0, 0, hosts_done=fetcher.hosts_started)  # the round is still open: its hosts all done


def fetch_unit(links_path: str, final: str) -> UnitTally:
    """Fetch (replay, or live for the other modes), extract and filter one unit's links; write its kept
    documents, their dedup records, its drops and its tally into `final`. Returns the tally.

    A live unit's pages come in the order they arrive, and its documents are written in that order (dedup
    decides by rank and the shards are ordered by doc id: the same whatever the order); its drops are
    written sorted, for rejects/ files that are the same whatever it was."""
    worker, started_wall, config = _worker, time.monotonic(), _worker.config
    live = config.fetch.crawls
    partial = fresh_unit_dir(final)
    tally = Tally(partial, sort_drops=live)
    links = read_links(links_path)
    tally.counts[(FETCH, "in")] += len(links)  # every line of the chunk read: the fetch stage's input
    started_cpu, child_cpu = time.process_time(), _child_cpu_s(worker.sandbox)
    fetcher = HostFetcher(config.fetch, worker.warc_dir, config.links.cutoff_utc) if live else None
    batches = _replayed_then_fetched(worker, links, fetcher) if live else _replayed(worker, links)
    if live and worker.live_counts is not None:
        batches = _counted(batches, fetcher, worker.live_counts)
    with (
        open(os.path.join(partial, DOCS), "wb") as docs_out,
        open(os.path.join(partial, SIGNED), "wb") as signed_out,
    ):

        def filter_and_write(decided: list[tuple[Document, Document | Drop]]) -> None:
            """Write the documents the filters kept, with their dedup records (filtered in the caller's
            thread: time.thread_time is its own, while a live unit's fetch threads run)."""
            survivors = tally.outcomes(FILTER, [outcome for _, outcome in decided], count_kept=False)
            started = time.thread_time()
            for doc in survivors:
                # counted as handed to dedup: written here, or dropped below
                tally.counts[(FILTER, "kept")] += 1
                signed = worker.dedup_records.of(doc)
                if isinstance(signed, Drop):  # its signature raised: dedup's drop, made here where it is
                    tally.counts[(DEDUP, "in")] += 1
                    tally.drop(signed)
                    continue
                pickle.dump(doc, docs_out, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(signed, signed_out, protocol=pickle.HIGHEST_PROTOCOL)
            tally.cpu_s[SIGNATURES] += time.thread_time() - started

        # filtered a batch at a time, as the Beam stage does (filters/batches.py), across extractions
        for docs in _extracted(worker, batches, tally):
            started = time.thread_time()
            decided = worker.filters.add(docs)
            tally.cpu_s[FILTER] += time.thread_time() - started
            filter_and_write(decided)
        started = time.thread_time()
        decided = worker.filters.flush()
        tally.cpu_s[FILTER] += time.thread_time() - started
        filter_and_write(decided)
    if fetcher is not None:
        fetcher.close()  # its WARC files whole before the unit is
    # The rest of this process's CPU is the fetch stage's: replay reads, or live threads' requests,
    # decoding and WARC writing (the extraction child's is counted apart).
    tally.cpu_s[FETCH] += max(
        0.0, time.process_time() - started_cpu - tally.cpu_s[FILTER] - tally.cpu_s[SIGNATURES]
    )
    tally.cpu_s[EXTRACT] += max(0.0, _child_cpu_s(worker.sandbox) - child_cpu)
    return finish_unit(tally, partial, final, wall_s=round(time.monotonic() - started_wall, 3))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _child_cpu_s(sandbox: SandboxedCall) -> float:
    """CPU seconds the extraction child has used so far (Linux /proc; 0 where there is none). A child
    replaced after a timeout takes its seconds with it: the figure is a lower bound."""
    pid = sandbox.pid()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return 0.0


def index_unit(path: str) -> tuple[tuple, float, int]:
    """One WARC file's rows for the WARC index (crawl.warc_index.index_file), with the CPU seconds and
    peak memory they took."""
    started = time.process_time()
    rows = index_file(path)
    return rows, time.process_time() - started, peak_rss_bytes()


