"""`webtext corpus --workers N`: the pipeline on one machine, as independent units in N processes.

Beam's local runners pass every shuffle through the launching process, which caps a big machine
at about two cores' worth (issue 22's measurements). Here, as in datatrove, the work is cut into
units that share nothing, each done by one process and committed to disk when whole:

1. read units, one per input file: read and select, the counted submissions spilled into
   partitions by URL (steps.py).
2. link units, one per partition: the links stage, links written in chunks of --unit_links.
   (Reddit API listings and --rescore are bound by the API's rate, not by CPU: with either, this
   step and the one before are the Beam stages, run in this process.)
3. the WARC responses indexed by canonical URL on disk (crawl/warc_index.py): each file's rows made
   by a worker, one unit per file, while the read units run; merged into SQLite in this process.
4. fetch units, one per chunk of links: replay -> extract -> filters, then each kept document's
   exact key, dedup member and MinHash signature (worker.fetch_unit).
5. dedup, in this process, over those records only, never the texts (dedup/over_signatures.py).
6. tokenize units: the documents that dedup kept of consecutive fetch units (about --docs_per_shard
   of them, fewer in a small corpus), in per-shard pieces, one file a unit.
7. shards: each from its piece in every tokenize unit, rows ordered by doc id.

The stages' own functions do the work, so the shards are the bytes the one Beam pipeline writes,
for any N. Everything lives in `OUT.staging/_units/`: a killed run, run again with the same command
and inputs, finds the units already done there and does only the rest (run/corpus_run.py keeps the staging
directory when its fingerprint matches: the same settings, input contents and code), once each unit's
files match its completion record (proof.py).
"""

import functools
import glob
import heapq
import json
import logging
import math
import os
import shutil
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from webtext import progress
from webtext.atomic import size_and_mtime
from webtext.crawl.warc_index import build_index
from webtext.dedup.over_signatures import SignatureStore
from webtext.engines.base import RUN_NAME, UNITS_DIR, RunInputs, work_path
from webtext.engines.config import CorpusConfig
from webtext.engines.units import shard_steps, steps, worker
from webtext.engines.units.live_counts import CrawlView, LiveCounts
from webtext.engines.units.pool import InThisProcess, Resources, run_units
from webtext.engines.units.proof import commit_dir, dir_problem, file_problem, seal_dir, seal_file
from webtext.engines.units.records import StepDone
from webtext.engines.units.results import write_results
from webtext.engines.units.unit_dir import fresh_unit_dir, read_pickles
from webtext.in_order import in_order
from webtext.tokenize.encode import BATCH_DOCUMENTS as TOKENIZE_BATCH
from webtext.tokenize.splits import shard_count, split_cutoff, split_of, validation_bucket

logger = logging.getLogger(__name__)

# Input bytes per link partition: what bounds a link unit's memory (4 MiB of a zstd dump: some 200k
# submissions). WebText's 600M dump lines make the most partitions, each a file every read unit holds open.
PARTITION_INPUT_BYTES = 4 << 20
MAX_PARTITIONS = 4096


def partition_count(paths: list[str]) -> int:
    """Link partitions for these inputs: a function of the inputs alone, so a resumed run finds the same
    units whatever its --workers."""
    size = sum(size_and_mtime(path)[0] for path in paths)
    return max(1, min(MAX_PARTITIONS, math.ceil(size / PARTITION_INPUT_BYTES)))


def run_in_units(staged: CorpusConfig, links_by_beam, inputs: RunInputs, workers: int,
                 unit_links: int) -> dict:
    """The run into `staged.out` (its staging directory), unit by unit; writes _work/results.jsonl as
    the one Beam pipeline does, links/, rejects/, and _work/run.json (what the end summary shows of
    how it went), which it returns. A live (or archive) run's fetch units write the pages they fetch
    to WARC files in `inputs.warc_dir`, and replay what `inputs.warc` (the WARC files there before)
    already holds. `links_by_beam(staged, dumps, url_lists, results_path)` runs the first three stages as
    Beam does, for the Reddit API's sources (engine_for gives it)."""
    dumps, url_lists, warc, warc_dir = inputs.dumps, inputs.url_lists, inputs.warc, inputs.warc_dir
    out, root, resources = staged.out, os.path.join(staged.out, UNITS_DIR), Resources()
    live = staged.fetch.crawls
    os.makedirs(root, exist_ok=True)
    _remove_partials(root)
    index_path = os.path.join(root, "warc.sqlite")
    if live and os.path.exists(index_path):  # the crawl's WARC files have grown since (a killed run's pages)
        os.remove(index_path)
    context = get_context(_start_method())
    live_counts = LiveCounts(context, workers) if live else None
    with ProcessPoolExecutor(workers, mp_context=context, initializer=worker.start_worker,
                             initargs=(live_counts,)) as pool:
        try:
            # The workers start their extraction child (a second or more of imports) meanwhile.
            warming = [pool.submit(worker.warm_up, staged, index_path) for _ in range(workers)]
            index_warc = functools.partial(_index_warc, pool, workers, warc, index_path, resources)
            if staged.reddit_listings or staged.rescore:
                read, linked = _links_by_beam(
                    staged, links_by_beam, dumps, url_lists, root, unit_links, resources, workers
                )
                index_warc()
            else:
                read, linked = _links_in_units(
                    pool, staged, dumps, url_lists, root, unit_links, resources, index_warc, workers
                )
            resources.phase_done("index")
            for future in warming:
                future.result()
            units = [os.path.join(root, "fetched", _chunk_name(chunk))
                     for chunk in sorted(glob.glob(os.path.join(root, "linked", "p*", "c*.jsonl")))]
            dedup = SignatureStore(os.path.join(root, "dedup.sqlite"), staged.dedup)
            # A live unit takes as long as its biggest host (one page at a time, a delay between): those
            # go first, so that the last to finish are short ones. Replay keeps the units' order.
            order = sorted(units, key=lambda unit: -os.path.getsize(_chunk_of(root, unit))) if live else units
            if live_counts is not None:  # the progress line follows the crawl page by page
                to_fetch = (_chunk_of(root, u) for u in units if not os.path.isdir(u))  # not done before
                progress.watch_crawl(CrawlView(live_counts, _lines_in(to_fetch)))
            fetched = run_units(pool, "fetch units", order,
                                 lambda unit: (worker.fetch_unit, staged, index_path, warc_dir,
                                               _chunk_of(root, unit), unit), resources,
                                 on_done=functools.partial(_add_to_dedup, dedup, resources))
            progress.watch_crawl(None)
            resources.phase_done("fetch units")
            with InThisProcess(resources, "dedup"):
                dedup.decide()
                cutoff, split_counts = _splits(dedup.kept_ids, staged)
            resources.phase_done("dedup")
            per_shard = staged.shards.docs_per_shard
            groups = {os.path.join(root, "pieces", _group_name(group)): group
                      for group in _tokenize_groups(units, dedup.kept_by_unit(), per_shard)}
            pieces = list(groups)
            tokenized = run_units(
                pool,
                "tokenize units",
                pieces,
                lambda piece: (
                    shard_steps.tokenize_unit,
                    groups[piece],
                    dedup.path,
                    cutoff,
                    split_counts,
                    per_shard,
                    piece,
                ),
                resources,
            )
            resources.phase_done("tokenize units")
            shards = _write_shards(pool, out, pieces, split_counts, per_shard, resources)
            resources.phase_done("shards")
        except BaseException:  # Ctrl-C or a worker's error: stop now, the finished units stay for the rerun
            _stop_workers(pool)
            raise
    write_results(out, root, read, linked, fetched, dedup, tokenized, shards, staged.keep_dropped_text)
    dedup.close()
    resources.phase_done("results")
    run = {
        "units": len(units),
        "workers": workers,
        "resources": resources.rows(),
        "phases_wall_s": resources.phases,
        "done_before": {"fetch": fetched.done_before, "tokenize": tokenized.done_before},
        "redone": sorted(name for step in (read, linked, fetched, tokenized) for name in step.redone),
        "fetch_units_run": [os.path.basename(unit) for unit in fetched.ran],
    }
    with open(work_path(out, RUN_NAME), "w", encoding="utf-8") as stream:
        json.dump(run, stream, indent=1, sort_keys=True)
    return run


def _index_warc(pool, workers: int, warc: list[str], index_path: str, resources: Resources) -> None:
    """The WARC index, the fetch units' input: each file's rows made by a worker (a unit per file, queued
    behind the read units), merged into SQLite here in the files' order as they come."""
    if os.path.exists(index_path):
        problem = file_problem(index_path)
        if problem is None:
            return
        logger.warning("the WARC index %s is made again: %s", index_path, problem)

    def rows():
        for file_rows, cpu_s, peak_rss in in_order(pool, worker.index_unit, warc, window=2 * workers):
            resources.add("index WARC", cpu_s, peak_rss)
            yield file_rows
    with InThisProcess(resources, "index WARC"):
        build_index(warc, index_path, rows())
        seal_file(index_path)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """The workers killed, and gone, before this process goes on: a unit they were in the middle of is
    never committed (it is redone by the rerun), and nothing of the run outlives it. (The pool's own
    shutdown would wait for every running unit; its processes are only reachable as `_processes`.)"""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()
    for process in processes:
        process.join(2)


def _remove_partials(root: str) -> None:
    """What the workers of a killed run had begun (`<unit>.partial-<pid>`): never taken up, so gone."""
    for partial in glob.glob(os.path.join(root, "**", "*.partial-*"), recursive=True):
        if os.path.isdir(partial):
            shutil.rmtree(partial, ignore_errors=True)
        else:
            os.remove(partial)


def _add_to_dedup(dedup: SignatureStore, resources: Resources, unit: str) -> None:
    """A fetch unit's dedup records into the store as soon as it is finished, while the others run."""
    with InThisProcess(resources, "dedup"):
        dedup.add(os.path.basename(unit), _signed(unit))


def _start_method() -> str:
    """Fork where there is fork: the workers then start in milliseconds with every module imported,
    where spawned ones spend a second or two importing Beam, trafilatura and scipy before the first
    unit. The pool forks all of them at its first task, before this process runs any Beam pipeline
    (whose threads a fork must not copy mid-work)."""
    return "fork" if sys.platform == "linux" else "spawn"


def _chunk_of(root: str, unit: str) -> str:
    """p00003-c00001 -> linked/p00003/c00001.jsonl: the chunk of links of that fetch unit."""
    partition, chunk = os.path.basename(unit).split("-")
    return os.path.join(root, "linked", partition, f"{chunk}.jsonl")


def _chunk_name(chunk: str) -> str:
    """linked/p00003/c00001.jsonl -> p00003-c00001: the fetch unit of that chunk of links."""
    return f"{os.path.basename(os.path.dirname(chunk))}-{os.path.basename(chunk).removesuffix('.jsonl')}"


def _links_in_units(
    pool,
    staged: CorpusConfig,
    dumps: list[str],
    url_lists: list[str],
    root: str,
    unit_links: int,
    resources: Resources,
    while_reading,
    workers: int = 1,
) -> tuple[StepDone, StepDone]:
    """Read units, one per input file (`while_reading()` runs here meanwhile), then link units, one per
    partition."""
    inputs = [(path, False) for path in dumps] + [(path, True) for path in url_lists]
    partitions = partition_count([path for path, _ in inputs])
    read_dirs = [os.path.join(root, "read", f"f{i:05d}") for i in range(len(inputs))]
    rules, by_host, min_hosts = staged.links, staged.fetch.crawls, steps.hosts_a_unit(staged.fetch)
    reads = {final: (steps.read_unit, path, url_list, rules, by_host, partitions, final)
             for final, (path, url_list) in zip(read_dirs, inputs)}
    read = run_units(pool, "read units", read_dirs, reads.__getitem__, resources, while_waiting=while_reading)
    resources.phase_done("read units")
    links = {final: (steps.link_unit, read_dirs, p, rules, unit_links, min_hosts, final, workers)
             for p in range(partitions) for final in [os.path.join(root, "linked", f"p{p:05d}")]}
    linked = run_units(pool, "link units", list(links), links.__getitem__, resources)
    resources.phase_done("link units")
    return read, linked


def _links_by_beam(staged: CorpusConfig, links_by_beam, dumps: list[str], url_lists: list[str], root: str,
                   unit_links: int, resources: Resources, workers: int = 1) -> tuple[StepDone, StepDone]:
    """The read, select and links stages as Beam runs them (for the Reddit API's sources), their links
    then cut into the same chunks as a link unit's."""
    results = os.path.join(root, "links-results.jsonl")
    final = os.path.join(root, "linked", "p00000")
    if os.path.exists(final) and (problem := dir_problem(final)) is not None:
        logger.warning("the links of an earlier run are made again: %s", problem)
        shutil.rmtree(final)
    if not os.path.exists(final):
        for name in ("links", "rejects"):  # what a run killed inside this pipeline had begun to write
            shutil.rmtree(os.path.join(staged.out, name), ignore_errors=True)
        with InThisProcess(resources, "read, select, links"):
            links_by_beam(staged, dumps, url_lists, results)
        paths = sorted(glob.glob(os.path.join(staged.out, "links", "*.jsonl")))
        links = sorted(
            (worker.link_from_json(line) for path in paths for line in open(path, encoding="utf-8")),
            key=lambda link: link.url,
        )
        partial = fresh_unit_dir(final)
        steps.write_chunks(partial, links, unit_links, min_hosts=steps.hosts_a_unit(staged.fetch),
                           workers=workers)
        seal_dir(partial)
        commit_dir(partial, final)
    resources.phase_done("links")
    return StepDone([], beam_results=results), StepDone([])


def _lines_in(paths) -> int:
    """The links of these chunk files (a line each), counted without parsing them."""
    total = 0
    for path in paths:
        with open(path, "rb") as stream:
            total += sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
    return total


def _signed(unit: str):
    """A fetch unit's dedup records."""
    return read_pickles(os.path.join(unit, worker.SIGNED))


def _splits(kept_ids, staged: CorpusConfig) -> tuple[float, dict[str, int]]:
    """The split cutoff and each split's document count, as TokenizeToShards computes them, in two passes
    over `kept_ids()` (a fresh iterator each), holding only the smallest buckets."""
    settings = staged.shards
    smallest = heapq.nsmallest(max(1, settings.min_val_documents), map(validation_bucket, kept_ids()))
    documents = sum(1 for _ in kept_ids())
    cutoff = split_cutoff(settings.val_fraction, smallest, documents, settings.min_val_documents)
    return cutoff, dict(Counter(split_of(doc_id, cutoff) for doc_id in kept_ids()))


def _tokenize_groups(units: list[str], kept_by_unit: dict[str, int], per_shard: int) -> list[list[str]]:
    """Consecutive fetch units, cut into groups of about `per_shard` kept documents (fewer in a corpus of
    under 64 shards, so that its tokenizing still spreads over the workers): a tokenize unit each. A
    group has a piece for most shards, and there are about as many groups as shards, not a file a
    document. Cut by the decisions alone, never by --workers."""
    target = min(per_shard, max(TOKENIZE_BATCH, sum(kept_by_unit.values()) // 64))
    groups, kept = [[]], 0
    for unit in units:
        if kept >= target:
            groups.append([])
            kept = 0
        groups[-1].append(unit)
        kept += kept_by_unit.get(os.path.basename(unit), 0)
    return groups if groups[0] else []


def _group_name(group: list[str]) -> str:
    """A tokenize unit's directory name: its first and last fetch unit, so that a rerun that groups
    differently never takes up another group's unit."""
    return f"{os.path.basename(group[0])}--{os.path.basename(group[-1])}"


def _write_shards(pool, out: str, pieces: list[str], split_counts: dict[str, int], per_shard: int,
                  resources: Resources) -> list[dict]:
    """Every shard of every split (one that hashing left without documents is still written, empty)."""
    futures = []
    for split, documents in sorted(split_counts.items()):
        count = shard_count(documents, per_shard)
        for index in range(count):
            futures.append(pool.submit(shard_steps.assemble_shard, out, split, index, count, pieces))
    written = [future.result() for future in futures]
    for result in written:
        resources.add("write shards", result.cpu_s, result.peak_rss_bytes)
    return [result.shard._asdict() for result in written]
