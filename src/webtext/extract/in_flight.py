"""Extraction with one batch always in the child's hands: the extract stage's one driver, which the Beam
DoFn and the units engine's worker both call.

Batch N is sent as soon as batch N-1's results are back, and only then are N-1's documents handed on,
so the child extracts while the caller filters, signs, or reads (or, live, waits for) what comes next.
Batches rather than single pages: the caller's share of a page (reading it, sending it, building its
document) then runs for many pages at a time, not once between two extractions that sweep the caches
(bench_extract.py measures it; bench/README.md)."""

from collections.abc import Callable
from typing import Generic, TypeVar

from webtext.extract.extractor import extract_document
from webtext.extract.sandbox import SandboxedCall
from webtext.records import Document, Drop, FetchResult

Item = TypeVar("Item")  # what the caller keeps of each page: the fetch result, or it with its Beam window


class OneBatchInFlight(Generic[Item]):
    def __init__(self, sandbox: SandboxedCall, result_of: Callable[[Item], FetchResult] = lambda item: item):
        self._sandbox, self._result_of = sandbox, result_of
        self._in_flight: list[Item] = []

    def swap(self, batch: list[Item]) -> tuple[list[Item], list[Document | Drop]]:
        """Collect the batch in flight and send `batch` in its place (an empty one at the end): the
        collected batch's items, with the outcome of each (a document, or its extract drop)."""
        collected = self._in_flight
        outcomes = [extract_document(self._result_of(item), self._next_answer) for item in collected]
        self._in_flight = batch
        if batch:
            self._sandbox.submit_batch([(r.html, r.final_url) for r in map(self._result_of, batch)])
        return collected, outcomes

    def _next_answer(self, html: str, url: str):
        """The child's answer for the oldest page in flight: answers come back in the order sent."""
        return self._sandbox.collect()
