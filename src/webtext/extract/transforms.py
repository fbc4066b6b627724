"""The extract stage as a Beam transform."""

import apache_beam as beam

from webtext.extract.extractor import STAGE, extract_document
from webtext.stagekit import classify


class ExtractText(beam.PTransform):
    """Fetch results -> (documents, drops)."""

    def expand(self, results):
        return classify(results, "Extract", STAGE, extract_document)
