"""What every stage shares: routing drops to their own output with a Beam counter.

A stage's pure functions return either the kept value or a `Drop`; `Classify`
runs such a function over a PCollection and splits the two, counting each drop
under the stage's counter namespace so a runner's UI shows the funnel live.
"""

from collections.abc import Callable, Iterable
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from webtext.records import Drop

DROPS = "drops"


def counter_namespace(stage: str) -> str:
    return f"webtext.{stage}"


class _RouteDrops(beam.DoFn):
    def __init__(self, stage: str, fn: Callable[[Any], Any], many: bool):
        self._stage = stage
        self._fn = fn
        self._many = many

    def setup(self):
        self._kept = Metrics.counter(counter_namespace(self._stage), "kept")

    def process(self, element):
        results = self._fn(element)
        for result in results if self._many else (results,):
            if isinstance(result, Drop):
                Metrics.counter(counter_namespace(self._stage), f"dropped_{result.reason}").inc()
                yield beam.pvalue.TaggedOutput(DROPS, result)
            else:
                self._kept.inc()
                yield result


def classify(pcoll, label: str, stage: str, fn: Callable[[Any], Any], many: bool = False):
    """Apply `fn` (value -> value | Drop, or -> iterable of them when `many`); return (kept, drops)."""
    results = pcoll | label >> beam.ParDo(_RouteDrops(stage, fn, many)).with_outputs(DROPS, main="kept")
    return results.kept, results[DROPS]


def flatten_drops(drops: Iterable, label: str):
    """All of a stage's drop outputs as one PCollection."""
    drops = tuple(drops)
    return drops | label >> beam.Flatten()
