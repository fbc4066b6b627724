"""Running units in a process pool for a run in units (launcher.py): each unit not finished by an
earlier run submitted, a bounded number at a time, its counts summed and its CPU seconds and peak
memory kept per stage as it finishes, the progress line kept up to date."""

import itertools
import logging
import os
import shutil
import signal
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool

from webtext import progress
from webtext.engines.base import UNITS_DIR
from webtext.engines.units import proof, worker
from webtext.engines.units.records import StepDone, UnitTally, read_tally
from webtext.engines.units.unit_dir import peak_rss_bytes
from webtext.os_errors import as_os_error, describe
from webtext.reasons import DEDUP, FETCH, STAGES

logger = logging.getLogger(__name__)

# Units submitted to the pool and not yet finished: enough to keep a large pool busy, and a bound on
# what the launching process holds for them whatever the run's size (45M links are 175,000 units).
IN_FLIGHT = 256


class Resources:
    """CPU seconds and peak resident memory per stage of the run, and wall time per step, for the end
    summary."""

    def __init__(self):
        self.cpu_s, self.peak_rss, self.phases = Counter(), Counter(), {}
        self._phase_started = time.monotonic()

    def add(self, stage: str, cpu_s: float = 0.0, peak_rss: int = 0) -> None:
        self.cpu_s[stage] += cpu_s
        self.peak_rss[stage] = max(self.peak_rss[stage], peak_rss)

    def phase_done(self, phase: str) -> None:
        """The wall time since the last step ended, as `phase`'s."""
        now = time.monotonic()
        self.phases[phase], self._phase_started = round(now - self._phase_started, 2), now

    def rows(self) -> list[dict]:
        """One per stage, in the order a record meets them."""
        order = [
            *STAGES[: STAGES.index(FETCH)],
            "read, select, links",
            "index WARC",
            *STAGES[STAGES.index(FETCH) :],
        ]
        order[order.index(DEDUP):order.index(DEDUP)] = [worker.SIGNATURES]
        stages = sorted(self.cpu_s, key=lambda stage: order.index(stage) if stage in order else len(order))
        return [{"stage": stage, "cpu_s": round(self.cpu_s[stage], 2), "peak_rss_bytes": self.peak_rss[stage]}
                for stage in stages]


class InThisProcess:
    """A stage run in this process: its CPU seconds and this process's peak memory since."""

    def __init__(self, resources: Resources, stage: str):
        self._resources, self._stage = resources, stage

    def __enter__(self):
        self._started = time.process_time()

    def __exit__(self, *exc):
        self._resources.add(self._stage, time.process_time() - self._started, peak_rss_bytes())


class Progress:
    """Units done out of all, for the terminal's progress line (webtext.progress) with an ETA."""

    def __init__(self, label: str, total: int, done: int):
        self._label, self._total, self._done, self._started, self._first = (
            label,
            total,
            done,
            time.monotonic(),
            done,
        )
        progress.work(label, done, total, None)

    def unit_done(self, tally: UnitTally) -> None:
        self._done += 1
        for (stage, outcome), n in tally.counts:
            if outcome == "kept" or outcome.startswith("dropped:"):
                progress.tick(stage, outcome.split(":")[0], n)
        rate = (self._done - self._first) / max(time.monotonic() - self._started, 1e-6)
        eta = (self._total - self._done) / rate if rate else None
        progress.work(self._label, self._done, self._total, eta)


def run_units(pool, label: str, finals: list[str], call_for, resources: Resources, while_waiting=None,
               on_done=None) -> StepDone:
    """Run every unit of `finals` that no earlier run finished, `call_for(final)` giving its (fn, *args),
    at most IN_FLIGHT submitted at a time; run `while_waiting()` here meanwhile; call `on_done(final)`
    for each unit as it is finished (or was, by an earlier run). What the units counted is summed as
    they finish: nothing is kept a unit but its name."""
    done_before, redone = _units_to_take_up(label, finals)
    done = set(done_before)
    todo = [final for final in finals if final not in done]
    if done_before:
        logger.info("%s: %d of %d units were done by an earlier run", label, len(done_before), len(finals))
    counts, view = Counter(), Progress(label, len(finals), len(done_before))
    for final in done_before:
        _count(counts, read_tally(final))
    pending, queue = {}, iter(todo)

    workers: dict = {}  # the pool's processes, kept to name the signal that killed one (the pool forgets)

    def submit_more():
        for final in itertools.islice(queue, IN_FLIGHT - len(pending)):
            fn, *args = call_for(final)
            pending[pool.submit(fn, *args)] = final
        workers.update(getattr(pool, "_processes", None) or {})
    submit_more()
    if while_waiting is not None:
        while_waiting()
    for final in (done_before if on_done is not None else ()):
        on_done(final)
    while pending:
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in sorted(finished, key=pending.get):
            final = pending.pop(future)
            try:
                tally = future.result()  # a worker's exception is our bug: the run stops
            except Exception as error:
                raise UnitFailed(label, final, error, list(workers.values())) from error
            _count(counts, tally)
            for stage, cpu_s in tally.cpu_s.items():
                resources.add(stage, cpu_s, tally.peak_rss_bytes)
            view.unit_done(tally)
            if on_done is not None:
                on_done(final)
        submit_more()
    return StepDone(finals, counts, len(done_before), todo, redone)


def _units_to_take_up(label: str, finals: list[str]) -> tuple[list[str], list[str]]:
    """(the units an earlier run finished that may be taken up, those it left that must be redone): a unit
    is redone when its files no longer match its completion record, or when it recorded `<stage>_error`
    drops (exceptions, perhaps of a bug fixed since: never frozen into the corpus). Each is said once."""
    done, redone = [], []
    for final in (final for final in finals if os.path.isdir(final)):
        problem = proof.dir_problem(final) or _error_drops(final)
        if problem is None:
            done.append(final)
            continue
        logger.warning("%s: %s is redone: %s", label, os.path.basename(final), problem)
        shutil.rmtree(final)
        redone.append(os.path.basename(final))
    return done, redone


def _error_drops(final: str) -> str | None:
    errors = read_tally(final).error_drops()
    return f"it recorded {errors} exception drop(s) (<stage>_error)" if errors else None


def _count(counts: Counter, tally: UnitTally) -> None:
    for key, n in tally.counts:
        counts[key] += n


class UnitFailed(RuntimeError):
    """A unit failed: the operating system's error (disk full, permission denied) or the death of its worker
    (a signal) named as such, anything else as an exception that may be a bug. Says where the units are
    and what to do."""

    def __init__(self, label: str, final: str, error: BaseException | None = None, processes=()):
        staging = (
            final[: final.index(f"/{UNITS_DIR}/")] if f"/{UNITS_DIR}/" in final else os.path.dirname(final)
        )
        self.os_error = as_os_error(error) if error is not None else None
        super().__init__(
            f"{label}: {os.path.basename(final)} failed: {what_failed(error, processes)}; the units finished "
            f"so far stay in {staging}: run the same command again to take them up, or delete "
            f"{staging} to start afresh"
        )


def what_failed(error: BaseException | None, processes=()) -> str:
    """A worker's failure in a few words: `No space left on device (ENOSPC) writing PATH`, `its worker process
    was killed by SIGKILL`, or the exception with a pointer to its traceback."""
    if error is not None and (os_error := as_os_error(error)) is not None:
        return describe(os_error)
    if isinstance(error, BrokenProcessPool):
        # A killed worker is reaped a moment after the pool breaks, by the pool's own thread (a waitpid
        # that races ours: then our look finds nothing, and the pool's sets the code on the same object).
        deadline = time.monotonic() + 2
        while any(p.exitcode is None for p in processes) and time.monotonic() < deadline:
            time.sleep(0.02)
        codes = [p.exitcode for p in processes]
        signals = sorted({signal.Signals(-c).name for c in codes if c is not None and c < 0
                          and -c in signal.Signals._value2member_map_})
        return "its worker process died" + (f" (killed by {', '.join(signals)}; SIGKILL is often the "
                                            "kernel's out-of-memory killer)" if signals else "")
    if error is None:
        return "an exception (-v shows the traceback)"
    what = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {what} (an exception: perhaps a bug in webtext; -v shows the traceback)"
