"""The per-record chain, declared once: what happens to each fetched page on its own, before the global
dedup step: extract -> filter -> sign.

Each step is its stage's own driver behind one interface (stagekit.Step: push items, flush at the end,
(item, outcome) pairs back), so the Beam engine runs PER_RECORD as one DoFn a step (graph.py, through
stagekit.drive_step) and a unit worker runs the same steps in one loop (RecordChain, worker.py): the
same batches, the same outcomes. The fetch stage (replay, or a live crawl) is the chain's source, not
a step: a worker hands its batches of pages in; Beam's fetch transforms come before it.
"""

from collections.abc import Callable

from webtext.dedup.over_signatures import SignStep
from webtext.engines.config import CorpusConfig
from webtext.extract.in_flight import ExtractStep, extract_step
from webtext.filters.batches import FilterBatches
from webtext.stagekit import Step


def _same(item):
    return item


def extracting(config: CorpusConfig, item_of=_same, **options) -> ExtractStep:
    """trafilatura in a time-limited child process, one batch of pages in flight (`options`: in_flight's
    extract_step's)."""
    return extract_step(config.extract.timeout_s, item_of, **options)


def filtering(config: CorpusConfig, item_of=_same) -> FilterBatches:
    """The filters, a batch of documents at a time; with --keep_dropped_text a drop keeps its text."""
    return FilterBatches(config.filters, doc_of=item_of, keep_dropped_text=config.keep_dropped_text)


def signing(config: CorpusConfig, item_of=_same) -> SignStep:
    """Each kept document's exact key, dedup member and MinHash signature: (document, Signed)."""
    return SignStep(config.dedup, doc_of=item_of)


# The chain: each entry makes its step from the run's config (and how to find the record in an item).
PER_RECORD: tuple[Callable[..., Step], ...] = (extracting, filtering, signing)


class RecordChain:
    """Steps run in one loop: a batch pushed through each in turn, each step's outcomes handed to
    `count(stage, outcomes)`, which keeps its tally and returns the kept records that go on."""

    def __init__(self, steps: list[Step], count: Callable[[str, list], list], clock,
                 cpu_names: dict[str, str] | None = None):
        """`clock.timing(name)`: a context that counts the CPU seconds spent in it under `name`
        (unit_dir.Tally's); `cpu_names`: a stage's seconds under another name (sign: "signatures")."""
        self._steps, self._count, self._clock = steps, count, clock
        self._names = cpu_names or {}

    def push(self, items: list) -> list:
        """What the last step kept of everything decided so far."""
        for step in self._steps:
            items = self._run(step, step.push, items) if items else []
        return items

    def flush(self) -> list:
        """Each step flushed in turn, what it held going through the steps after it."""
        items: list = []
        for step in self._steps:
            items = (self._run(step, step.push, items) if items else []) + self._run(step, step.flush)
        return items

    def _run(self, step: Step, call, *args) -> list:
        with self._clock.timing(self._names.get(step.stage, step.stage)):
            decided = call(*args)
        return self._count(step.stage, [outcome for _, outcome in decided])
