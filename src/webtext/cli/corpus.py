"""The `webtext corpus` command: its flags, the config they make, and the run with progress and summary."""

import argparse
import contextlib
import dataclasses
import os
import shlex
import sys
import time

from webtext.cli.summary import damage_warnings, error_warnings, format_summary, resource_lines
from webtext.crawl.safety import BlockedAddress, DNSFailure
from webtext.crawl.settings import FetchSettings
from webtext.engines.beam.runner_errors import (
    RunnerUnreachable,
    check_endpoints,
    no_filesystem,
    remote_runner,
    runner_failure,
)
from webtext.engines.config import SECTIONS, CorpusConfig
from webtext.engines.settings import UnitSettings
from webtext.engines.units.pool import UnitFailed
from webtext.interrupts import interrupted
from webtext.os_errors import as_os_error, describe, is_out_of_space
from webtext.run.out_lock import owning
from webtext.settings import ConfigError, add_arguments, from_arguments
from webtext.sources.reddit_api import Listing, RedditCredentialsError, connect

# Each section's flags, generated from its fields (settings.py), under a heading of its own.
SECTION_HEADINGS = {
    "links": "link rules (which submissions count, which links are kept)",
    "fetch": "fetching (live, archived copies, replay)",
    "extract": "extraction",
    "filters": "document filters",
    "dedup": "near-duplicate removal",
    "shards": "splits and shards",
}


def add_corpus_parser(sub) -> None:
    p = sub.add_parser(
        "corpus",
        help="build a corpus: submissions -> links -> pages -> text -> shards",
        description="Build a WebText-style corpus: replayed or crawled, unit by unit in worker processes "
        "on this machine (--workers, every core by default); with --workers 0 or a cluster's --runner, as "
        "one Beam pipeline. Flags this command does not know (--runner, --project, ...) go to Beam.",
    )
    p.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="GLOB",
        help="Pushshift-format dump(s): .zst (2 GiB window ok), .jsonl, .gz, .xz, .bz2; local or gs://, "
             "s3://",
    )
    p.add_argument(
        "--urls", action="append", default=[], metavar="GLOB", help="plain URL list(s), one URL a line"
    )
    p.add_argument(
        "--reddit_listing",
        action="append",
        default=[],
        metavar="SPEC",
        help="fresh links from the Reddit API: subreddit[:sort[:time_filter[:limit]]] (repeatable); "
        "credentials from praw_client_id/praw_client_secret or praw.ini",
    )
    p.add_argument(
        "--rescore",
        action="store_true",
        help="refresh the scores of counted submissions through the Reddit API before the karma rule",
    )
    p.add_argument("--reddit_api_url", default="", help="send Reddit API calls here instead (a proxy)")
    p.add_argument("--sample", action="store_true", help="use the bundled sample (dump + WARC), offline")
    p.add_argument("--out", default="out", help="output directory (default: out)")
    fetch_mode = FetchSettings.__dataclass_fields__["mode"].metadata["help"]
    p.add_argument(
        "--fetch", default=None, metavar="MODE", help=fetch_mode + " (default: replay with --warc, else live)"
    )
    p.add_argument("--warc", action="append", default=[], metavar="GLOB", help="WARC file(s) to replay")
    p.add_argument(
        "--max_error_share",
        type=float,
        default=CorpusConfig.max_error_share,
        help="fail the run (exit 1, the previous corpus kept) when exceptions dropped more than this "
        f"share of a stage's records as <stage>_error (default: {CorpusConfig.max_error_share})",
    )
    p.add_argument(
        "--accept_damaged_inputs",
        action="store_true",
        help="take inputs that could be read only in part (a truncated dump or WARC) as they are: a "
        f"warning, exit 0. Without it the corpus is still written, but the run exits "
        f"{DAMAGED_INPUTS_EXIT} and `webtext verify` fails on it",
    )
    p.add_argument(
        "--keep_dropped_text",
        action="store_true",
        help="keep the text of the documents the filter and dedup stages drop, in rejects/ (`webtext show "
        "OUT --dropped` prints it); rejects/ grows by about the size of those documents",
    )
    p.add_argument(
        "--no_quality_filters",
        action="store_const",
        dest="filters",
        const="none",
        default=argparse.SUPPRESS,
        help="the same as --filters none (kept for earlier command lines)",
    )
    for name, section in SECTIONS.items():
        add_arguments(p.add_argument_group(SECTION_HEADINGS[name]), section)
    add_arguments(p.add_argument_group("one machine, unit by unit"), UnitSettings)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--no_report", action="store_true", help="skip report.html and stats.json at the end")


def config_from(args) -> CorpusConfig:
    inputs, warc, fetch = list(args.input), list(args.warc), args.fetch
    if fetch and fetch.startswith("replay:"):
        fetch, warc = "replay", warc + [fetch.removeprefix("replay:")]
    if args.sample:
        from webtext.sample.paths import sample_dump, sample_warc
        inputs.append(sample_dump())
        warc.append(sample_warc())
    fixed = {"fetch": {"mode": fetch or ("replay" if warc else "live"), "warc": tuple(warc)}}
    return CorpusConfig(
        inputs=tuple(inputs), url_lists=tuple(args.urls), reddit_listings=tuple(args.reddit_listing),
        rescore=args.rescore, reddit_api_url=args.reddit_api_url, out=args.out.rstrip("/") or "/",
        max_error_share=args.max_error_share, accept_damaged_inputs=args.accept_damaged_inputs,
        keep_dropped_text=args.keep_dropped_text,
        **{name: from_arguments(section, args, **fixed.get(name, {})) for name, section in SECTIONS.items()})


@contextlib.contextmanager
def _inherited_stderr_silenced():
    """File descriptor 2 points at /dev/null within (for child processes started meanwhile), then back."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _run_info(out: str) -> dict:
    import json

    from webtext.engines.base import RUN_NAME, work_path

    with open(work_path(out, RUN_NAME), encoding="utf-8") as stream:
        return json.load(stream)


def _check_reddit_credentials(config: CorpusConfig) -> None:
    """Fail before the pipeline starts, with what to set, when the API is needed and unusable."""
    if config.reddit_listings or config.rescore:
        for spec in config.reddit_listings:
            Listing.parse(spec)
        connect(config.fetch.user_agent, config.reddit_api_url)


def _settled(args, beam_args: list[str]) -> tuple[CorpusConfig, UnitSettings]:
    """The run's config and engine settings from the flags, each setting checked once: ConfigError (or a
    FileNotFoundError, IsADirectoryError for an input) where one cannot be."""
    from webtext.cli.flag_conflicts import check_config, check_engine, check_runner
    from webtext.engines.table import default_workers

    config = config_from(args)
    engine = from_arguments(UnitSettings, args)
    if engine.workers is None:
        engine = dataclasses.replace(engine, workers=default_workers(config, beam_args))
    check_runner(beam_args)
    check_engine(beam_args, engine.workers, workers_given=args.workers is not None)
    check_config(config)
    return config, engine


def _one_line_exits() -> dict[type, int]:
    """A run's errors said in one line, each with its exit status: 2 for what the user gave, 1 for a run
    that stopped (before its swap: the previous corpus in place). Others go to cli.main's tail."""
    from webtext.run.corpus_run import BrokenAccount, EmptyInputError, NothingKept, TooManyErrors

    return {**dict.fromkeys((FileNotFoundError, RedditCredentialsError, ConfigError, BlockedAddress,
                             DNSFailure), 2),
            **dict.fromkeys((EmptyInputError, TooManyErrors, BrokenAccount, NothingKept, UnitFailed,
                             RunnerUnreachable), 1)}


def run_corpus_command(args, beam_args: list[str]) -> int:
    from webtext.cli.flag_conflicts import too_many_workers
    from webtext.cli.progress_view import ProgressView
    from webtext.engines.beam.options import in_process
    from webtext.engines.table import usable_cores
    from webtext.run.corpus_run import run_corpus

    try:
        config, engine = _settled(args, beam_args)
    except (ConfigError, FileNotFoundError, IsADirectoryError) as error:
        print(f"webtext corpus: {error}", file=sys.stderr)
        return 2
    workers = engine.workers
    if warning := too_many_workers(workers, usable_cores()):
        print(warning, file=sys.stderr)
    started = time.monotonic()
    if args.quiet:
        # The worker processes of an out-of-process runner log to the stderr they inherit, at INFO
        # before any option of ours reaches them; quiet means they inherit none. Errors still come
        # back to this process as the pipeline's exception, printed after.
        view = contextlib.nullcontext() if in_process(beam_args) else _inherited_stderr_silenced()
    elif in_process(beam_args):
        view = ProgressView(sys.stdout)
    else:  # workers are other processes: their counters show in the runner's UI, and in the summary below
        print("running; per-stage progress is in the runner's UI (Beam counters webtext.<stage>)", flush=True)
        view = contextlib.nullcontext()
    one_line = _one_line_exits()
    with contextlib.ExitStack() as owner:  # one owner of --out for the run and its report
        try:
            owner.enter_context(owning(config.out))
            check_endpoints(beam_args)
            _check_reddit_credentials(config)
            if config.fetch.proxy:
                from webtext.crawl.fetch import check_proxy

                check_proxy(config.fetch.proxy, config.fetch.allow_origins)
            with view:
                manifest = run_corpus(config, beam_args, engine=engine,
                                      command=shlex.join(["webtext", *getattr(args, "argv", ["corpus"])]))
        except tuple(one_line) as error:
            unchanged = f"; {config.out} is unchanged" if isinstance(error, UnitFailed) else ""
            print(f"webtext corpus: {error}{unchanged}", file=sys.stderr)
            return next(status for kind, status in one_line.items() if isinstance(error, kind))
        except Exception as error:  # noqa: BLE001 (a full disk; a runner's own error; the rest re-raised)
            if is_out_of_space(error):
                print(f"webtext corpus: {out_of_space(as_os_error(error), config.out)}", file=sys.stderr)
                return 1
            if line := no_filesystem(error):
                print(f"webtext corpus: {line}", file=sys.stderr)
                return 2
            if (runner := remote_runner(beam_args)) and not interrupted():
                print(f"webtext corpus: {runner_failure(runner, error)}", file=sys.stderr)
                return 1
            raise
        try:
            return _report_and_summary(args, config, manifest, workers, started)
        except Exception as error:  # noqa: BLE001 (a full disk; the rest re-raised)
            if not is_out_of_space(error):
                raise
            print(f"webtext corpus: {describe(as_os_error(error))}: the new corpus is in place in "
                  f"{config.out}, its report or card is not; `webtext report` and `webtext card` write them "
                  "once the disk has room", file=sys.stderr)
            return 1


def _report_and_summary(args, config: CorpusConfig, manifest: dict, workers: int, started: float) -> int:
    from webtext.engines.table import usable_cores

    if not args.no_report:
        from webtext.filters.presets import kept_scores
        from webtext.report.html import write_report
        # A large corpus's report reads its shards in --workers processes, or on every core after the
        # one Beam pipeline.
        write_report(config.out, rule_scores=kept_scores, workers=workers or usable_cores())
        from webtext.report.card import card_for

        card_for(config.out)  # the folder a Hugging Face dataset: README.md and croissant.json
    if not args.quiet:
        print(format_summary(manifest, config.out, time.monotonic() - started, report=not args.no_report))
        if workers:
            print("\n".join(resource_lines(_run_info(config.out))))
    else:
        for warning in error_warnings(manifest) + (
            damage_warnings(manifest) if config.accept_damaged_inputs else []
        ):
            print(warning, file=sys.stderr)
    return damaged_inputs_exit(manifest, config.out, "webtext corpus")


def out_of_space(error: OSError, out: str) -> str:
    """A full disk (or quota) in one line: the path, the error's name, and what --out holds now."""
    from webtext.run.staging import SwapFailed, staging_dir, swap_journal

    where = describe(error)
    if isinstance(error, SwapFailed):
        return f"{where} during the swap: {error.state}"
    if os.path.exists(swap_journal(out)):
        return f"{where}: a swap was cut off; `webtext verify {out}` finishes it once the disk has room"
    return (f"{where}: the run stopped before its swap; the previous corpus in {out} is in place "
            f"({staging_dir(out)} holds this run's part: delete it to free the space)")


# The exit status of a run, or a verify, whose corpus was built from inputs read only in part.
DAMAGED_INPUTS_EXIT = 3


def damaged_inputs_exit(manifest: dict, out: str, command: str) -> int:
    """0, or DAMAGED_INPUTS_EXIT with each damaged input on stderr when they were not accepted."""
    damaged = manifest.get("damaged_inputs", [])
    if not damaged or manifest["config"].get("accept_damaged_inputs"):
        return 0
    for d in damaged:
        print(f"{command}: {d['path']}: read only in part ({d['records']} records, then unreadable at byte "
              f"{d['offset']}: {d['error']})", file=sys.stderr)
    print(
        f"{command}: the corpus in {out} was built from {len(damaged)} input(s) read only in part (exit "
        f"{DAMAGED_INPUTS_EXIT}); mend them, or run again with --accept_damaged_inputs to take them as they "
        "are",
        file=sys.stderr,
    )
    return DAMAGED_INPUTS_EXIT
