"""The extract stage as a Beam transform: trafilatura in a time-limited child process per worker, one
batch of pages in flight (in_flight.ExtractStep, the step the units engine runs too)."""

import functools

import apache_beam as beam

from webtext.extract.in_flight import extract_step
from webtext.stagekit import drive_step


class ExtractText(beam.PTransform):
    """Fetch results -> Routed(documents, drops)."""

    def __init__(self, timeout_s: float = 30.0):
        super().__init__()
        self._timeout_s = timeout_s

    def expand(self, results):
        return drive_step(results, "Extract", functools.partial(extract_step, self._timeout_s))
