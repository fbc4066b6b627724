"""Flags that cannot work together, refused before anything runs (one line, exit 2), and flags that work
but are likely a mistake (a warning).

`--workers N` runs the pipeline in N processes on this machine; Beam's runner and worker flags run one
Beam pipeline somewhere. Given both, one of them would be silently ignored: a Dataflow job that ran
locally, or Beam's worker count dropped without a word.
"""

from webtext.engines.beam.options import BEAM_WORKER_FLAGS, flag_values, given, remote_runners
from webtext.engines.config import CorpusConfig
from webtext.evalsets import parse_named
from webtext.filters.user_filter import load_user_filter
from webtext.settings import ConfigError
from webtext.sources.dumps import UnsupportedDumpError, check_dump_name, expand_globs
from webtext.sources.input_kind import check_kind


def check_runner(beam_args: list[str]) -> None:
    """ConfigError for a --runner Beam does not know."""
    for name in flag_values(beam_args, "--runner"):
        from apache_beam.runners.runner import create_runner

        try:
            create_runner(name)
        except ValueError as error:
            raise ConfigError(f"--runner {name}: {str(error).splitlines()[0]}") from None
        except ImportError as error:
            raise ConfigError(f"--runner {name} needs what is not installed here: {error}") from None


def check_engine(beam_args: list[str], workers: int, workers_given: bool) -> None:
    """ConfigError when --workers and Beam's own runner or worker flags would both decide where it runs."""
    runners = remote_runners(beam_args)
    if workers and workers_given and runners:
        raise ConfigError(
            f"--workers runs the pipeline on this machine and --runner {runners[0]} runs it as one "
            f"Beam pipeline there: leave one of them out"
        )
    beam_workers = [flag for flag in BEAM_WORKER_FLAGS if given(beam_args, flag)]
    if workers and beam_workers:
        raise ConfigError(
            f"{beam_workers[0]} is Beam's, for one Beam pipeline; with --workers webtext runs its "
            f"own processes: use --workers N, or --workers 0 with {beam_workers[0]}"
        )
    modes = flag_values(beam_args, "--direct_running_mode")
    if not workers and given(beam_args, "--direct_num_workers") and not (modes and modes[-1] != "in_memory"):
        raise ConfigError(
            "--direct_num_workers needs --direct_running_mode multi_processing (or multi_threading) "
            "to have any effect; for every core on this machine, leave both out (--workers)"
        )


def known_languages() -> frozenset[str]:
    import py3langid
    import py3langid.langid

    py3langid.classify("")  # loads the model, which knows its languages
    return frozenset(py3langid.langid.IDENTIFIER.nb_classes)


def check_config(config: CorpusConfig) -> None:
    """ConfigError for a --languages code the language identifier does not know (it would keep nothing), an
    input whose name says it is no dump or URL list, an eval set that is not there."""
    unknown = [code for code in config.filters.languages if code and code not in known_languages()]
    if unknown:
        raise ConfigError(
            f"--languages {','.join(unknown)}: not a language py3langid knows (ISO 639-1 codes such "
            f"as en, de, fr); the filter would keep nothing"
        )
    for flag, patterns in (("--input", config.inputs), ("--urls", config.url_lists)):
        for path in expand_globs(patterns) if patterns else []:
            try:
                check_dump_name(path)
            except UnsupportedDumpError as error:
                raise ConfigError(f"{flag}: {error}") from None
            check_kind(flag, path)
    if config.fetch.mode == "replay":
        for path in expand_globs(config.fetch.warc) if config.fetch.warc else []:
            check_kind("--warc", path)
    if config.filters.filter_module:
        load_user_filter(config.filters.filter_module)  # importable here, or one line now
    for spec in config.filters.decontaminate:
        try:
            expand_globs([parse_named(spec)[1]])
        except (FileNotFoundError, IsADirectoryError) as error:
            raise ConfigError(f"--decontaminate {spec}: {error}") from None


def too_many_workers(workers: int, cores: int) -> str | None:
    """A warning when more workers than usable cores were asked for: they only take turns (and memory)."""
    if workers > cores:
        return (
            f"warning: --workers {workers} on {cores} usable core(s): the extra workers only take turns and "
            f"use memory; --workers {cores} (the default) is as fast"
        )
    return None
