"""The report's figures, as PNG bytes (matplotlib, no display)."""

from webtext.figures import png_bytes as _png
from webtext.figures import pyplot

plt = pyplot()


def funnel(stages: dict) -> bytes:
    """Each stage's records in (light) and kept (dark) on a linear axis, so a drop shows at its size, with
    the counts written beside each bar: in, kept, and what the stage dropped (its share)."""
    names = list(stages)
    figure, axes = plt.subplots(figsize=(7.5, 0.45 * len(names) + 1.0))
    rows = list(range(len(names)))[::-1]  # the first stage on top
    ins = [stages[n]["in"] for n in names]
    kept = [stages[n]["kept"] for n in names]
    axes.barh(rows, ins, color="#c9d6ea", label="in", height=0.7)
    axes.barh(rows, kept, color="#3b6ea8", label="kept", height=0.7)
    top = max(ins + [1])
    for row, n_in, n_kept in zip(rows, ins, kept):
        dropped = n_in - n_kept
        share = f" ({100 * dropped / n_in:.0f}%)" if n_in else ""
        axes.text(n_in + top * 0.01, row, f"{n_kept:,} of {n_in:,} kept, {dropped:,} dropped{share}",
                  va="center", fontsize=8)
    axes.set_yticks(rows, names)
    axes.set_xlim(0, top * 1.55)  # room for the labels
    axes.set_xlabel("records")
    axes.set_title("Funnel: records into and kept by each stage")
    axes.legend(loc="lower right")
    return _png(figure)


def drop_reasons(stages: dict) -> bytes:
    reasons = [
        (f"{stage}: {reason}", n) for stage, entry in stages.items() for reason, n in entry["dropped"].items()
    ]
    figure, axes = plt.subplots(figsize=(7, max(2.0, 0.28 * len(reasons) + 0.8)))
    axes.barh([r for r, _ in reasons][::-1], [n for _, n in reasons][::-1], color="#b5523b")
    axes.set_title("Dropped, by stage and reason")
    return _png(figure)


def histogram(distribution, title: str, xlabel: str, log: bool = False) -> bytes:
    """`distribution`: a report.tally.Distribution (one number a document, as value -> count)."""
    import numpy as np

    figure, axes = plt.subplots(figsize=(7, 3))
    values, counts = distribution.values_and_counts()
    bins = min(40, max(5, distribution.n // 2))
    if log and len(values):
        # Log-spaced bins on a log axis (values below 1 shown at 1), ticked at 1, 2 and 5 of each decade
        # so that a range within one decade still has several labelled ticks.
        from matplotlib.ticker import LogLocator, ScalarFormatter

        values = np.maximum(1, values)
        bins = np.logspace(np.log10(values.min()), np.log10(values.max() * 1.05 + 1), bins)
        axes.set_xscale("log")
        axes.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axes.xaxis.set_major_formatter(ScalarFormatter())
    if len(values):
        axes.hist(values, bins=bins, weights=counts, color="#3b6ea8")
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


def rule_scores(summaries: list[dict]) -> bytes:
    """One histogram per rule, two a row at a readable size: the kept documents' scores, the limit as a red
    line."""
    columns = min(2, len(summaries))
    rows = -(-len(summaries) // columns)
    figure, grid = plt.subplots(rows, columns, figsize=(7.5, 2.8 * rows), squeeze=False)
    for axes, summary in zip(grid.flat, summaries):
        if summary["histogram"]["counts"]:
            axes.stairs(
                summary["histogram"]["counts"], summary["histogram"]["edges"], fill=True, color="#3b6ea8"
            )
        axes.axvline(summary["limit"], color="#b5523b")
        axes.set_title(
            f"{summary['rule']} ({'<' if summary['drops'] == 'below' else '>'}{summary['limit']:g} drops)",
            fontsize=10,
        )
        axes.set_ylabel("kept documents", fontsize=9)
        axes.tick_params(labelsize=9)
    for axes in list(grid.flat)[len(summaries):]:
        axes.axis("off")
    return _png(figure)
