"""A unit's directory, from fresh to committed: what every kind of unit shares. A unit is written into
`<final>.partial-<pid>`, its drops and counts kept by a Tally as it goes; `finish_unit` writes the tally,
seals the directory with a completion record of its files' sizes and checksums (proof.py) and renames it
into place: a killed run leaves no half of a unit, and a rerun takes up only units whose files still
match their record."""

import os
import pickle
import resource
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from webtext.engines.units.proof import commit_dir, seal_dir
from webtext.engines.units.records import UnitTally, write_tally
from webtext.kill_points import kill_point
from webtext.records import Drop, as_json

DROPS = "drops.jsonl"


class Tally:
    """Records in, kept and dropped by reason, per stage, as the accounting's (stage, outcome) counts;
    and the CPU seconds this process spent in each stage."""

    def __init__(self, unit_dir: str, sort_drops: bool = False):
        """`sort_drops`: the drops are written sorted when the unit closes, for a unit whose records come in
        an order of their own (a live fetch's, as pages arrive); else as they come, in the unit's own
        (deterministic) order: a read unit's file can drop millions."""
        self.counts, self.cpu_s, self.dropped = Counter(), Counter(), 0
        self._drops = open(os.path.join(unit_dir, DROPS), "w", encoding="utf-8")
        self._held: list[str] | None = [] if sort_drops else None

    def outcomes(self, stage: str, outcomes: list, kept_as=None, count_in: bool = True,
                 count_kept: bool = True) -> list:
        """Count `outcomes` (kept records and Drops) for `stage`; return the kept ones. Where the stage's
        input was read from a file, or its output is written to one, `in` or `kept` is counted there
        instead (count_in, count_kept False): records lost between a write and a read then show."""
        kept = [o for o in outcomes if not isinstance(o, Drop)]
        self.counts[(stage, "in")] += len(outcomes) if count_in else 0
        self.counts[(stage, "kept")] += len(kept) if count_kept else 0
        for drop in (o for o in outcomes if isinstance(o, Drop)):
            self.drop(drop)
        if kept_as is not None:
            for record in kept:
                self.counts[(stage, f"kept:{kept_as(record)}")] += 1
        return kept

    def drop(self, drop: Drop) -> None:
        self.counts[(drop.stage, f"dropped:{drop.reason}")] += 1
        if self._held is not None:
            self._held.append(as_json(drop) + "\n")
        else:
            self._drops.write(as_json(drop) + "\n")
        self.dropped += 1

    def close(self) -> None:
        if self._held is not None:
            self._drops.writelines(sorted(self._held))
        self._drops.close()

    @contextmanager
    def timing(self, name: str):
        """The CPU seconds of the calling thread within, under `name`: the one way a unit's work is timed
        (a live unit's fetch threads run beside the thread that extracts, filters and signs)."""
        started = time.thread_time()
        try:
            yield
        finally:
            self.cpu_s[name] += time.thread_time() - started

    def summary(self, wall_s: float | None = None) -> UnitTally:
        return UnitTally(tuple(sorted(self.counts.items())), dict(sorted(self.cpu_s.items())), self.dropped,
                         peak_rss_bytes(), wall_s)


def peak_rss_bytes() -> int:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _commit(partial: str, final: str) -> None:
    """The sealed unit directory into place; another process that finished it first wins."""
    kill_point("unit-commit")
    # the same unit, done meanwhile by an abandoned run's worker: same bytes
    if not commit_dir(partial, final):
        shutil.rmtree(partial, ignore_errors=True)


def fresh_unit_dir(final: str) -> str:
    partial = f"{final}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    return partial


def finish_unit(tally: Tally, partial: str, final: str, wall_s: float | None = None) -> UnitTally:
    """Write the unit's tally beside its outputs and its completion record (proof.py), then put the
    whole unit in place."""
    tally.close()
    summary = tally.summary(wall_s)
    write_tally(partial, summary)
    seal_dir(partial)
    _commit(partial, final)
    return summary


def read_pickles(path: str) -> Iterator:
    with open(path, "rb") as stream:
        while True:
            try:
                yield pickle.load(stream)
            except EOFError:
                return


