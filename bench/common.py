"""Helpers shared by the benchmarks: timing and a uniform result line."""

import json
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager


@contextmanager
def timed(results: dict, name: str):
    started = time.perf_counter()
    yield
    results[name] = time.perf_counter() - started


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(title: str, rows: list[tuple[str, float, str]], ratio: tuple[str, float] | None = None) -> None:
    print(f"\n== {title}")
    for name, value, unit in rows:
        print(f"  {name:<44} {value:>14,.1f} {unit}")
    if ratio:
        print(f"  {ratio[0]:<44} {ratio[1]:>14.2f}x")


def report_rounds(ratios: list[float]) -> None:
    """Each interleaved round's own ratio, lowest first, under the table report() printed."""
    print(f"  {'the same ratio in each round':<44} " + " ".join(f"{r:.2f}x" for r in sorted(ratios)))


# Inputs a benchmark makes before timing, for an in-process pipeline to read by key. They live in
# this module, not the benchmark's __main__: Beam pickles __main__'s functions by value, globals
# included, which would copy every input into the pipeline.
PRELOADED: dict = {}


def preloaded(key):
    return PRELOADED[key]


def pin_to_one_cpu() -> set[int] | None:
    """Run this process (and the children it starts from now on) on one CPU, for per-core numbers.
    Returns the CPUs it could use before, to hand back to `os.sched_setaffinity`; None where the
    OS cannot pin (not Linux): the numbers are then not per core."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    return cpus


def pinned(cores: int) -> list[str]:
    """The prefix that runs a command on the first `cores` CPUs (taskset)."""
    return ["taskset", "-c", f"0-{cores - 1}"]


def measured_in_fresh_process(script: str, *args: str, source: str | None = None) -> dict:
    """What `python SCRIPT ARGS...` prints as JSON: one measurement in a process of its own, so that
    none runs in the heap and imports an earlier one left behind. `source`: the `src` folder of another
    checkout of webtext to measure instead of this one."""
    command = [sys.executable, script, *args]
    env = {**os.environ, "PYTHONPATH": source} if source else None
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)
