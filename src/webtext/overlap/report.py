"""`webtext overlap`: the training split's 8-gram filter (cached next to the corpus), each eval set's
overlap (the paper's Table 6), per-document overlap CDFs (its Figure 5), and the false-positive check."""

import hashlib
import json
import os

from webtext.evalsets import parse_named, read_documents
from webtext.ngram_bloom import filter_from_bytes
from webtext.overlap.items import flagged_items, name_training_documents
from webtext.overlap.measure import build_training_filter, false_positive_rate, measure
from webtext.shards.reader import read_manifest, split_shard_paths

CACHE_DIR = "overlap"


def training_filter(out_dir: str, false_positive_rate_bound: float, report_dir: str | None = None):
    """The cached filter (in `report_dir`, default OUT/overlap) when the training shards and bound are
    unchanged, else a new one."""
    manifest = read_manifest(out_dir)
    train = [s for s in manifest["shards"] if s["split"] == "train"]
    key = hashlib.sha256(json.dumps([[s["text_sha256"] for s in train], false_positive_rate_bound]).encode())
    path = os.path.join(
        report_dir or os.path.join(out_dir, CACHE_DIR), f"train-8grams-{key.hexdigest()[:16]}.bloom"
    )
    if os.path.exists(path):
        with open(path, "rb") as stream:
            return filter_from_bytes(stream.read()), path, True
    # Words <= tokens, so the token count bounds the number of 8-grams from above.
    expected = max(1, sum(s["tokens"] for s in train))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    build_training_filter(
        split_shard_paths(out_dir, "train", manifest, kind="text"), expected, false_positive_rate_bound, path
    )
    with open(path, "rb") as stream:
        return filter_from_bytes(stream.read()), path, False


def _cdf_plot(results: dict, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for name, result in results.items():
        values = result["per_document"]
        if values:
            axes.step(
                [100 * v for v in values],
                [(i + 1) / len(values) for i in range(len(values))],
                where="post",
                label=name,
            )
    axes.set_xlabel("% of a document's 8-grams found in the training set")
    axes.set_ylabel("share of documents (CDF)")
    axes.set_title("8-gram overlap with WebText-style training split")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def overlap_report(out_dir: str, eval_specs: list[str], false_positive_rate_bound: float = 1e-8,
                   fp_samples: int = 1_000_000, text_field: str = "text", to: str | None = None) -> dict:
    """The overlap of each eval set with the training split; its files (overlap.json, the CDF plot, the
    overlapping items, the cached filter) go to `to`, default OUT/overlap (a read-only corpus needs `to`)."""
    report_dir = to or os.path.join(out_dir, CACHE_DIR)
    bloom, filter_path, cached = training_filter(out_dir, false_positive_rate_bound, report_dir)
    manifest = read_manifest(out_dir)
    results, flagged = {}, {}
    for spec in eval_specs:
        name, path = parse_named(spec)
        documents = read_documents(path, text_field)
        results[name] = measure(documents, bloom)
        flagged[name] = flagged_items(documents, bloom)
    validation = [
        t
        for p in split_shard_paths(out_dir, "validation", manifest, kind="text")
        for t in read_documents(p, "text")
    ]
    if validation:
        results["validation split"] = measure(validation, bloom)
    os.makedirs(report_dir, exist_ok=True)
    _cdf_plot(results, os.path.join(report_dir, "overlap_cdf.png"))
    everything = [item for items in flagged.values() for item in items]
    name_training_documents(everything, split_shard_paths(out_dir, "train", manifest, kind="text"))
    items_path = os.path.join(report_dir, "overlap_items.jsonl")
    with open(items_path, "w", encoding="utf-8") as out:  # one line per eval item that overlaps
        for name, items in flagged.items():
            for item in items:
                out.write(json.dumps({"eval_set": name, **item}, sort_keys=True) + "\n")
    report = {
        "filter": {
            "path": filter_path,
            "reused": cached,
            "false_positive_bound": false_positive_rate_bound,
            "bits": bloom.size_in_bits,
            "measured_false_positive_rate": false_positive_rate(bloom, fp_samples),
            "fp_samples": fp_samples,
        },
        "eval_sets": {
            name: {k: v for k, v in r.items() if k != "per_document"} for name, r in results.items()
        },
        "cdf_plot": os.path.join(report_dir, "overlap_cdf.png"),
        "items": items_path,
        "items_overlapping": {name: len(items) for name, items in flagged.items()},
    }
    with open(os.path.join(report_dir, "overlap.json"), "w") as out:
        json.dump(report, out, indent=2, sort_keys=True)
    return report


def format_report(report: dict) -> str:
    lines = [f"{'eval set':<28}{'documents':>10}{'8-grams':>12}{'overlap %':>11}{'median doc %':>14}"]
    for name, r in report["eval_sets"].items():
        lines.append(f"{name:<28}{r['documents']:>10}{r['ngrams']:>12}{r['overlap_percent']:>11.2f}"
                     f"{r['median_document_overlap_percent']:>14.2f}")
    f = report["filter"]
    lines += [
        "",
        f"false positives: {f['measured_false_positive_rate']:.2e} measured on {f['fp_samples']:,} random "
        f"strings (bound {f['false_positive_bound']:g}); filter {f['bits'] / 8 / 2**20:.1f} MiB"
        f"{' (reused)' if f['reused'] else ''}",
        f"CDF plot: {report['cdf_plot']}",
        "eval items that overlap: "
        + (", ".join(f"{name} {n}" for name, n in report["items_overlapping"].items()) or "none")
        + f" (each, and the training documents: {report['items']})",
    ]
    return "\n".join(lines)
