"""Run the corpus pipeline and write the manifest: what `webtext corpus` does, minus the CLI."""

import dataclasses
import logging
import os
import time

from apache_beam.io.filesystems import FileSystems

from webtext import interrupts
from webtext.atomic import remove_dead_writers_temporaries
from webtext.crawl.warc_out import recover_partial_files
from webtext.engines.base import RunInputs
from webtext.engines.config import CorpusConfig
from webtext.engines.settings import UnitSettings
from webtext.engines.table import check_workers, engine_for
from webtext.guard import stage_errors
from webtext.kill_points import kill_point
from webtext.reasons import TOKENIZE
from webtext.run.accounting import (
    REGROUPED,
    account_problems,
    accounting_from_counts,
    where_everything_went,
)
from webtext.run.fingerprint import run_fingerprint
from webtext.run.manifest import build_manifest, verify_shards, write_manifest
from webtext.run.out_lock import owning
from webtext.run.staging import (
    RUN_OUTPUTS,
    promote,
    recover,
    remove_unlisted_shards,
    staging_dir,
    swap_journal,
)
from webtext.sources.dumps import expand_globs

logger = logging.getLogger(__name__)

ONE_PIPELINE = UnitSettings(workers=0)  # the Beam pipeline, on whatever runner Beam's flags name

def _warc_in(out_dir: str) -> list[str]:
    """The WARC files fetching runs into this directory wrote: before a run, what it replays instead of
    fetching again; after it, what the manifest lists as inputs."""
    pattern = FileSystems.join(out_dir, "warc", "crawl-*.warc.gz")
    return sorted(m.path for r in FileSystems.match([pattern]) for m in r.metadata_list)


def run_corpus(config: CorpusConfig, beam_args: list[str], engine: UnitSettings = ONE_PIPELINE,
               command: str = "") -> dict:
    """Run the whole pipeline into a staging directory beside `config.out`, verify it, then swap it in
    (staging.py); return the manifest. A failed or interrupted run leaves `config.out` as it was.

    `engine.workers` 0: one Beam pipeline, on whatever runner `beam_args` name. N > 0: the stages unit by
    unit in N local processes (engines/units/), `engine.unit_links` links a unit, resuming the units of an
    interrupted run; the same shards. `command`: the command line, for the manifest (and so the dataset
    card)."""
    workers, unit_links = engine.workers or 0, engine.unit_links
    check_workers(config, workers)
    interrupts.started(config.out)
    with owning(config.out):  # which checks that --out can be written first
        return _run_owned(config, beam_args, workers, unit_links, command)


def _run_owned(
    config: CorpusConfig, beam_args: list[str], workers: int, unit_links: int, command: str
) -> dict:
    dumps = expand_globs(config.inputs) if config.inputs else []
    url_lists = expand_globs(config.url_lists) if config.url_lists else []
    # what a killed crawl had written page by page becomes whole files first
    if config.fetch.crawls:
        recover_partial_files(FileSystems.join(config.out, "warc"))
    warc = _warc_in(config.out) if config.fetch.crawls else expand_globs(config.fetch.warc)
    FileSystems.mkdirs(config.out) if not FileSystems.exists(config.out) else None
    # A crawl's own WARC files are its cache, not its inputs: a killed crawl's pages are there when it
    # resumes.
    inputs = dumps + url_lists + ([] if config.fetch.crawls else warc)
    fingerprint = run_fingerprint(config, inputs, unit_links, workers) if workers else None
    recover(config.out, fingerprint)
    # What writers killed in an earlier run left half-written (the swap's journal is written beside --out).
    remove_dead_writers_temporaries(config.out)
    remove_dead_writers_temporaries(os.path.dirname(os.path.abspath(config.out)),
                                    prefix=os.path.basename(swap_journal(config.out)), recursive=False)
    staged = dataclasses.replace(config, out=staging_dir(config.out))
    FileSystems.mkdirs(staged.out) if not FileSystems.exists(staged.out) else None  # a resumed run's is there
    started = time.monotonic()
    results = engine_for(workers, unit_links, beam_args).run(
        staged, RunInputs(dumps, url_lists, warc, warc_dir=FileSystems.join(config.out, "warc")))
    logger.info("pipeline finished in %.1f s", time.monotonic() - started)
    if config.fetch.crawls:  # every other mode fetched, and wrote WARC files
        warc = _warc_in(config.out) if results.shards else []
    manifest = build_manifest(
        config,
        dumps,
        url_lists,
        warc,
        accounting_from_counts(results.counts),
        results.shards,
        results.dedup_stats,
        shard_root=staged.out,
    )
    manifest["damaged_inputs"] = sorted(results.damaged, key=lambda d: d["path"])
    manifest["regrouped"] = REGROUPED
    manifest["dedup"]["examples"] = sorted(results.dedup_examples, key=lambda e: e["dropped"]["doc_id"])
    if command:
        manifest["command"] = command
    write_manifest(manifest, staged.out)
    verify_shards(manifest, staged.out)
    problems = account_problems(manifest["stages"])
    if manifest["documents"] != manifest["stages"][TOKENIZE]["kept"]:
        problems.append(f"tokenize kept {manifest['stages'][TOKENIZE]['kept']} but the shards hold "
                        f"{manifest['documents']} documents")
    if problems:
        raise BrokenAccount(problems, config.out, staged.out)
    empty = [d for d in manifest["damaged_inputs"] if d["records"] == 0]
    if empty:
        raise EmptyInputError(empty, config.out, staged.out)
    failing = {stage: counts for stage, counts in stage_errors(manifest["stages"]).items()
               if counts[0] > config.max_error_share * counts[1]}
    if failing:
        raise TooManyErrors(failing, config.max_error_share, config.out, staged.out)
    if not manifest["documents"]:  # an empty corpus never replaces one (the network down, a wrong input)
        raise NothingKept(where_everything_went(manifest["stages"]), config.out, staged.out)
    for name in RUN_OUTPUTS:  # what a writer killed in this run (a Beam worker) left is not moved in
        remove_dead_writers_temporaries(FileSystems.join(staged.out, name))
    remove_unlisted_shards(staged.out, manifest)  # nor what an earlier run left in the staging it resumed
    kill_point("before-swap")
    with interrupts.deferred():  # a Ctrl-C during the few renames of the swap counts from its end
        promote(config.out)
        interrupts.corpus_in_place()
    return manifest


class TooManyErrors(RuntimeError):
    """More records of a stage raised exceptions than --max_error_share allows: likely a bug, not bad
    input."""

    def __init__(self, failing: dict[str, tuple[int, int]], share: float, out: str, staging: str):
        named = ", ".join(f"{stage} {n} of {total}" for stage, (n, total) in failing.items())
        super().__init__(f"exceptions dropped more than {share:.1%} of a stage's records ({named}); "
                         f"see the <stage>_error lines in {staging}/rejects/ (-v logs tracebacks). The run's "
                         f"corpus is left in {staging}; {out} is unchanged")


class NothingKept(RuntimeError):
    """Every record was dropped: an empty corpus is a failed run, not a corpus."""

    def __init__(self, where: str, out: str, staging: str):
        super().__init__(f"the run kept no document: {where}. rejects/ in {staging} has each drop "
                         f"(webtext show {staging} --dropped); {out} is unchanged")


class EmptyInputError(RuntimeError):
    """An input file gave nothing at all: the run is not taken as the corpus."""

    def __init__(self, damaged: list[dict], out: str, staging: str):
        named = "; ".join(f"{d['path']} yielded nothing (unreadable at byte {d['offset']}: {d['error']})"
                          for d in damaged)
        super().__init__(f"{named}. The run's corpus is left in {staging} for a look; {out} is unchanged")


class BrokenAccount(RuntimeError):
    """The run's counts do not add up: records were lost or made between where they were written and read."""

    def __init__(self, problems: list[str], out: str, staging: str):
        super().__init__(
            f"the run's accounting does not add up ({'; '.join(problems)}): records were lost between "
            f"stages (a damaged unit file, or a bug), so the corpus is not taken. It is left in "
            f"{staging} for a look; {out} is unchanged. Delete {staging} and run again"
        )
