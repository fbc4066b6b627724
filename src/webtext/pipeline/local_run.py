"""`webtext corpus --workers N`: the pipeline on one machine, as independent units in N processes.

Beam's local runners pass every shuffle through the launching process, which caps a big machine
at about two cores' worth (issue 22's measurements). Here, as in datatrove, the work is cut into
units that share nothing, each done by one process and committed to disk when whole:

1. links: the read, select and links stages, as one Beam pipeline in this process (cheap next to
   the rest); then the links are hashed by URL into units.
2. index: the WARC responses indexed by canonical URL on disk (crawl/warc_index.py).
3. fetch units, N at a time: replay -> extract -> filters, then each kept document's exact key,
   dedup member and MinHash signature (unit_work.fetch_unit).
4. dedup, in this process, over those records only, never the texts (dedup/over_signatures.py).
5. tokenize units, N at a time: the documents dedup kept, tokenized into per-shard pieces.
6. shards, N at a time: each shard from its pieces in every unit, rows ordered by doc id.

The stages' own functions do the work, so the shards are the bytes the one Beam pipeline writes,
for any N. Everything lives in `OUT.staging/_units/`: a killed run, run again with the same command
and inputs, finds the units already done there and does only the rest (runner.py keeps the staging
directory when its fingerprint matches).
"""

import glob
import json
import logging
import os
import resource
import shutil
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

import apache_beam as beam

from webtext import progress
from webtext.crawl.warc_index import WarcIndex, build_index
from webtext.dedup.over_signatures import dedup_signed
from webtext.hashing import bucket
from webtext.pipeline import unit_work
from webtext.pipeline.build import RESULTS_NAME, _result, build_links_pipeline, work_path
from webtext.pipeline.config import CorpusConfig
from webtext.pipeline.staging import UNITS_DIR
from webtext.reasons import DEDUP, FILTER
from webtext.tokenize.splits import shard_count, split_cutoff, split_of, validation_bucket

logger = logging.getLogger(__name__)

RUN_NAME = "run.json"  # under _work/: how the run went (units, resumed ones, CPU and memory per stage)
UNIT_LINKS = 256  # links per unit: small enough to share the work out evenly, large enough to be cheap
MAX_UNITS = 512  # ... and no more units than files a process may hold open while links are split


def unit_count(links: int) -> int:
    """Units for `links` links: a function of the input alone, so a resumed run finds the same units
    whatever its --workers."""
    return max(1, min(MAX_UNITS, -(-links // UNIT_LINKS)))


class Resources:
    """CPU seconds and peak resident memory per stage of the run, for the end summary."""

    def __init__(self):
        self.cpu_s, self.peak_rss, self.wall_s = Counter(), Counter(), Counter()

    def add(self, stage: str, cpu_s: float = 0.0, peak_rss: int = 0, wall_s: float = 0.0) -> None:
        self.cpu_s[stage] += cpu_s
        self.peak_rss[stage] = max(self.peak_rss[stage], peak_rss)
        self.wall_s[stage] += wall_s

    def rows(self) -> list[dict]:
        return [{"stage": stage, "cpu_s": round(self.cpu_s[stage], 2), "peak_rss_bytes": self.peak_rss[stage]}
                for stage in self.cpu_s]


def _own_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _InThisProcess:
    """A stage run in this process: its CPU seconds and this process's peak memory since."""

    def __init__(self, resources: Resources, stage: str):
        self._resources, self._stage = resources, stage

    def __enter__(self):
        self._started = time.process_time()

    def __exit__(self, *exc):
        self._resources.add(self._stage, time.process_time() - self._started, _own_rss())


def _links_of(path: str):
    with open(path, encoding="utf-8") as lines:
        yield from lines


def _split_links(staged_out: str, units_root: str) -> int:
    """links/*.jsonl hashed by URL into one file per unit; returns the number of units."""
    paths = sorted(glob.glob(os.path.join(staged_out, "links", "*.jsonl")))
    total = sum(1 for path in paths for _ in _links_of(path))
    units = unit_count(total)
    partial = os.path.join(units_root, f"links.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    files = [open(os.path.join(partial, f"u{u:05d}.jsonl"), "w", encoding="utf-8") for u in range(units)]
    try:
        for path in paths:
            for line in _links_of(path):
                files[bucket(json.loads(line)["url"], units)].write(line)
    finally:
        for file in files:
            file.close()
    os.rename(partial, os.path.join(units_root, "links"))
    return units


class _Progress:
    """Units done out of all, for the terminal's progress line (webtext.progress) with an ETA."""

    def __init__(self, label: str, total: int, done: int):
        self._label, self._total, self._done, self._started, self._first = label, total, done, time.monotonic(), done
        progress.work(label, done, total, None)

    def unit_done(self, tally: dict) -> None:
        self._done += 1
        for (stage, outcome), n in tally["counts"]:
            if outcome == "kept" or outcome.startswith("dropped:"):
                progress.tick(stage, outcome.split(":")[0], n)
        rate = (self._done - self._first) / max(time.monotonic() - self._started, 1e-6)
        eta = (self._total - self._done) / rate if rate else None
        progress.work(self._label, self._done, self._total, eta)


def _run_units(pool, label: str, tasks: dict, resources: Resources) -> dict:
    """Submit each not-yet-finished task ({final dir: (fn, args)}); wait for all; their tallies by dir."""
    tallies = {final: _read_tally(final) for final in tasks if os.path.isdir(final)}
    todo = {final: call for final, call in tasks.items() if final not in tallies}
    if tallies:
        logger.info("%s: %d of %d units were done by an earlier run", label, len(tallies), len(tasks))
    view = _Progress(label, len(tasks), len(tallies))
    futures = {pool.submit(fn, *args): final for final, (fn, *args) in todo.items()}
    for future in as_completed(futures):
        tallies[futures[future]] = tally = future.result()  # a worker's exception is our bug: the run stops
        view.unit_done(tally)
    for final in todo:
        for stage, cpu_s in tallies[final]["cpu_s"].items():
            resources.add(stage, cpu_s, tallies[final]["peak_rss_bytes"])
    return {"tallies": tallies, "done_before": len(tasks) - len(todo), "run": len(todo)}


def _read_tally(final: str) -> dict:
    with open(os.path.join(final, unit_work.TALLY), encoding="utf-8") as stream:
        return json.load(stream)


def run_in_units(staged: CorpusConfig, beam_options, dumps: list[str], url_lists: list[str], warc: list[str],
                 workers: int) -> dict:
    """The run into `staged.out` (its staging directory), unit by unit; writes _work/results.jsonl as
    the one Beam pipeline does, rejects/ and links/, and _work/run.json (what the end summary shows
    of how it went), which it returns."""
    out, root, resources = staged.out, os.path.join(staged.out, UNITS_DIR), Resources()
    os.makedirs(root, exist_ok=True)
    links_results = os.path.join(root, "links-results.jsonl")
    if not os.path.exists(os.path.join(root, "links")):
        for name in ("links", "rejects", "_work"):
            shutil.rmtree(os.path.join(out, name), ignore_errors=True)
        with _InThisProcess(resources, "read, select, links"):
            with beam.Pipeline(options=beam_options) as pipeline:
                build_links_pipeline(pipeline, staged, dumps, url_lists, links_results)
        _split_links(out, root)
    units = len(glob.glob(os.path.join(root, "links", "u*.jsonl")))
    index_path = os.path.join(root, "warc.sqlite")
    if not os.path.exists(index_path):
        with _InThisProcess(resources, "index WARC"):
            build_index(warc, index_path)
    context = get_context("spawn")  # not fork: this process has Beam's threads running
    with ProcessPoolExecutor(workers, mp_context=context, initializer=unit_work.start_worker,
                             initargs=(staged, index_path)) as pool:
        fetched = _run_units(pool, "fetch units", {
            os.path.join(root, "fetched", f"u{u:05d}"): (unit_work.fetch_unit, u,
                                                         os.path.join(root, "links", f"u{u:05d}.jsonl"),
                                                         os.path.join(root, "fetched", f"u{u:05d}"))
            for u in range(units)}, resources)
        with _InThisProcess(resources, "dedup"):
            signed = (record for u in range(units)
                      for record in unit_work.read_pickles(os.path.join(root, "fetched", f"u{u:05d}", unit_work.SIGNED)))
            verdicts = dedup_signed(signed, staged.dedup)
            losers = {drop.item for drop in verdicts.drops}
            kept_ids = [record.member.doc_id for u in range(units) for record in unit_work.read_pickles(
                os.path.join(root, "fetched", f"u{u:05d}", unit_work.SIGNED)) if record.member.doc_id not in losers]
            cutoff, split_counts = _splits(kept_ids, staged)
        per_shard = staged.shards.docs_per_shard
        tokenized = _run_units(pool, "tokenize units", {
            os.path.join(root, "pieces", f"u{u:05d}"): (
                unit_work.tokenize_unit, os.path.join(root, "fetched", f"u{u:05d}"),
                _losers_of(root, u, losers), cutoff, split_counts, per_shard, os.path.join(root, "pieces", f"u{u:05d}"))
            for u in range(units)}, resources)
        shards = _write_shards(pool, out, root, units, split_counts, per_shard, resources)
    _write_results(out, root, units, fetched, verdicts, tokenized, shards)
    run = {"units": units, "workers": workers, "resources": resources.rows(),
           "done_before": {"fetch": fetched["done_before"], "tokenize": tokenized["done_before"]}}
    with open(work_path(out, RUN_NAME), "w", encoding="utf-8") as stream:
        json.dump(run, stream, indent=1, sort_keys=True)
    return run


def _losers_of(root: str, unit: int, losers: set[str]) -> set[str]:
    """The unit's own documents that dedup dropped: what its tokenize task is sent, not the whole set."""
    path = os.path.join(root, "fetched", f"u{unit:05d}", unit_work.SIGNED)
    return {r.member.doc_id for r in unit_work.read_pickles(path) if r.member.doc_id in losers}


def _splits(kept_ids: list[str], staged: CorpusConfig) -> tuple[float, dict[str, int]]:
    """The split cutoff and each split's document count, as TokenizeToShards computes them."""
    settings = staged.shards
    smallest = sorted(validation_bucket(doc_id) for doc_id in kept_ids)[:max(1, settings.min_val_documents)]
    cutoff = split_cutoff(settings.val_fraction, smallest, len(kept_ids), settings.min_val_documents)
    return cutoff, dict(Counter(split_of(doc_id, cutoff) for doc_id in kept_ids))


def _write_shards(pool, out: str, root: str, units: int, split_counts: dict[str, int], per_shard: int,
                  resources: Resources) -> list[dict]:
    """Every shard of every split (one a split with no documents gets is still written, empty)."""
    futures = []
    for split, documents in sorted(split_counts.items()):
        count = shard_count(documents, per_shard)
        for index in range(count):
            name = unit_work.piece_name(split, index, count)
            pieces = [path for u in range(units) if os.path.exists(path := os.path.join(root, "pieces", f"u{u:05d}", name))]
            futures.append(pool.submit(unit_work.assemble_shard, out, split, index, count, pieces))
    written = [future.result() for future in futures]
    for result in written:
        resources.add("write shards", result["cpu_s"], result["peak_rss_bytes"])
    return [result["shard"] for result in written]


def _write_results(out: str, root: str, units: int, fetched: dict, verdicts, tokenized: dict, shards: list) -> None:
    """_work/results.jsonl, as the one pipeline writes it, and every unit's drops into rejects/."""
    counts = Counter()
    for tally in [*fetched["tallies"].values(), *tokenized["tallies"].values()]:
        for key, n in tally["counts"]:
            counts[tuple(key)] += n
    filtered = counts[(FILTER, "kept")]
    counts[(DEDUP, "in")] += filtered
    counts[(DEDUP, "kept")] += filtered - len(verdicts.drops)
    for drop in verdicts.drops:
        counts[(DEDUP, f"dropped:{drop.reason}")] += 1
    with open(os.path.join(root, "links-results.jsonl"), encoding="utf-8") as stream:
        lines = [line.rstrip("\n") for line in stream if line.strip()]
    lines += [_result("accounting", [list(key), n]) for key, n in counts.items()]
    lines += [_result("shards", shard) for shard in shards]
    lines += [_result("dedup", [list(key), n]) for key, n in verdicts.stats]
    with WarcIndex(os.path.join(root, "warc.sqlite")) as index:
        lines += [_result("damaged", damaged._asdict()) for damaged in index.damaged()]
    os.makedirs(os.path.join(out, "_work"), exist_ok=True)
    with open(work_path(out, RESULTS_NAME), "w", encoding="utf-8") as stream:
        stream.writelines(line + "\n" for line in sorted(lines))
    os.makedirs(os.path.join(out, "rejects"), exist_ok=True)
    with open(os.path.join(out, "rejects", "drops-units.jsonl"), "w", encoding="utf-8") as stream:
        for phase in ("fetched", None, "pieces"):
            if phase is None:
                stream.writelines(unit_work.drop_json(drop) + "\n" for drop in verdicts.drops)
                continue
            for u in range(units):
                with open(os.path.join(root, phase, f"u{u:05d}", unit_work.DROPS), encoding="utf-8") as drops:
                    shutil.copyfileobj(drops, stream)
