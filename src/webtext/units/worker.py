"""What one worker process does with one unit of a run split into units (plan.py).

A unit is a slice of the link space. `fetch_unit` takes its links through the per-record stages,
replay -> extract -> filters, to the documents that reach dedup, and writes them beside what the
global dedup step needs of each (exact key, member, signature: never the text). `tokenize_unit`
later takes the documents that dedup kept of some consecutive fetch units to token pieces, one per
shard they belong in, in one file; `assemble_shard` writes one shard from its piece in every unit.
Each calls the same pure functions as the Beam stages, so the shards are the same bytes.

Every function writes into a fresh directory and renames it into place when done, with a completion
record of its files' sizes and checksums (proof.py): a killed run leaves no half of a unit, and a
rerun takes up only units whose files still match their record.
"""

import itertools
import json
import os
import pickle
import resource
import shutil
import signal
import time
from collections import Counter
from collections.abc import Iterator

import pyarrow as pa

from webtext.crawl.host_fetch import HostFetcher
from webtext.crawl.replay import fetch_outcome
from webtext.crawl.warc_index import WarcIndex, index_file
from webtext.dedup.over_signatures import DedupRecords, losers_of
from webtext.extract.extractor import BATCH_PAGES, EXTRACTOR
from webtext.extract.in_flight import OneBatchInFlight
from webtext.extract.sandbox import SandboxedCall
from webtext.filters.batches import FilterBatches
from webtext.guard import guarded
from webtext.kill_points import kill_point
from webtext.parent_death import die_with_parent
from webtext.pipeline.config import CorpusConfig
from webtext.reasons import DEDUP, EXTRACT, FETCH, FILTER, TOKENIZE
from webtext.records import Document, Drop, Link, as_json
from webtext.shards.gpt2 import gpt2_encoding
from webtext.tokenize.batches import batches_by_key
from webtext.tokenize.encode import batches as token_batches
from webtext.tokenize.encode import encode_batch
from webtext.tokenize.shards import BATCH_SCHEMA, ShardInfo, write_shard
from webtext.tokenize.splits import shard_key
from webtext.units.proof import commit_dir, seal_dir
from webtext.units.records import UnitTally, write_tally

DOCS, SIGNED, DROPS = "docs.pickle", "signed.pickle", "drops.jsonl"
PIECES, PIECES_INDEX = "pieces.arrow", "pieces.json"
SIGNATURES = "signatures"  # the dedup records' CPU seconds, under a name of their own


class _Worker:
    """What a worker process builds once and keeps for every unit it is given."""

    def __init__(self, config: CorpusConfig, index_path: str, warc_dir: str):
        self.config, self._index_path, self._index = config, index_path, None
        self.warc_dir = warc_dir  # where a live unit writes what it fetches: --out/warc, which outlives runs
        self.sandbox = SandboxedCall(EXTRACTOR, config.extract.timeout_s, die_with_parent=True)
        self.dedup_records = DedupRecords(config.dedup)
        self.filters = FilterBatches(config.filters)
        self.encoding = None  # built at the first tokenized unit

    @property
    def index(self) -> WarcIndex:
        """Opened at the first unit: the pool starts before the index is built."""
        if self._index is None:
            self._index = WarcIndex(self._index_path, self.config.fetch.max_body_bytes)
        return self._index


_worker: _Worker | None = None


def start_worker(config: CorpusConfig, index_path: str, warc_dir: str = "") -> None:
    """A process pool's initializer: this process's worker state."""
    global _worker
    die_with_parent()
    # Ctrl-C is the launching process's to handle (it stops the pool): a worker that took it too would
    # print a traceback for every unit in hand.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = _Worker(config, index_path, warc_dir)


def worker_config() -> CorpusConfig:
    return _worker.config


def warm_up() -> None:
    """Start the extraction child and build the tokenizer now, while the launching process is busy
    with the first stages, rather than at the first unit that needs them."""
    _worker.sandbox.start()
    if _worker.encoding is None:
        _worker.encoding = gpt2_encoding()


class Tally:
    """Records in, kept and dropped by reason, per stage, as the accounting's (stage, outcome) counts;
    and the CPU seconds this process spent in each stage."""

    def __init__(self, unit_dir: str, sort_drops: bool = False):
        """`sort_drops`: the drops are written sorted when the unit closes, for a unit whose records come in
        an order of their own (a live fetch's, as pages arrive); else as they come, in the unit's own
        (deterministic) order: a read unit's file can drop millions."""
        self.counts, self.cpu_s, self.dropped = Counter(), Counter(), 0
        self._drops = open(os.path.join(unit_dir, DROPS), "w", encoding="utf-8")
        self._held: list[str] | None = [] if sort_drops else None

    def outcomes(self, stage: str, outcomes: list, kept_as=None, count_in: bool = True,
                 count_kept: bool = True) -> list:
        """Count `outcomes` (kept records and Drops) for `stage`; return the kept ones. Where the stage's
        input was read from a file, or its output is written to one, `in` or `kept` is counted there
        instead (count_in, count_kept False): records lost between a write and a read then show."""
        kept = [o for o in outcomes if not isinstance(o, Drop)]
        self.counts[(stage, "in")] += len(outcomes) if count_in else 0
        self.counts[(stage, "kept")] += len(kept) if count_kept else 0
        for drop in (o for o in outcomes if isinstance(o, Drop)):
            self.drop(drop)
        if kept_as is not None:
            for record in kept:
                self.counts[(stage, f"kept:{kept_as(record)}")] += 1
        return kept

    def drop(self, drop: Drop) -> None:
        self.counts[(drop.stage, f"dropped:{drop.reason}")] += 1
        if self._held is not None:
            self._held.append(as_json(drop) + "\n")
        else:
            self._drops.write(as_json(drop) + "\n")
        self.dropped += 1

    def close(self) -> None:
        if self._held is not None:
            self._drops.writelines(sorted(self._held))
        self._drops.close()

    def timed(self, stage: str, started: float) -> None:
        self.cpu_s[stage] += time.process_time() - started

    def summary(self, wall_s: float | None = None) -> UnitTally:
        return UnitTally(tuple(sorted(self.counts.items())), dict(sorted(self.cpu_s.items())), self.dropped,
                         peak_rss_bytes(), wall_s)


def peak_rss_bytes() -> int:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _commit(partial: str, final: str) -> None:
    """The sealed unit directory into place; another process that finished it first wins."""
    kill_point("unit-commit")
    # the same unit, done meanwhile by an abandoned run's worker: same bytes
    if not commit_dir(partial, final):
        shutil.rmtree(partial, ignore_errors=True)


def fresh_unit_dir(final: str) -> str:
    partial = f"{final}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    return partial


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


def finish_unit(tally: Tally, partial: str, final: str, wall_s: float | None = None) -> UnitTally:
    """Write the unit's tally beside its outputs and its completion record (proof.py), then put the
    whole unit in place."""
    tally.close()
    summary = tally.summary(wall_s)
    write_tally(partial, summary)
    seal_dir(partial)
    _commit(partial, final)
    return summary


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


def read_pickles(path: str) -> Iterator:
    with open(path, "rb") as stream:
        while True:
            try:
                yield pickle.load(stream)
            except EOFError:
                return


def index_unit(path: str) -> tuple[tuple, float, int]:
    """One WARC file's rows for the WARC index (crawl.warc_index.index_file), with the CPU seconds and
    peak memory they took."""
    started = time.process_time()
    rows = index_file(path)
    return rows, time.process_time() - started, peak_rss_bytes()


def tokenize_unit(unit_dirs: list[str], dedup_path: str, cutoff: float, split_counts: dict[str, int],
                  per_shard: int, final: str) -> UnitTally:
    """The documents that dedup kept of some consecutive fetch units, tokenized and cut into one piece
    per shard, written to `final` as one Arrow file: PIECES, its record batches in shard order, and
    PIECES_INDEX, {piece name ("<split>-<index>-of-<count>"): [first batch, batches]}. One file a unit,
    not one a piece: a unit's documents spread over every shard, so a piece is often one document.
    Returns the tally."""
    worker, partial = _worker, fresh_unit_dir(final)
    tally = Tally(partial)
    if worker.encoding is None:
        worker.encoding = gpt2_encoding()
    started = time.process_time()
    losers = losers_of(dedup_path, [os.path.basename(unit) for unit in unit_dirs])
    pieces: dict[tuple, list[pa.RecordBatch]] = {}
    docs = (
        doc
        for unit in unit_dirs
        for doc in read_pickles(os.path.join(unit, DOCS))
        if doc.doc_id not in losers
    )
    # `in` is what was read; `kept` is counted from the shards written (as the Beam stage counts it)
    for batch in token_batches(docs):
        tally.counts[(TOKENIZE, "in")] += len(batch)
        kept, token_ids, drops = encode_batch(worker.encoding, batch)
        for drop in drops:
            tally.drop(drop)
        keys = [shard_key(d.doc_id, split_counts, cutoff, per_shard) for d in kept]
        for key, rows in batches_by_key(kept, token_ids, keys):
            pieces.setdefault(key, []).append(rows)
    index, first = {}, 0
    with (
        pa.OSFile(os.path.join(partial, PIECES), "wb") as sink,
        pa.ipc.new_file(sink, BATCH_SCHEMA) as writer,
    ):
        for key in sorted(pieces):
            index[piece_name(*key)] = [first, len(pieces[key])]
            first += len(pieces[key])
            for rows in pieces[key]:
                writer.write_batch(rows)
    with open(os.path.join(partial, PIECES_INDEX), "w", encoding="utf-8") as stream:
        json.dump(index, stream)
    tally.timed(TOKENIZE, started)
    return finish_unit(tally, partial, final)


def piece_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}"


def assemble_shard(out_dir: str, split: str, index: int, count: int, piece_dirs: list[str]) -> dict:
    """One shard from its piece in every tokenize unit that has one (write_shard orders its rows by
    doc id)."""
    started = time.process_time()
    name, batches = piece_name(split, index, count), []
    for unit in piece_dirs:
        with open(os.path.join(unit, PIECES_INDEX), encoding="utf-8") as stream:
            where = json.load(stream).get(name)
        if where:
            reader = pa.ipc.open_file(pa.memory_map(os.path.join(unit, PIECES)))
            batches.extend(reader.get_batch(i) for i in range(where[0], where[0] + where[1]))
    info: ShardInfo = write_shard(out_dir, split, index, count, batches)
    return {"shard": info._asdict(), "cpu_s": time.process_time() - started,
            "peak_rss_bytes": peak_rss_bytes()}
