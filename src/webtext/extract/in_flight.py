"""Extraction with one batch always in the child's hands: the extract stage's one driver, a step of the
per-record chain that the Beam DoFn and the units engine's worker both run.

Batch N is sent as soon as batch N-1's results are back, and only then are N-1's documents handed on,
so the child extracts while the caller filters, signs, or reads (or, live, waits for) what comes next.
Batches rather than single pages: the caller's share of a page (reading it, sending it, building its
document) then runs for many pages at a time, not once between two extractions that sweep the caches
(bench_extract.py measures it; bench/README.md)."""

from collections.abc import Callable
from typing import Generic, TypeVar

from webtext.extract.extractor import BATCH_PAGES, EXTRACTOR, STAGE, extract_document
from webtext.extract.sandbox import SandboxedCall
from webtext.records import Document, Drop, FetchResult

Item = TypeVar("Item")  # what the caller keeps of each page: the fetch result, or it with its Beam window


class ExtractStep(Generic[Item]):
    """The extract stage as a step of the per-record chain (engines/record_chain.py): pages pushed are
    gathered until `batch_pages` of them, then swapped in (one batch in flight); `flush` sends the rest
    and collects everything. A Beam DoFn pushes a page at a time (stagekit.DriveStep); a unit worker
    pushes its source's batches whole (batch_pages=1: each is sent as it comes, a live crawl's short
    ones included)."""

    stage = STAGE

    def __init__(self, sandbox: SandboxedCall, result_of: Callable[[Item], FetchResult] = lambda item: item,
                 batch_pages: int = BATCH_PAGES):
        self._sandbox, self._result_of, self._batch_pages = sandbox, result_of, batch_pages
        self.discard()

    def push(self, items: list[Item]) -> list[tuple[Item, Document | Drop]]:
        self._gathered += items
        if len(self._gathered) < self._batch_pages:
            return []
        return self._swap(self._gathered)

    def flush(self) -> list[tuple[Item, Document | Drop]]:
        return self._swap(self._gathered) + self._swap([])  # the last pages sent, then collected

    def discard(self) -> None:
        """Forget what is gathered and in flight (a Beam bundle that failed part-way is retried whole)."""
        self._gathered: list[Item] = []
        self._in_flight: list[Item] = []

    def close(self) -> None:
        self._sandbox.close()

    def start(self) -> None:
        """Start the extraction child now, without waiting for it (SandboxedCall.start)."""
        self._sandbox.start()

    def child_pid(self) -> int | None:
        return self._sandbox.pid()

    def _swap(self, batch: list[Item]) -> list[tuple[Item, Document | Drop]]:
        """Collect the batch in flight and send `batch` in its place (an empty one at the end): the
        collected batch's items, with the outcome of each (a document, or its extract drop)."""
        collected, self._in_flight, self._gathered = self._in_flight, batch, []
        outcomes = [extract_document(self._result_of(item), self._next_answer) for item in collected]
        if batch:
            self._sandbox.submit_batch([(r.html, r.final_url) for r in map(self._result_of, batch)])
        return list(zip(collected, outcomes, strict=True))

    def _next_answer(self, html: str, url: str):
        """The child's answer for the oldest page in flight: answers come back in the order sent."""
        return self._sandbox.collect()


def extract_step(timeout_s: float, item_of: Callable = lambda item: item, die_with_parent: bool = False,
                 batch_pages: int = BATCH_PAGES) -> ExtractStep:
    """The extract step with its own extraction child (`die_with_parent`: for a process's main thread
    only, sandbox.py)."""
    return ExtractStep(SandboxedCall(EXTRACTOR, timeout_s, die_with_parent=die_with_parent),
                       result_of=item_of, batch_pages=batch_pages)
