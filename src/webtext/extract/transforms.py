"""The extract stage as a Beam transform: trafilatura in a time-limited child process per worker."""

import apache_beam as beam

from webtext.extract.extractor import BATCH_PAGES, EXTRACTOR, STAGE, extract_document
from webtext.extract.sandbox import SandboxedCall
from webtext.stagekit import DROPS, Routed, route_gathered


class _Extract(beam.DoFn):
    """Sends pages to the child in batches and keeps one batch in flight: batch N is sent as soon as
    batch N-1's results are back, and only then are N-1's documents handed downstream (filters run
    in this thread), so the child extracts while this process filters.

    Batches rather than single pages: this process's share of a page (reading it upstream, sending
    it, building its document) then runs for many pages at a time, not once between two extractions
    that sweep the caches (bench_extract.py measures it; bench/README.md)."""

    def __init__(self, timeout_s: float, batch_pages: int = BATCH_PAGES):
        self._timeout_s = timeout_s
        self._batch_pages = batch_pages

    def setup(self):
        self._sandbox = SandboxedCall(EXTRACTOR, self._timeout_s)

    def start_bundle(self):
        self._gathered = []  # (fetch result, window, timestamp) not sent yet
        self._in_flight = []  # ... sent, results not collected yet

    def process(self, result, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        self._gathered.append((result, window, timestamp))
        if len(self._gathered) >= self._batch_pages:
            yield from self._next_batch()

    def finish_bundle(self):
        yield from self._next_batch()  # sends the last pages
        yield from self._next_batch()  # ... and collects them

    def _next_batch(self):
        """Collect the batch in flight, send the pages gathered since, then hand on the documents."""
        collected = self._in_flight
        outcomes = [extract_document(result, self._next_result) for result, _, _ in collected]
        self._in_flight, self._gathered = self._gathered, []
        self._sandbox.submit_batch([(result.html, result.final_url) for result, _, _ in self._in_flight])
        yield from route_gathered(STAGE, outcomes, collected)

    def _next_result(self, html: str, url: str):
        """The child's answer for the oldest page in flight: answers come back in the order sent."""
        return self._sandbox.collect()

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
