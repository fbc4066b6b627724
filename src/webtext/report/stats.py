"""The facts of a corpus: the manifest's accounting as-is, plus distributions read from the text shards.

Stage counts, documents and tokens are copied from manifest.json, never recomputed: the
manifest is the one source of truth, and the report only adds what it does not hold.
"""

import os
from collections import Counter

import numpy as np
import pyarrow.parquet as pq

from webtext.reasons import STAGES
from webtext.shards.reader import read_manifest

COLUMNS = ["doc_id", "url", "final_url", "domain", "title", "text", "karma", "submission_ids", "subreddits",
           "first_seen_utc", "language", "n_tokens", "fetched_at", "source"]
SAMPLES = 3


def _quantiles(values: list[int]) -> dict[str, float]:
    if not values:
        return {}
    array = np.array(values)
    return {name: float(np.quantile(array, q)) for name, q in
            (("min", 0.0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1.0))} | {"mean": float(array.mean())}


def _histogram(values: list[float], limit: float, bins: int = 30) -> dict:
    """Counts in equal bins from 0 (or below) to past the limit (stats.json keeps these, not one
    score per document), so the plot shows the scores and the limit on one axis."""
    if not values:
        return {"counts": [], "edges": []}
    low, high = min(0.0, min(values)), max(max(values), limit * 1.1)
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    return {"counts": counts.tolist(), "edges": [round(float(e), 6) for e in edges]}


def rule_score_stats(rows: list[dict], rules, score) -> list[dict]:
    """For each active junk rule, the scores of the kept documents it judged: how close they came to
    its limit, so that a user sees what moving the limit would cost. `rules` and `score(text,
    language) -> {rule: score}` come from the filter stage (filters.presets.kept_scores)."""
    per_rule: dict[str, list[float]] = {rule.reason: [] for rule in rules}
    for row in rows:
        for reason, value in score(row["text"], row["language"]).items():
            per_rule[reason].append(value)
    summaries = []
    for rule in rules:
        values = per_rule[rule.reason]
        # "near": within a fifth of the limit, on the side that is kept
        near = [v for v in values if abs(v - rule.limit) <= 0.2 * abs(rule.limit)]
        summaries.append({"rule": rule.reason, "limit": rule.limit, "drops": "below" if rule.drops_below else "above",
                          "applies_from_words": rule.applies_from, "judged": len(values), "near_limit": len(near),
                          "quantiles": _quantiles(values), "histogram": _histogram(values, rule.limit)})
    return summaries


def corpus_stats(out_dir: str, top: int = 15, rule_scores=None) -> dict:
    """`rule_scores`: the filter stage's (rules, score) for the corpus's config (see rule_score_stats),
    or None to leave the filter scores out."""
    manifest = read_manifest(out_dir)
    rows = []
    for shard in manifest["shards"]:
        table = pq.read_table(os.path.join(out_dir, shard["text_path"]), columns=COLUMNS)
        rows.extend({**row, "split": shard["split"]} for row in table.to_pylist())
    rows.sort(key=lambda r: r["doc_id"])
    domains = Counter(r["domain"] for r in rows)
    subreddits = Counter(s for r in rows for s in r["subreddits"])
    return {
        # manifest.json is written with sorted keys; the report lists stages in pipeline order
        "stages": {name: manifest["stages"][name] for name in STAGES if name in manifest["stages"]},
        "documents": manifest["documents"],
        "tokens": manifest["tokens"],
        "splits": manifest["splits"],
        "shards": len(manifest["shards"]),
        "bytes": manifest["text_bytes"],
        "dedup": manifest["dedup"],
        "lengths_in_tokens": [r["n_tokens"] for r in rows],
        "length_quantiles": _quantiles([r["n_tokens"] for r in rows]),
        "karma": [r["karma"] for r in rows],
        "karma_quantiles": _quantiles([r["karma"] for r in rows]),
        "top_domains": domains.most_common(top),
        "top_subreddits": subreddits.most_common(top),
        "languages": dict(Counter(r["language"] for r in rows).most_common()),
        "sources": dict(Counter(r["source"] for r in rows).most_common()),  # live, wayback, commoncrawl
        "samples": [{key: r[key] for key in ("doc_id", "url", "final_url", "title", "karma", "submission_ids",
                                             "subreddits", "first_seen_utc", "fetched_at", "source", "split")}
                    | {"excerpt": r["text"][:600]} for r in rows[:SAMPLES]],
        "rule_scores": rule_score_stats(rows, *rule_scores(manifest["config"])) if rule_scores else [],
        "damaged_inputs": manifest.get("damaged_inputs", []),
        "config": manifest["config"],
        "versions": manifest["versions"],
    }
