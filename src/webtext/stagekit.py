"""What every stage shares: routing drops to their own output with a Beam counter.

A stage's pure functions return either the kept value or a `Drop`; `Classify`
runs such a function over a PCollection and splits the two, counting each drop
under the stage's counter namespace so a runner's UI shows the funnel live.
"""

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.utils.windowed_value import WindowedValue

from webtext import progress
from webtext.guard import guarded
from webtext.records import Drop

DROPS = "drops"


class Routed(NamedTuple):
    """What a one-step stage returns: the records it keeps and its drops."""

    kept: Any
    drops: Any  # Drop


def counter_namespace(stage: str) -> str:
    return f"webtext.{stage}"


def route(stage: str, outcome):
    """The output for one outcome of a stage: a kept value, or a Drop on the DROPS tag; counted both ways."""
    if isinstance(outcome, Drop):
        Metrics.counter(counter_namespace(stage), f"dropped_{outcome.reason}").inc()
        progress.tick(stage, "dropped")
        return beam.pvalue.TaggedOutput(DROPS, outcome)
    count_kept(stage)
    return outcome


def count_kept(stage: str, n: int = 1) -> None:
    """`n` records kept by the stage, on its Beam counter and the terminal's progress tally."""
    Metrics.counter(counter_namespace(stage), "kept").inc(n)
    progress.tick(stage, "kept", n)


class _RouteDrops(beam.DoFn):
    def __init__(self, stage: str, fn: Callable[[Any], Any], many: bool, members):
        self._stage = stage
        self._fn = fn
        self._many = many
        self._members = members

    def process(self, element):
        for result in guarded(self._stage, self._fn, element, self._many, self._members):
            yield route(self._stage, result)


def classify(pcoll, label: str, stage: str, fn: Callable[[Any], Any], many: bool = False,
             members: Callable[[Any], list[str]] | None = None):
    """Apply `fn` (value -> value | Drop, or -> iterable of them when `many`); return (kept, drops).
    An exception in `fn` is an error drop (`guarded`), one per `members(element)` name when the
    element is a group whose records the stage counts one by one."""
    results = pcoll | label >> beam.ParDo(_RouteDrops(stage, fn, many, members)).with_outputs(
        DROPS, main="kept"
    )
    return Routed(results.kept, results[DROPS])


def windowed(outputs, window, timestamp):
    """Outputs produced in finish_bundle must carry their window: wrap values and tagged values alike."""
    for output in outputs:
        if isinstance(output, beam.pvalue.TaggedOutput):
            yield beam.pvalue.TaggedOutput(output.tag, WindowedValue(output.value, timestamp, [window]))
        else:
            yield WindowedValue(output, timestamp, [window])


def route_gathered(stage: str, outcomes, gathered):
    """Each outcome routed as `route` does, in the window and at the timestamp of the input it came
    from. `gathered`: the (input, window, timestamp) of each outcome, as a DoFn that gathers its
    inputs and emits later (in a later call, or in finish_bundle) keeps them."""
    for outcome, (_, window, timestamp) in zip(outcomes, gathered, strict=True):
        yield from windowed([route(stage, outcome)], window, timestamp)


class Step(Protocol):
    """A stage's driver as a step of the per-record chain (engines/record_chain.py): items pushed, the
    (item, outcome) pairs of what it has decided handed back, now or at `flush`; an outcome is the kept
    record or a Drop."""

    stage: str

    def push(self, items: list) -> list[tuple[Any, Any]]: ...

    def flush(self) -> list[tuple[Any, Any]]: ...

    def discard(self) -> None: ...

    def close(self) -> None: ...


class DriveStep(beam.DoFn):
    """A step of the per-record chain as a DoFn: `make_step(item_of)` builds it at setup (a sandbox, a
    MinHash template: once per DoFn instance), each element goes in with its window and timestamp, and
    each outcome comes out in the window of its input, drops on DROPS, each counted on the stage's Beam
    counters and the progress tally (but for a step whose stage counts its records later: the sign step,
    dedup's first part)."""

    def __init__(self, make_step: Callable[..., Step]):
        self._make_step = make_step

    def setup(self):
        self._step = self._make_step(lambda gathered: gathered[0])
        self._counted = not getattr(self._step, "counted_later", False)

    def start_bundle(self):
        self._step.discard()  # a bundle that failed part-way is retried whole

    def process(self, element, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        yield from self._routed(self._step.push([(element, window, timestamp)]))

    def finish_bundle(self):
        yield from self._routed(self._step.flush())

    def teardown(self):
        self._step.close()

    def _routed(self, decided):
        outcomes, gathered = [outcome for _, outcome in decided], [item for item, _ in decided]
        if self._counted:
            yield from route_gathered(self._step.stage, outcomes, gathered)
            return
        for outcome, (_, window, timestamp) in zip(outcomes, gathered, strict=True):
            output = beam.pvalue.TaggedOutput(DROPS, outcome) if isinstance(outcome, Drop) else outcome
            yield from windowed([output], window, timestamp)


def drive_step(pcoll, label: str, make_step: Callable[..., Step]) -> Routed:
    """`make_step`'s step over a PCollection: (kept, drops)."""
    results = pcoll | label >> beam.ParDo(DriveStep(make_step)).with_outputs(DROPS, main="kept")
    return Routed(results.kept, results[DROPS])
