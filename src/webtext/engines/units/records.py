"""The engine's own records: what a unit counted (its tally.json, and what its worker returns), and what a
step of units came to (plan.py sums them into the run's accounting; results.py writes them out)."""

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

TALLY = "tally.json"


class UnitTally(NamedTuple):
    """One unit's counts, by (stage, outcome) as the accounting keys them ("in", "kept", "dropped:<reason>"),
    with the CPU seconds it spent per stage and its worker's peak memory so far."""

    counts: tuple[tuple[tuple[str, str], int], ...]
    cpu_s: dict[str, float]
    drops: int
    peak_rss_bytes: int
    wall_s: float | None = None  # a fetch unit's, for the bench

    def to_json(self) -> dict:
        return {**self._asdict(), "counts": [[list(key), n] for key, n in self.counts]}

    @classmethod
    def from_json(cls, value: dict) -> "UnitTally":
        counts = tuple((tuple(key), n) for key, n in value["counts"])
        return cls(**{**value, "counts": counts})

    def error_drops(self) -> int:
        """The `<stage>_error` drops it recorded: exceptions, perhaps of a bug fixed since."""
        return sum(n for (_, outcome), n in self.counts if outcome.endswith("_error"))


def read_tally(unit_dir: str) -> UnitTally:
    with open(os.path.join(unit_dir, TALLY), encoding="utf-8") as stream:
        return UnitTally.from_json(json.load(stream))


def write_tally(unit_dir: str, tally: UnitTally) -> None:
    with open(os.path.join(unit_dir, TALLY), "w", encoding="utf-8") as out:
        json.dump(tally.to_json(), out, sort_keys=True)


@dataclass
class StepDone:
    """A step's units, finished: their summed counts, and which of them this run did."""

    units: list[str]  # every unit of the step (its final directory), in order
    counts: Counter = field(default_factory=Counter)
    done_before: int = 0  # by an earlier run, taken up
    ran: list[str] = field(default_factory=list)  # by this run
    redone: list[str] = field(default_factory=list)  # an earlier run's that failed their check
    beam_results: str | None = None  # the step ran as Beam stages (Reddit API sources): their results file
