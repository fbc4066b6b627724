"""The report's figures, as PNG bytes (matplotlib, no display)."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the non-interactive backend)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def funnel(stages: dict) -> bytes:
    figure, axes = plt.subplots(figsize=(7, 3.2))
    names = list(stages)
    axes.bar(names, [stages[n]["in"] for n in names], color="#c9d6ea", label="in")
    axes.bar(names, [stages[n]["kept"] for n in names], color="#3b6ea8", label="kept")
    axes.set_yscale("log")
    axes.set_title("Funnel: records into and kept by each stage")
    axes.legend()
    return _png(figure)


def drop_reasons(stages: dict) -> bytes:
    reasons = [(f"{stage}: {reason}", n) for stage, entry in stages.items() for reason, n in entry["dropped"].items()]
    figure, axes = plt.subplots(figsize=(7, max(2.0, 0.28 * len(reasons) + 0.8)))
    axes.barh([r for r, _ in reasons][::-1], [n for _, n in reasons][::-1], color="#b5523b")
    axes.set_title("Dropped, by stage and reason")
    return _png(figure)


def histogram(values: list[int], title: str, xlabel: str, log: bool = False) -> bytes:
    figure, axes = plt.subplots(figsize=(7, 3))
    if values:
        axes.hist(values, bins=min(40, max(5, len(values) // 2)), color="#3b6ea8")
    if log:
        axes.set_xscale("symlog")
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("documents")
    return _png(figure)


def cluster_sizes(sizes: dict[str, int]) -> bytes:
    figure, axes = plt.subplots(figsize=(7, 2.8))
    keys = sorted(sizes, key=int)
    axes.bar(keys, [sizes[k] for k in keys], color="#6a8d3a")
    axes.set_title("Near-duplicate clusters by size")
    axes.set_xlabel("documents in the cluster")
    axes.set_ylabel("clusters")
    return _png(figure)
