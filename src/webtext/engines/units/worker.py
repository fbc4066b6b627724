"""A worker process of a run in units (launcher.py): what it builds once and keeps, and its fetch units.

A fetch unit is a slice of the link space. `fetch_unit` replays (or fetches live) its links' pages and
runs them through the per-record chain (record_chain.py: extract -> filter -> sign, the steps the Beam
engine runs too, so the documents are the same), writing the documents that reach dedup beside what the
global dedup step needs of each (exact key, member, signature: never the text). The read and link
units are steps.py's, the tokenize units and shards shard_steps.py's; each unit is written and
committed as unit_dir.py says.
"""

import functools
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
from webtext.engines.config import CorpusConfig
from webtext.engines.record_chain import PER_RECORD, RecordChain
from webtext.engines.units.live_counts import LiveCounts
from webtext.engines.units.records import UnitTally
from webtext.engines.units.unit_dir import Tally, finish_unit, fresh_unit_dir, peak_rss_bytes
from webtext.extract.extractor import BATCH_PAGES
from webtext.extract.in_flight import ExtractStep
from webtext.guard import guarded
from webtext.parent_death import die_with_parent
from webtext.reasons import DEDUP, EXTRACT, FETCH
from webtext.records import FetchResult, Link
from webtext.shards.gpt2 import gpt2_encoding

DOCS, SIGNED = "docs.pickle", "signed.pickle"
SIGNATURES = "signatures"  # the dedup records' CPU seconds, under a name of their own


class _Worker:
    """What a worker process builds once for a run and keeps for every fetch unit it is given: the
    per-record chain's steps (an extraction child, the filters, a MinHash template) and the WARC index."""

    def __init__(self, config: CorpusConfig, index_path: str):
        self.config, self._index_path, self._index = config, index_path, None
        # The chain's steps, as the Beam engine makes them (record_chain.py). A unit hands its source's
        # batches in whole (batch_pages=1), from this process's main thread (die_with_parent).
        make_extract, *rest = PER_RECORD
        self.extract = make_extract(config, die_with_parent=True, batch_pages=1)
        self.steps = [self.extract, *(make(config) for make in rest)]

    @property
    def index(self) -> WarcIndex:
        """Opened at the first unit: the pool starts before the index is built."""
        if self._index is None:
            self._index = WarcIndex(self._index_path, self.config.fetch.max_body_bytes)
        return self._index


# This process's state, built at its first unit of a run and kept for the units after it. The settings
# come with each unit (worker_for is handed them); only what they build is kept here.
_built: dict[tuple, _Worker] = {}
_live_counts: LiveCounts | None = None  # a live crawl's figures, shared with the progress line


def worker_for(config: CorpusConfig, index_path: str) -> _Worker:
    """This process's steps and index for a run's config and WARC index, built at its first unit."""
    key = (config, index_path)
    if key not in _built:
        for earlier in _built.values():  # another run's, in a process that outlived it
            earlier.extract.close()
        _built.clear()
        _built[key] = _Worker(config, index_path)
    return _built[key]


def start_worker(live_counts: LiveCounts | None = None) -> None:
    """A process pool's initializer: this process dies with the launching one and leaves Ctrl-C to it;
    in a live crawl, it takes its slot in the counts the progress line shows."""
    global _live_counts
    die_with_parent()
    # Ctrl-C is the launching process's to handle (it stops the pool): a worker that took it too would
    # print a traceback for every unit in hand.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if live_counts is not None:
        live_counts.take_slot()
    _live_counts = live_counts


def warm_up(config: CorpusConfig, index_path: str) -> None:
    """Start the extraction child (it imports meanwhile: sandbox.start) and build the tokenizer now,
    while the launching process is busy with the first stages, rather than at the first unit that
    needs them."""
    worker_for(config, index_path).extract.start()
    encoding()


@functools.cache
def encoding():
    """The GPT-2 tokenizer, built at this process's first use."""
    return gpt2_encoding()


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


def fetch_unit(config: CorpusConfig, index_path: str, warc_dir: str, links_path: str,
               final: str) -> UnitTally:
    """Replay (or, in the other modes, fetch: new pages go to WARC files in `warc_dir`), extract, filter
    and sign one unit's links; write its kept documents, their dedup records, its drops and its tally
    into `final`. Returns the tally.

    A live unit's pages come in the order they arrive, and its documents are written in that order (dedup
    decides by rank and the shards are ordered by doc id: the same whatever the order); its drops are
    written sorted, for rejects/ files that are the same whatever it was."""
    worker, started_wall, live = worker_for(config, index_path), time.monotonic(), config.fetch.crawls
    partial = fresh_unit_dir(final)
    tally = Tally(partial, sort_drops=live)
    links = read_links(links_path)
    tally.counts[(FETCH, "in")] += len(links)  # every line of the chunk read: the fetch stage's input
    started_cpu, child_cpu = time.process_time(), _child_cpu_s(worker.extract)
    fetcher = HostFetcher(config.fetch, warc_dir, config.links.cutoff_utc) if live else None
    batches = _replayed_then_fetched(worker, links, fetcher) if live else _replayed(worker, links)
    if live and _live_counts is not None:
        batches = _counted(batches, fetcher, _live_counts)
    chain = RecordChain(worker.steps, functools.partial(_count, tally), tally, cpu_names={DEDUP: SIGNATURES})
    with (
        open(os.path.join(partial, DOCS), "wb") as docs_out,
        open(os.path.join(partial, SIGNED), "wb") as signed_out,
    ):
        for batch in itertools.chain(batches, [None]):  # None: the end, where the chain is flushed
            if batch is None:
                signed = chain.flush()
            else:
                signed = chain.push(tally.outcomes(FETCH, batch, kept_as=fetch_outcome, count_in=False))
            for doc, record in signed:
                pickle.dump(doc, docs_out, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(record, signed_out, protocol=pickle.HIGHEST_PROTOCOL)
    if fetcher is not None:
        fetcher.close()  # its WARC files whole before the unit is
    # The rest of this process's CPU is the fetch stage's: replay reads, or live threads' requests,
    # decoding and WARC writing. The extraction child's is the extract stage's, beside this process's
    # share of it (sending pages, making documents).
    tally.cpu_s[FETCH] += max(0.0, time.process_time() - started_cpu - sum(tally.cpu_s.values()))
    tally.cpu_s[EXTRACT] += max(0.0, _child_cpu_s(worker.extract) - child_cpu)
    return finish_unit(tally, partial, final, wall_s=round(time.monotonic() - started_wall, 3))


def _count(tally: Tally, stage: str, outcomes: list) -> list:
    """A chain step's outcomes into the unit's tally; the records that go on. A signed document is
    counted in dedup's `in` where the global step reads it; a sign drop here, where it is made."""
    if stage == DEDUP:
        kept = tally.outcomes(DEDUP, outcomes, count_in=False, count_kept=False)
        tally.counts[(DEDUP, "in")] += len(outcomes) - len(kept)
        return kept
    return tally.outcomes(stage, outcomes)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _child_cpu_s(extract: ExtractStep) -> float:
    """CPU seconds the extraction child has used so far (Linux /proc; 0 where there is none). A child
    replaced after a timeout takes its seconds with it: the figure is a lower bound."""
    pid = extract.child_pid()
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


