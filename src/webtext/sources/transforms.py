"""The sources stages as Beam transforms: read submissions, select links."""

import apache_beam as beam

from webtext.config import CorpusConfig
from webtext.sources.dumps import iter_lines
from webtext.sources.links import LINKS_STAGE, SELECT_STAGE, build_link, select_submission
from webtext.sources.submissions import STAGE as READ_STAGE
from webtext.sources.submissions import parse_submission, parse_url_line
from webtext.stagekit import classify


def _numbered_lines(path: str):
    for number, raw in iter_lines(path):
        yield f"{path}:{number}", raw


class ReadSubmissions(beam.PTransform):
    """File paths -> (raw lines, kept submissions, drops). Each file is read by one worker, streamed."""

    def __init__(self, url_lists: bool = False):
        super().__init__()
        self._parse = parse_url_line if url_lists else parse_submission

    def expand(self, paths):
        parse = self._parse
        lines = (paths
                 | "Lines" >> beam.FlatMap(_numbered_lines)
                 | "Spread" >> beam.Reshuffle())  # one file per element: spread parsing over workers
        kept, drops = classify(lines, "Parse", READ_STAGE, lambda line: parse(line[1], line[0]))
        return lines, kept, drops


class SelectLinks(beam.PTransform):
    """Submissions -> (counted submissions, links, select drops, link drops)."""

    def __init__(self, config: CorpusConfig):
        super().__init__()
        self._config = config

    def expand(self, submissions):
        config = self._config
        counted, select_drops = classify(submissions, "Select", SELECT_STAGE,
                                         lambda sub: select_submission(sub, config))
        grouped = counted | "ByURL" >> beam.GroupByKey()
        links, link_drops = classify(grouped, "Build", LINKS_STAGE,
                                     lambda item: build_link(item[0], item[1], config))
        return counted, grouped, links, select_drops, link_drops
