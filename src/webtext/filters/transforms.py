"""The filter stage as a Beam transform."""

import apache_beam as beam

from webtext.filters.batches import FilterBatches
from webtext.filters.rules import BATCH_DOCUMENTS, STAGE
from webtext.filters.settings import FilterSettings
from webtext.stagekit import DROPS, Routed, route_gathered


class _Filter(beam.DoFn):
    """Documents a batch at a time (batches.py), each with its window, within a bundle."""

    def __init__(self, config: FilterSettings, batch_documents: int = BATCH_DOCUMENTS,
                 keep_dropped_text: bool = False):
        self._config = config
        self._batch_documents = batch_documents
        self._keep_dropped_text = keep_dropped_text

    def setup(self):
        self._batches = FilterBatches(self._config, doc_of=lambda gathered: gathered[0],
                                      size=self._batch_documents, keep_dropped_text=self._keep_dropped_text)

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
    """Documents -> Routed(kept documents, drops); with `keep_dropped_text` each drop carries its text."""

    def __init__(self, config: FilterSettings, keep_dropped_text: bool = False):
        super().__init__()
        self._config = config
        self._keep_dropped_text = keep_dropped_text

    def expand(self, docs):
        filtering = _Filter(self._config, keep_dropped_text=self._keep_dropped_text)
        results = docs | "Filter" >> beam.ParDo(filtering).with_outputs(DROPS, main="kept")
        return Routed(results.kept, results[DROPS])
