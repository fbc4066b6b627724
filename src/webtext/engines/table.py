"""The one table of engines: which runs a corpus, from --workers and Beam's flags. run/ reaches an engine
only through here; the engines never import each other (tests/test_import_graph.py)."""

import functools
import os

from webtext.engines.base import Engine
from webtext.engines.beam.engine import BeamEngine, run_links_pipeline
from webtext.engines.config import CorpusConfig
from webtext.engines.units.engine import UnitsEngine
from webtext.settings import ConfigError


def usable_cores() -> int:
    """The cores this process may use: taskset and cgroups included."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_workers(config: CorpusConfig, beam_args: list[str]) -> int:
    """--workers left out: every core this process may use (taskset and cgroups included) for a corpus
    written locally by the default runner, replayed or crawled; 0 (one Beam pipeline) for anything else."""
    if "://" in config.out or beam_args:
        return 0
    return usable_cores()


def check_workers(config: CorpusConfig, workers: int) -> None:
    """--workers runs the stages unit by unit in local processes, under a local --out."""
    if workers and "://" in config.out:
        raise ConfigError("--workers writes its units under a local --out; for gs:// or s3:// leave it out")


def engine_for(workers: int, unit_links: int, beam_args: list[str]) -> Engine:
    """0 workers: one Beam pipeline, on the runner `beam_args` name. N: N local worker processes, unit by
    unit (`unit_links` links a unit)."""
    if not workers:
        return BeamEngine(beam_args)
    return UnitsEngine(workers, unit_links, links_by_beam=functools.partial(run_links_pipeline, beam_args))
