"""The filter stage as a Beam transform: documents a batch at a time (batches.FilterBatches, the step the
units engine runs too)."""

import functools

import apache_beam as beam

from webtext.filters.batches import FilterBatches
from webtext.filters.settings import FilterSettings
from webtext.stagekit import drive_step


class FilterDocuments(beam.PTransform):
    """Documents -> Routed(kept documents, drops); with `keep_dropped_text` each drop carries its text."""

    def __init__(self, config: FilterSettings, keep_dropped_text: bool = False):
        super().__init__()
        self._config = config
        self._keep_dropped_text = keep_dropped_text

    def expand(self, docs):
        make = functools.partial(_filter_step, self._config, self._keep_dropped_text)
        return drive_step(docs, "Filter", make)


def _filter_step(config: FilterSettings, keep_dropped_text: bool, item_of) -> FilterBatches:
    return FilterBatches(config, doc_of=item_of, keep_dropped_text=keep_dropped_text)
