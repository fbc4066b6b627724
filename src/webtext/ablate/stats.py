"""Means with 95% confidence intervals over seeds, and differences paired by seed with a plain verdict."""

import math
import statistics

from scipy.stats import t as student_t


def interval(values: list[float]) -> dict:
    """{"mean", "low", "high", "n"}: the mean and its 95% interval (Student's t over the seeds); no
    interval (None) from one seed."""
    n, mean = len(values), statistics.fmean(values)
    if n < 2:
        return {"mean": mean, "low": None, "high": None, "n": n}
    half = student_t.ppf(0.975, n - 1) * statistics.stdev(values) / math.sqrt(n)
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": n}


def paired(a: list[float], b: list[float]) -> dict:
    """B minus A seed by seed (bits per byte: positive when A is better), its mean and interval."""
    return interval([y - x for x, y in zip(a, b, strict=True)])


def verdict(a: str, b: str, on: str, difference: dict, lower_is_better: bool = True,
            unit: str = "bits/byte") -> str:
    """One plain sentence: who beats whom by how much with its interval, or that it is not decided."""
    n = difference["n"]
    if difference["low"] is None:
        return f"{a} against {b} on {on}: no interval can be given at {n} seed (run --seeds 2 or more)"
    low, high, mean = difference["low"], difference["high"], difference["mean"]
    a_better = low > 0 if lower_is_better else high < 0
    b_better = high < 0 if lower_is_better else low > 0
    if not (a_better or b_better):
        return (f"{a} against {b} on {on}: not decided at {n} seeds (difference {abs(mean):.3f} {unit}, "
                f"95% CI [{low:.3f}, {high:.3f}])")
    winner, loser = (a, b) if a_better else (b, a)
    size, lo, hi = (abs(mean), *sorted((abs(low), abs(high))))
    return f"{winner} beats {loser} on {on} by {size:.3f} {unit}, 95% CI [{lo:.3f}, {hi:.3f}]"
