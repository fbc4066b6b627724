"""The filter stage as a Beam transform."""

import apache_beam as beam
from apache_beam.metrics import Metrics

from webtext.config import CorpusConfig
from webtext.filters.rules import STAGE, eval_filter, filter_document
from webtext.records import Drop
from webtext.stagekit import DROPS, counter_namespace


class _Filter(beam.DoFn):
    def __init__(self, config: CorpusConfig):
        self._config = config

    def setup(self):
        # The eval sets' 8-gram filter is built once per worker, from the files themselves.
        self._eval_ngrams = eval_filter(self._config.decontaminate) if self._config.decontaminate else None

    def process(self, doc):
        outcome = filter_document(doc, self._config, self._eval_ngrams)
        if isinstance(outcome, Drop):
            Metrics.counter(counter_namespace(STAGE), f"dropped_{outcome.reason}").inc()
            yield beam.pvalue.TaggedOutput(DROPS, outcome)
        else:
            Metrics.counter(counter_namespace(STAGE), "kept").inc()
            yield outcome


class FilterDocuments(beam.PTransform):
    """Documents -> (kept documents, drops)."""

    def __init__(self, config: CorpusConfig):
        super().__init__()
        self._config = config

    def expand(self, docs):
        results = docs | "Filter" >> beam.ParDo(_Filter(self._config)).with_outputs(DROPS, main="kept")
        return results.kept, results[DROPS]
