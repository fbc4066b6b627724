"""The facts of a corpus: the manifest's accounting as-is, plus distributions read from the text shards.

Stage counts, documents and tokens are copied from manifest.json, never recomputed: the
manifest is the one source of truth, and the report only adds what it does not hold.
"""

import os
from collections import Counter

import numpy as np
import pyarrow.parquet as pq

from webtext.pipeline.accounting import STAGES
from webtext.tokenize.reader import read_manifest

COLUMNS = ["doc_id", "url", "final_url", "domain", "title", "text", "karma", "submission_ids", "subreddits",
           "first_seen_utc", "language", "n_tokens", "fetched_at", "source"]
SAMPLES = 3


def _quantiles(values: list[int]) -> dict[str, float]:
    if not values:
        return {}
    array = np.array(values)
    return {name: float(np.quantile(array, q)) for name, q in
            (("min", 0.0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1.0))} | {"mean": float(array.mean())}


def corpus_stats(out_dir: str, top: int = 15) -> dict:
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
        "damaged_inputs": manifest.get("damaged_inputs", []),
        "config": manifest["config"],
        "versions": manifest["versions"],
    }
