"""The filter stage as a Beam transform."""

import apache_beam as beam

from webtext.filters.batches import FilterBatches
from webtext.filters.rules import BATCH_DOCUMENTS, STAGE
from webtext.filters.settings import FilterSettings
from webtext.stagekit import DROPS, Routed, route_gathered


class _Filter(beam.DoFn):
    """Documents a batch at a time (batches.py), each with its window, within a bundle."""

    def __init__(self, config: FilterSettings, batch_documents: int = BATCH_DOCUMENTS):
        self._config = config
        self._batch_documents = batch_documents

    def setup(self):
        self._batches = FilterBatches(self._config, doc_of=lambda gathered: gathered[0],
                                      size=self._batch_documents)

    def start_bundle(self):
        self._batches.discard()

    def process(self, doc, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        yield from self._routed(self._batches.add([(doc, window, timestamp)]))

    def finish_bundle(self):
        yield from self._routed(self._batches.flush())

    @staticmethod
    def _routed(decided):
        yield from route_gathered(STAGE, [outcome for _, outcome in decided], [item for item, _ in decided])


class FilterDocuments(beam.PTransform):
    """Documents -> Routed(kept documents, drops)."""

    def __init__(self, config: FilterSettings):
        super().__init__()
        self._config = config

    def expand(self, docs):
        results = docs | "Filter" >> beam.ParDo(_Filter(self._config)).with_outputs(DROPS, main="kept")
        return Routed(results.kept, results[DROPS])
