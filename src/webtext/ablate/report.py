"""The ablation's report: ablate.json (every run's numbers, the means and intervals, the paired verdicts,
what differs between the corpora), the same as a terminal table, and a self-contained ablate.html."""

import base64
import html
import json
import os
import statistics

from webtext.ablate.stats import interval, paired, verdict
from webtext.atomic import write_atomically
from webtext.figures import png_bytes, pyplot

# Tiny models sit near chance on multiple-choice sets; the report says so rather than hide it.
NEAR_CHANCE = 0.05


def summarize(
    results: list[dict],
    variants: list[str],
    evals: list[str],
    choices: dict[str, int],
    manifests: dict[str, dict],
    settings: dict,
) -> dict:
    """ablate.json's content from the runs' results (each with its variant, seed, numbers and curves)."""
    by_variant = {
        v: sorted((r for r in results if r["variant"] == v), key=lambda r: r["seed"]) for v in variants
    }
    seeds = sorted({r["seed"] for r in results})
    table = {
        v: {e: interval([r["bits_per_byte"][e] for r in by_variant[v]]) for e in evals} for v in variants
    }
    accuracy = {
        v: {c: interval([r["accuracy"][c] for r in by_variant[v]]) for c in choices} for v in variants
    }
    pairs = []
    for i, a in enumerate(variants):
        for b in variants[i + 1 :]:
            for e in evals:
                diff = paired(
                    [r["bits_per_byte"][e] for r in by_variant[a]],
                    [r["bits_per_byte"][e] for r in by_variant[b]],
                )
                pairs.append(
                    {"a": a, "b": b, "eval": e, "difference": diff, "verdict": verdict(a, b, e, diff)}
                )
            for c in choices:
                diff = paired(
                    [r["accuracy"][c] for r in by_variant[a]], [r["accuracy"][c] for r in by_variant[b]]
                )
                pairs.append(
                    {
                        "a": a,
                        "b": b,
                        "eval": c,
                        "difference": diff,
                        "verdict": verdict(a, b, c, diff, lower_is_better=False, unit="accuracy"),
                    }
                )
    chance = {c: 1 / n for c, n in choices.items()}
    return {
        "settings": settings,
        "seeds": seeds,
        "variants": variants,
        "bits_per_byte": table,
        "accuracy": accuracy,
        "chance": chance,
        "near_chance": {
            c: all(abs(accuracy[v][c]["mean"] - chance[c]) < NEAR_CHANCE for v in variants) for c in choices
        },
        "pairs": pairs,
        "epochs": {v: _epochs(by_variant[v], manifests[v]) for v in variants},
        "corpora": corpus_differences(manifests),
        "runs": results,
        "seconds_a_run": statistics.fmean(r["seconds"] for r in results) if results else 0.0,
    }


def _epochs(runs: list[dict], manifest: dict) -> float:
    """Times the variant's training split was gone through for the token budget (above 1: repeated)."""
    train = manifest["splits"].get("train", {}).get("tokens", 0)
    return runs[0]["tokens"] / train if runs and train else 0.0


def _flat(value, prefix: str = "") -> dict:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flat(item, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): value}


def corpus_differences(manifests: dict[str, dict]) -> dict:
    """What differs between the variants' corpora, from their manifests: the settings that differ (where
    a corpus was written excepted), and each one's documents, tokens and drops by stage and reason."""
    flats = {name: _flat(m["config"]) for name, m in manifests.items()}
    keys = sorted(set().union(*flats.values()) - {"out"})
    differing = {
        k: {name: flats[name].get(k) for name in flats}
        for k in keys
        if len({json.dumps(flats[name].get(k), sort_keys=True) for name in flats}) > 1
    }
    return {
        "settings": differing,
        "documents": {name: m["documents"] for name, m in manifests.items()},
        "tokens": {name: m["tokens"] for name, m in manifests.items()},
        "drops": {
            name: {
                f"{stage}.{reason}": n
                for stage, entry in m["stages"].items()
                for reason, n in entry["dropped"].items()
            }
            for name, m in manifests.items()
        },
    }


def _cell(summary: dict, digits: int = 3) -> str:
    if summary["low"] is None:
        return f"{summary['mean']:.{digits}f}"
    return f"{summary['mean']:.{digits}f} [{summary['low']:.{digits}f}, {summary['high']:.{digits}f}]"


def terminal_table(report: dict) -> str:
    """The table and the verdicts, for the terminal."""
    evals, choices = list(next(iter(report["bits_per_byte"].values()), {})), list(report["chance"])
    n = len(report["seeds"])
    lines = [
        f"bits per byte (lower is better), mean [95% CI] over {n} seed{'s' if n != 1 else ''}"
        + ("" if n > 1 else ": no interval can be given at 1 seed")
    ]
    width = max(len(v) for v in report["variants"]) + 2
    lines.append(" " * width + "".join(f"{e:<28}" for e in evals + choices))
    for v in report["variants"]:
        cells = [_cell(report["bits_per_byte"][v][e]) for e in evals]
        cells += [_cell(report["accuracy"][v][c]) for c in choices]
        lines.append(
            f"{v:<{width}}" + "".join(f"{c:<28}" for c in cells) + f"  ({report['epochs'][v]:.2f} epochs)"
        )
    lines += ["", *[p["verdict"] for p in report["pairs"]]]
    for c, near in report["near_chance"].items():
        if near:
            lines.append(
                f"{c}: every variant is within {NEAR_CHANCE:.0%} of chance ({report['chance'][c]:.2f}): "
                "models this small cannot tell the endings apart"
            )
    return "\n".join(lines)


def _curves_png(report: dict) -> str:
    plt = pyplot()
    evals = list(next(iter(report["bits_per_byte"].values()), {}))
    figure, grid = plt.subplots(1, len(evals) + 1, figsize=(5 * (len(evals) + 1), 3.4), squeeze=False)
    for v in report["variants"]:
        runs = [r for r in report["runs"] if r["variant"] == v]
        steps = [s for s, _ in runs[0]["losses"]]
        grid[0][0].plot(
            steps, [statistics.fmean(r["losses"][i][1] for r in runs) for i in range(len(steps))], label=v
        )
        for axes, e in zip(grid[0][1:], evals):
            tokens = [point["tokens"] for point in runs[0]["curve"]]
            axes.plot(
                tokens,
                [
                    statistics.fmean(r["curve"][i]["bits_per_byte"][e] for r in runs)
                    for i in range(len(tokens))
                ],
                marker="o",
                label=v,
            )
            axes.set_title(f"{e}: bits per byte (mean over seeds)")
            axes.set_xlabel("training tokens")
    grid[0][0].set_title("training loss (mean over seeds)")
    grid[0][0].set_xlabel("step")
    for axes in grid[0]:
        axes.legend(fontsize=8)
    return base64.b64encode(png_bytes(figure, dpi=100)).decode()


def _html_table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def write_report(out: str, report: dict) -> list[str]:
    """ablate.json and ablate.html into `out`; their paths."""
    evals, choices = list(next(iter(report["bits_per_byte"].values()), {})), list(report["chance"])
    json_path, html_path = os.path.join(out, "ablate.json"), os.path.join(out, "ablate.html")
    write_atomically(json_path, json.dumps(report, indent=1, sort_keys=True).encode("utf-8"))
    corpora = report["corpora"]
    parts = [
        "<!doctype html><meta charset='utf-8'><title>webtext ablate</title><style>"
        "body{font-family:sans-serif;margin:2em;max-width:70em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:.3em .6em;text-align:left}</style><h1>Which corpus makes the better model</h1>",
        f"<p>{len(report['variants'])} variants × {len(report['seeds'])} seeds; each run trained on the same "
        f"token budget ({html.escape(str(report['settings'].get('tokens')))}); mean [95% CI] over seeds.</p>",
        "<h2>Bits per byte (lower is better)</h2>",
        _html_table(
            ["variant", *evals, *[f"{c} (accuracy)" for c in choices], "epochs"],
            [
                [
                    v,
                    *[_cell(report["bits_per_byte"][v][e]) for e in evals],
                    *[_cell(report["accuracy"][v][c]) for c in choices],
                    f"{report['epochs'][v]:.2f}",
                ]
                for v in report["variants"]
            ],
        ),
        "<h2>Verdicts (paired by seed)</h2><ul>",
        *[f"<li>{html.escape(p['verdict'])}</li>" for p in report["pairs"]],
        "</ul>",
        *[
            f"<p>{html.escape(c)}: every variant is within {NEAR_CHANCE:.0%} of chance; models this small "
            "cannot tell the endings apart.</p>"
            for c, near in report["near_chance"].items()
            if near
        ],
        f"<h2>Curves</h2><img alt='curves' src='data:image/png;base64,{_curves_png(report)}'>",
        "<h2>What differs between the corpora</h2>",
        _html_table(
            ["setting", *report["variants"]],
            [
                [k, *[json.dumps(values[v]) for v in report["variants"]]]
                for k, values in corpora["settings"].items()
            ],
        ),
        _html_table(
            ["", *report["variants"]],
            [
                ["documents", *[corpora["documents"][v] for v in report["variants"]]],
                ["tokens", *[corpora["tokens"][v] for v in report["variants"]]],
                *[
                    [reason, *[corpora["drops"][v].get(reason, 0) for v in report["variants"]]]
                    for reason in sorted(set().union(*corpora["drops"].values()))
                ],
            ],
        ),
        f"<p>{report['seconds_a_run']:.1f} s a run on average.</p>",
    ]
    write_atomically(html_path, "\n".join(parts).encode("utf-8"))
    return [json_path, html_path]
