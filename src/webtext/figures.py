"""Figures as PNG bytes, for the report, the trainer's curves and the ablation's page: matplotlib on its
non-interactive backend (no display needed), each figure closed once drawn."""

import io


def pyplot():
    """matplotlib.pyplot on the Agg backend. ImportError where matplotlib is not installed (the trainer
    runs without it; its curves are then left out)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png_bytes(figure, dpi: int = 110) -> bytes:
    """The figure laid out, as PNG bytes; the figure is closed."""
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=dpi)
    pyplot().close(figure)
    return buffer.getvalue()
