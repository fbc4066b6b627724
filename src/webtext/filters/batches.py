"""Documents filtered BATCH_DOCUMENTS at a time: the filter stage's one driver, a step of the per-record
chain (engines/record_chain.py) that the Beam DoFn and the units engine's worker both run, so that both
filter in the same batches (each filter's tables stay in the caches from one document of a batch to the
next: rules.py)."""

from collections.abc import Callable
from typing import Generic, TypeVar

from webtext.filters.rules import BATCH_DOCUMENTS, STAGE, eval_filter, filter_documents
from webtext.filters.settings import FilterSettings
from webtext.filters.user_filter import load_user_filter
from webtext.records import Document, Drop, with_text

Item = TypeVar("Item")  # what the caller keeps of each document: it, or it with its Beam window


class FilterBatches(Generic[Item]):
    """Gathers documents; hands back (item, outcome) pairs a full batch at a time, and the rest at `flush`.
    The eval sets' 8-gram filter (--decontaminate) is built here, once per worker, from the files. With
    `keep_dropped_text` a drop carries its document's text."""

    stage = STAGE

    def __init__(self, config: FilterSettings, doc_of: Callable[[Item], Document] = lambda item: item,
                 size: int = BATCH_DOCUMENTS, keep_dropped_text: bool = False):
        self._config, self._doc_of, self._size = config, doc_of, size
        self._keep_dropped_text = keep_dropped_text
        self._eval_ngrams = eval_filter(config.decontaminate) if config.decontaminate else None
        self._user_filter = load_user_filter(config.filter_module) if config.filter_module else None
        self._gathered: list[Item] = []

    def push(self, items: list[Item]) -> list[tuple[Item, Document | Drop]]:
        """Gather `items`; the outcomes of every full batch gathered so far."""
        self._gathered += items
        decided = []
        while len(self._gathered) >= self._size:
            batch, self._gathered = self._gathered[: self._size], self._gathered[self._size :]
            decided += self._decide(batch)
        return decided

    def discard(self) -> None:
        """Forget what is gathered (a Beam bundle that failed part-way is retried whole)."""
        self._gathered = []

    def close(self) -> None:
        pass

    def flush(self) -> list[tuple[Item, Document | Drop]]:
        """The outcomes of what is gathered, a batch short of full."""
        batch, self._gathered = self._gathered, []
        return self._decide(batch) if batch else []

    def _decide(self, batch: list[Item]) -> list[tuple[Item, Document | Drop]]:
        # Every outcome first, then the caller's outputs: a Beam runner hands each output on to the next
        # stage at once, whose work would come between two documents' filters again.
        docs = [self._doc_of(item) for item in batch]
        outcomes = filter_documents(docs, self._config, self._eval_ngrams, self._user_filter)
        if self._keep_dropped_text:
            outcomes = [with_text(outcome, doc) for outcome, doc in zip(outcomes, docs, strict=True)]
        return list(zip(batch, outcomes, strict=True))
