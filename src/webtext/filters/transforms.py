"""The filter stage as a Beam transform."""

import apache_beam as beam

from webtext.config import CorpusConfig
from webtext.filters.rules import STAGE, filter_document
from webtext.stagekit import classify


class FilterDocuments(beam.PTransform):
    """Documents -> (kept documents, drops)."""

    def __init__(self, config: CorpusConfig):
        super().__init__()
        self._config = config

    def expand(self, docs):
        config = self._config
        return classify(docs, "Filter", STAGE, lambda doc: filter_document(doc, config))
