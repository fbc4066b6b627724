"""The filter stage as a Beam transform."""

import apache_beam as beam

from webtext.filters.rules import BATCH_DOCUMENTS, STAGE, eval_filter, filter_documents
from webtext.filters.settings import FilterSettings
from webtext.stagekit import DROPS, Routed, route_gathered


class _Filter(beam.DoFn):
    def __init__(self, config: FilterSettings, batch_documents: int = BATCH_DOCUMENTS):
        self._config = config
        self._batch_documents = batch_documents

    def setup(self):
        # The eval sets' 8-gram filter is built once per worker, from the files themselves.
        self._eval_ngrams = eval_filter(self._config.decontaminate) if self._config.decontaminate else None

    def start_bundle(self):
        self._gathered = []  # (document, window, timestamp)

    def process(self, doc, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        self._gathered.append((doc, window, timestamp))
        if len(self._gathered) >= self._batch_documents:
            yield from self._filter_gathered()

    def finish_bundle(self):
        yield from self._filter_gathered()

    def _filter_gathered(self):
        gathered, self._gathered = self._gathered, []
        # Every outcome first, then the outputs: a runner hands each output on to the next stage
        # at once, whose work would come between two documents' filters again.
        outcomes = filter_documents([doc for doc, _, _ in gathered], self._config, self._eval_ngrams)
        yield from route_gathered(STAGE, outcomes, gathered)


class FilterDocuments(beam.PTransform):
    """Documents -> Routed(kept documents, drops)."""

    def __init__(self, config: FilterSettings):
        super().__init__()
        self._config = config

    def expand(self, docs):
        results = docs | "Filter" >> beam.ParDo(_Filter(self._config)).with_outputs(DROPS, main="kept")
        return Routed(results.kept, results[DROPS])
