"""A process-local tally of records each stage has finished, for the terminal's progress line.

It only mirrors the Beam counters (`webtext.<stage>` / kept, dropped_<reason>) for the one
case where Beam cannot show them while the job runs: the in-process local runner, whose
results exist only at the end. It never feeds an output; on a cluster each worker has its
own copy and the runner's UI shows the real counters.
"""

import threading
from collections import Counter

_lock = threading.Lock()
_counts: Counter = Counter()


def tick(stage: str, outcome: str, n: int = 1) -> None:
    with _lock:
        _counts[(stage, outcome)] += n


_work: dict[str, tuple[int, int, float | None]] = {}


def work(label: str, done: int, total: int, eta_s: float | None) -> None:
    """Units of work `label` done out of `total`, and the seconds left at the rate so far (None: unknown)."""
    with _lock:
        _work[label] = (done, total, eta_s)


def work_snapshot() -> dict[str, tuple[int, int, float | None]]:
    with _lock:
        return dict(_work)


_crawl = None  # a live crawl's CrawlView (engines/units/live_counts.py) while its fetch units run


def watch_crawl(view) -> None:
    """The crawl whose figures the progress line shows (None: none now)."""
    global _crawl
    _crawl = view


def crawl_figures() -> dict | None:
    return _crawl.figures() if _crawl is not None else None


def snapshot() -> dict[tuple[str, str], int]:
    with _lock:
        return dict(_counts)


def reset() -> None:
    global _crawl
    with _lock:
        _counts.clear()
        _work.clear()
        _crawl = None
