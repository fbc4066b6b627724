"""The units engine: the pipeline cut into units in local worker processes (launcher.py), resuming the
units an interrupted run finished."""

from collections.abc import Callable

from webtext.engines.base import RESULTS_NAME, RunInputs, RunResults, work_path
from webtext.engines.config import CorpusConfig
from webtext.engines.units.launcher import run_in_units

# Runs the read, select and links stages as Beam does (the Reddit API's sources): the engine table gives it
LinksByBeam = Callable[[CorpusConfig, list[str], list[str], str], None]


class UnitsEngine:
    def __init__(self, workers: int, unit_links: int, links_by_beam: LinksByBeam):
        self._workers, self._unit_links, self._links_by_beam = workers, unit_links, links_by_beam

    def run(self, staged: CorpusConfig, inputs: RunInputs) -> RunResults:
        run_in_units(staged, self._links_by_beam, inputs, self._workers, self._unit_links)
        with open(work_path(staged.out, RESULTS_NAME), encoding="utf-8") as stream:
            return RunResults.parse(stream)
