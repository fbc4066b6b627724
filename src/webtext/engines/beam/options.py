"""Beam's options as webtext gives them (the runner always named: Beam's DirectRunner first tries to
download a Prism binary, the in-process FnApiRunner never touches the network), and what Beam's own flags
on the command line say about where, and on how many workers, the pipeline runs."""

from apache_beam.options.pipeline_options import PipelineOptions

DEFAULT_RUNNER = "FnApiRunner"
# Beam's flags that say how many workers run its pipeline, or where.
BEAM_WORKER_FLAGS = ("--direct_num_workers", "--direct_running_mode", "--num_workers", "--max_num_workers",
                     "--sdk_worker_parallelism", "--environment_type", "--job_endpoint")
LOCAL_RUNNERS = ("FnApiRunner", "DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner")


def given(beam_args: list[str], flag: str) -> bool:
    return any(token == flag or token.startswith(flag + "=") for token in beam_args)


def flag_values(beam_args: list[str], flag: str) -> list[str]:
    """The values `beam_args` give `flag` (`--flag=V` or `--flag V`)."""
    values = []
    for i, token in enumerate(beam_args):
        if token.startswith(flag + "="):
            values.append(token.split("=", 1)[1])
        elif token == flag and i + 1 < len(beam_args):
            values.append(beam_args[i + 1])
    return values


def beam_options(beam_args: list[str]) -> PipelineOptions:
    args = list(beam_args)
    if not given(args, "--runner"):
        args.append(f"--runner={DEFAULT_RUNNER}")
    if not given(args, "--default_sdk_harness_log_level"):
        args.append("--default_sdk_harness_log_level=WARNING")  # SDK workers log every bundle at INFO
    return PipelineOptions(args)


def in_process(beam_args: list[str]) -> bool:
    """Whether the pipeline's DoFns run in this process (the default runner, in-memory mode)."""
    options = beam_options(beam_args).get_all_options()
    return options["runner"] in (DEFAULT_RUNNER, "DirectRunner") and options.get("direct_running_mode") in (
        None, "in_memory")


def remote_runners(beam_args: list[str]) -> list[str]:
    """The runners Beam's flags name that are not one of this process's local runners."""
    return [r for r in flag_values(beam_args, "--runner") if r not in LOCAL_RUNNERS]
