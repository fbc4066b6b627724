"""The extract stage as a Beam transform: trafilatura in a time-limited child process per worker."""

import apache_beam as beam

from webtext.extract.extractor import BATCH_PAGES, EXTRACTOR, STAGE
from webtext.extract.in_flight import OneBatchInFlight
from webtext.extract.sandbox import SandboxedCall
from webtext.stagekit import DROPS, Routed, route_gathered


class _Extract(beam.DoFn):
    """Pages to the child in batches, one batch in flight (in_flight.py): the documents of batch N-1 go
    downstream (filters run in this thread) while the child extracts batch N."""

    def __init__(self, timeout_s: float, batch_pages: int = BATCH_PAGES):
        self._timeout_s = timeout_s
        self._batch_pages = batch_pages

    def setup(self):
        self._sandbox = SandboxedCall(EXTRACTOR, self._timeout_s)

    def start_bundle(self):
        self._gathered = []  # (fetch result, window, timestamp) not sent yet
        self._batches = OneBatchInFlight(self._sandbox, result_of=lambda gathered: gathered[0])

    def process(self, result, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        self._gathered.append((result, window, timestamp))
        if len(self._gathered) >= self._batch_pages:
            yield from self._next_batch()

    def finish_bundle(self):
        yield from self._next_batch()  # sends the last pages
        yield from self._next_batch()  # ... and collects them

    def _next_batch(self):
        """Collect the batch in flight, send the pages gathered since, then hand on the documents."""
        collected, outcomes = self._batches.swap(self._gathered)
        self._gathered = []
        yield from route_gathered(STAGE, outcomes, collected)

    def teardown(self):
        self._sandbox.close()


class ExtractText(beam.PTransform):
    """Fetch results -> Routed(documents, drops)."""

    def __init__(self, timeout_s: float = 30.0):
        super().__init__()
        self._timeout_s = timeout_s

    def expand(self, results):
        outputs = results | "Extract" >> beam.ParDo(_Extract(self._timeout_s)).with_outputs(
            DROPS, main="kept"
        )
        return Routed(outputs.kept, outputs[DROPS])
