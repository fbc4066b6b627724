"""The extract stage as a Beam transform: trafilatura in a time-limited child process per worker."""

import apache_beam as beam

from webtext.extract.extractor import STAGE, extract_document
from webtext.extract.sandbox import SandboxedCall
from webtext.stagekit import DROPS, route, windowed


EXTRACTOR = "webtext.extract.extractor:run_trafilatura"


class _Extract(beam.DoFn):
    """Keeps one page in flight in the child: page N is sent as soon as page N-1's result is back,
    and only then is N-1's document handed downstream (filters run in this thread), so the child
    extracts while this process filters."""

    def __init__(self, timeout_s: float):
        self._timeout_s = timeout_s

    def setup(self):
        self._sandbox = SandboxedCall(EXTRACTOR, self._timeout_s)

    def start_bundle(self):
        self._pending = None  # (fetch result, window, timestamp) submitted and not yet collected

    def process(self, result, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        previous = self._collect()[0] if self._pending is not None else None
        self._sandbox.submit(result.html, result.final_url)
        self._pending = (result, window, timestamp)
        if previous is not None:
            yield route(STAGE, previous)

    def finish_bundle(self):
        if self._pending is not None:
            outcome, window, timestamp = self._collect()
            yield from windowed([route(STAGE, outcome)], window, timestamp)

    def _collect(self):
        result, window, timestamp = self._pending
        self._pending = None
        return extract_document(result, lambda html, url: self._sandbox.collect()), window, timestamp

    def teardown(self):
        self._sandbox.close()


class ExtractText(beam.PTransform):
    """Fetch results -> (documents, drops)."""

    def __init__(self, timeout_s: float = 30.0):
        super().__init__()
        self._timeout_s = timeout_s

    def expand(self, results):
        outputs = results | "Extract" >> beam.ParDo(_Extract(self._timeout_s)).with_outputs(DROPS, main="kept")
        return outputs.kept, outputs[DROPS]
