"""The training and validation loss drawn as the run goes: `loss.png` and a one-page `summary.html`
beside log.jsonl, rewritten at every evaluation and at the end (open either to watch a run).

matplotlib comes with webtext's corpus dependencies; a machine that trains from a bare torch install
(a GPU box) may lack it, and then the run goes on without the pictures (log.jsonl has every number).
"""

import base64
import html
import json
import os

from webtext.figures import png_bytes, pyplot

CURVES_NAME, SUMMARY_NAME = "loss.png", "summary.html"


def read_log(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError):
        return []


def curves_png(records: list[dict]) -> bytes | None:
    """The loss per logged step and the validation loss per evaluation, as PNG bytes (None without
    matplotlib or without a logged step)."""
    try:
        plt = pyplot()
    except ImportError:
        return None
    train = [(r["step"], r["loss"]) for r in records if "loss" in r]
    val = [(r["step"], r["val_loss"]) for r in records if "val_loss" in r]
    if not train:
        return None
    figure, axes = plt.subplots(figsize=(7, 3.6))
    axes.plot(*zip(*train), color="#3b6ea8", label="train loss")
    if val:
        axes.plot(*zip(*val), "o-", color="#b5523b", label="validation loss")
    axes.set_xlabel("step")
    axes.set_ylabel("cross-entropy (nats / token)")
    axes.grid(alpha=0.3)
    axes.legend()
    return png_bytes(figure)


def summary_html(records: list[dict], png: bytes | None) -> str:
    """One page: where the run is, its last figures and the curves."""
    steps = [r for r in records if "loss" in r]
    evals = [r for r in records if "val_loss" in r]
    last = steps[-1] if steps else {}
    rows = [
        ("step", f"{last.get('step', '-')} of {last.get('max_steps', '-')}"),
        ("train loss", f"{last['loss']:.4f}" if "loss" in last else "-"),
        (
            "validation loss (last, best)",
            f"{evals[-1]['val_loss']:.4f}, {min(e['val_loss'] for e in evals):.4f}" if evals else "-",
        ),
        ("tokens / s", f"{last['tokens_per_s']:,.0f}" if "tokens_per_s" in last else "-"),
        (
            "elapsed, ETA",
            f"{last.get('elapsed_s', 0):,.0f} s, {last.get('eta_s', 0):,.0f} s" if last else "-",
        ),
    ]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    image = (f'<img alt="loss curves" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
             if png else "<p>(no plot: matplotlib is not installed here)</p>")
    return ("<!doctype html><meta charset='utf-8'><title>webtext train</title>"
            "<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em}</style>"
            f"<h1>Training run</h1><table>{table}</table>{image}")


def write_curves(out_dir: str, log_path: str) -> None:
    """loss.png and summary.html from the log so far (each written whole, then renamed)."""
    records = read_log(log_path)
    png = curves_png(records)
    if png is not None:
        _replace(os.path.join(out_dir, CURVES_NAME), png)
    _replace(os.path.join(out_dir, SUMMARY_NAME), summary_html(records, png).encode("utf-8"))


def _replace(path: str, data: bytes) -> None:
    with open(path + ".tmp", "wb") as out:
        out.write(data)
    os.replace(path + ".tmp", path)
