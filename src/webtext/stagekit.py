"""What every stage shares: routing drops to their own output with a Beam counter.

A stage's pure functions return either the kept value or a `Drop`; `Classify`
runs such a function over a PCollection and splits the two, counting each drop
under the stage's counter namespace so a runner's UI shows the funnel live.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

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
