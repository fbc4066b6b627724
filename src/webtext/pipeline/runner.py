"""Run the corpus pipeline and write the manifest: what `webtext corpus` does, minus the CLI."""

import dataclasses
import json
import logging
import os
import time

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from webtext import interrupts
from webtext.atomic import remove_dead_writers_temporaries
from webtext.crawl.warc_out import recover_partial_files
from webtext.guard import stage_errors
from webtext.kill_points import kill_point
from webtext.pipeline.accounting import (
    REGROUPED,
    account_problems,
    accounting_from_counts,
    where_everything_went,
)
from webtext.pipeline.build import RESULTS_NAME, build_pipeline, work_path
from webtext.pipeline.config import CorpusConfig
from webtext.pipeline.fingerprint import run_fingerprint
from webtext.pipeline.manifest import build_manifest, verify_shards, write_manifest
from webtext.pipeline.out_lock import owning
from webtext.pipeline.staging import (
    RUN_OUTPUTS,
    promote,
    recover,
    remove_unlisted_shards,
    staging_dir,
    swap_journal,
)
from webtext.reasons import TOKENIZE
from webtext.settings import ConfigError
from webtext.sources.dumps import expand_globs
from webtext.units.settings import UnitSettings

logger = logging.getLogger(__name__)

# Beam's DirectRunner first tries to download a Prism binary; the in-process
# FnApiRunner never touches the network.
DEFAULT_RUNNER = "FnApiRunner"


ONE_PIPELINE = UnitSettings(workers=0)  # the Beam pipeline, on whatever runner Beam's flags name

def _given(args: list[str], flag: str) -> bool:
    return any(a == flag or a.startswith(flag + "=") for a in args)


def beam_options(beam_args: list[str]) -> PipelineOptions:
    args = list(beam_args)
    if not _given(args, "--runner"):
        args.append(f"--runner={DEFAULT_RUNNER}")
    if not _given(args, "--default_sdk_harness_log_level"):
        args.append("--default_sdk_harness_log_level=WARNING")  # SDK workers log every bundle at INFO
    return PipelineOptions(args)


def in_process(beam_args: list[str]) -> bool:
    """Whether the pipeline's DoFns run in this process (the default runner, in-memory mode)."""
    options = beam_options(beam_args).get_all_options()
    return options["runner"] in (DEFAULT_RUNNER, "DirectRunner") and options.get("direct_running_mode") in (
        None, "in_memory")


def _warc_in(out_dir: str) -> list[str]:
    """The WARC files fetching runs into this directory wrote: before a run, what it replays instead of
    fetching again; after it, what the manifest lists as inputs."""
    pattern = FileSystems.join(out_dir, "warc", "crawl-*.warc.gz")
    return sorted(m.path for r in FileSystems.match([pattern]) for m in r.metadata_list)


def _read_json_lines(path: str) -> list:
    with FileSystems.open(path) as stream:
        return [json.loads(line) for line in stream.read().decode("utf-8").splitlines() if line.strip()]


def default_workers(config: CorpusConfig, beam_args: list[str]) -> int:
    """--workers left out: every core this process may use (taskset and cgroups included) for a corpus
    written locally by the default runner, replayed or crawled; 0 (one Beam pipeline) for anything else."""
    if "://" in config.out or beam_args:
        return 0
    return usable_cores()


def usable_cores() -> int:
    """The cores this process may use: taskset and cgroups included."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_workers(config: CorpusConfig, workers: int) -> None:
    """--workers runs the stages unit by unit in local processes (units/), under a local --out."""
    if workers and "://" in config.out:
        raise ConfigError("--workers writes its units under a local --out; for gs:// or s3:// leave it out")


def run_corpus(config: CorpusConfig, beam_args: list[str], engine: UnitSettings = ONE_PIPELINE,
               command: str = "") -> dict:
    """Run the whole pipeline into a staging directory beside `config.out`, verify it, then swap it in
    (staging.py); return the manifest. A failed or interrupted run leaves `config.out` as it was.

    `engine.workers` 0: one Beam pipeline, on whatever runner `beam_args` name. N > 0: the stages unit by
    unit in N local processes (units/), `engine.unit_links` links a unit, resuming the units of an
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
    if workers:
        from webtext.units.plan import run_in_units

        run_in_units(staged, beam_options(beam_args), dumps, url_lists, warc, workers, unit_links,
                     warc_dir=os.path.join(config.out, "warc"))
    else:
        with beam.Pipeline(options=beam_options(beam_args)) as pipeline:
            build_pipeline(
                pipeline, staged, dumps, url_lists, warc, warc_dir=FileSystems.join(config.out, "warc")
            )
    logger.info("pipeline finished in %.1f s", time.monotonic() - started)
    results = {"accounting": [], "shards": [], "dedup": [], "damaged": [], "dedup_example": []}
    for kind, value in _read_json_lines(work_path(staged.out, RESULTS_NAME)):
        results[kind].append(value)
    counts = [((stage, outcome), n) for (stage, outcome), n in results["accounting"]]
    shards = results["shards"]
    if config.fetch.crawls:  # every other mode fetched, and wrote WARC files
        warc = _warc_in(config.out) if shards else []
    dedup_stats = results["dedup"]
    manifest = build_manifest(
        config,
        dumps,
        url_lists,
        warc,
        accounting_from_counts(counts),
        shards,
        dedup_stats,
        shard_root=staged.out,
    )
    manifest["damaged_inputs"] = sorted(results["damaged"], key=lambda d: d["path"])
    manifest["regrouped"] = REGROUPED
    manifest["dedup"]["examples"] = sorted(results["dedup_example"], key=lambda e: e["dropped"]["doc_id"])
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
