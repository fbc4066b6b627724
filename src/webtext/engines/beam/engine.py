"""The Beam engine: the whole pipeline as one Beam graph (graph.py), on whatever runner Beam's flags name;
and the graph's first three stages alone, which the units engine runs for the Reddit API's sources."""

from apache_beam import Pipeline
from apache_beam.io.filesystems import FileSystems

from webtext.engines.base import RESULTS_NAME, RunInputs, RunResults, work_path
from webtext.engines.beam.graph import build_links_pipeline, build_pipeline
from webtext.engines.beam.options import beam_options
from webtext.engines.config import CorpusConfig


class BeamEngine:
    def __init__(self, beam_args: list[str]):
        self._beam_args = list(beam_args)

    def run(self, staged: CorpusConfig, inputs: RunInputs) -> RunResults:
        with Pipeline(options=beam_options(self._beam_args)) as pipeline:
            build_pipeline(pipeline, staged, inputs.dumps, inputs.url_lists, inputs.warc,
                           warc_dir=inputs.warc_dir)
        # read through Beam's filesystems: on a cluster the results file is where its workers wrote it
        with FileSystems.open(work_path(staged.out, RESULTS_NAME)) as stream:
            return RunResults.parse(stream.read().decode("utf-8").splitlines())


def run_links_pipeline(beam_args: list[str], staged: CorpusConfig, dumps: list[str], url_lists: list[str],
                       results_path: str) -> None:
    """The read, select and links stages as one Beam pipeline in this process: links/, their rejects and
    results (at `results_path`) in `staged.out`."""
    with Pipeline(options=beam_options(beam_args)) as pipeline:
        build_links_pipeline(pipeline, staged, dumps, url_lists, results_path)
