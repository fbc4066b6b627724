"""The filter stage as a Beam transform."""

import apache_beam as beam

from webtext.config import CorpusConfig
from webtext.filters.rules import STAGE, eval_filter, filter_document
from webtext.stagekit import DROPS, route


class _Filter(beam.DoFn):
    def __init__(self, config: CorpusConfig):
        self._config = config

    def setup(self):
        # The eval sets' 8-gram filter is built once per worker, from the files themselves.
        self._eval_ngrams = eval_filter(self._config.decontaminate) if self._config.decontaminate else None

    def process(self, doc):
        yield route(STAGE, filter_document(doc, self._config, self._eval_ngrams))


class FilterDocuments(beam.PTransform):
    """Documents -> (kept documents, drops)."""

    def __init__(self, config: CorpusConfig):
        super().__init__()
        self._config = config

    def expand(self, docs):
        results = docs | "Filter" >> beam.ParDo(_Filter(self._config)).with_outputs(DROPS, main="kept")
        return results.kept, results[DROPS]
