"""The facts of a corpus: the manifest's accounting as-is, plus distributions read from the text shards.

Stage counts, documents and tokens are copied from manifest.json, never recomputed: the
manifest is the one source of truth, and the report only adds what it does not hold.
"""

import os
from array import array
from bisect import insort
from collections import Counter

import numpy as np
import pyarrow.parquet as pq

from webtext.reasons import STAGES
from webtext.shards.reader import read_manifest

COLUMNS = ["doc_id", "url", "final_url", "domain", "title", "text", "karma", "submission_ids", "subreddits",
           "first_seen_utc", "language", "n_tokens", "fetched_at", "source"]
SAMPLES = 3


def _quantiles(values) -> dict[str, float]:
    if not len(values):
        return {}
    values = np.asarray(values)
    return {name: float(np.quantile(values, q)) for name, q in
            (("min", 0.0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1.0))} | {"mean": float(values.mean())}


def _histogram(values, limit: float, bins: int = 30) -> dict:
    """Counts in equal bins from 0 (or below) to past the limit (stats.json keeps these, not one
    score per document), so the plot shows the scores and the limit on one axis."""
    if not len(values):
        return {"counts": [], "edges": []}
    values = np.asarray(values)
    low, high = min(0.0, float(values.min())), max(float(values.max()), limit * 1.1)
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    return {"counts": counts.tolist(), "edges": [round(float(e), 6) for e in edges]}


def _rows(out_dir: str, manifest: dict, batch_rows: int = 1024):
    """Every document of the corpus, a record batch at a time: only one batch's texts are in memory."""
    for shard in manifest["shards"]:
        parquet = pq.ParquetFile(os.path.join(out_dir, shard["text_path"]))
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=COLUMNS):
            for row in batch.to_pylist():
                yield {**row, "split": shard["split"]}


class _Tally:
    """What the report keeps of each document as the shards stream by: numbers, counts and the few
    samples, never the texts (8 bytes a document for each distribution)."""

    def __init__(self, rules, score):
        self.lengths, self.karma = array("q"), array("q")
        self.domains, self.subreddits, self.languages, self.sources = Counter(), Counter(), Counter(), Counter()
        self.samples: list = []  # (doc id, sample): the SAMPLES smallest ids seen so far, sorted
        self.score = score
        self.scores = [array("d") for _ in rules]  # one per rule, in the rules' order

    def add(self, row: dict) -> None:
        self.lengths.append(row["n_tokens"])
        self.karma.append(row["karma"])
        self.domains[row["domain"]] += 1
        self.subreddits.update(row["subreddits"])
        self.languages[row["language"]] += 1
        self.sources[row["source"]] += 1
        if self.score is not None:
            for judged, value in zip(self.scores, self.score(row["text"], row["language"]), strict=True):
                if value is not None:
                    judged.append(value)
        # The corpus's first documents by id, as a sorted read gave; a sample is made only for those.
        if len(self.samples) < SAMPLES or row["doc_id"] < self.samples[-1][0]:
            insort(self.samples, (row["doc_id"], _sample_of(row)), key=lambda kv: kv[0])
            del self.samples[SAMPLES:]


def _sample_of(row: dict) -> dict:
    return {key: row[key] for key in ("doc_id", "url", "final_url", "title", "karma", "submission_ids",
                                      "subreddits", "first_seen_utc", "fetched_at", "source", "split")} \
        | {"excerpt": row["text"][:600]}


def rule_score_stats(scores: list, rules) -> list[dict]:
    """For each active junk rule, the scores of the kept documents it judged: how close they came to
    its limit, so that a user sees what moving the limit would cost. `rules` and the scores come
    from the filter stage (filters.presets.kept_scores)."""
    summaries = []
    for rule, judged in zip(rules, scores, strict=True):
        values = np.frombuffer(judged, dtype=np.float64) if judged else np.array([])
        # "near": within a fifth of the limit, on the side that is kept
        near = int(np.sum(np.abs(values - rule.limit) <= 0.2 * abs(rule.limit)))
        summaries.append({"rule": rule.reason, "limit": rule.limit, "drops": "below" if rule.drops_below else "above",
                          "applies_from_words": rule.applies_from, "judged": len(values), "near_limit": near,
                          "quantiles": _quantiles(values), "histogram": _histogram(values, rule.limit)})
    return summaries


def corpus_stats(out_dir: str, top: int = 15, rule_scores=None) -> dict:
    """`rule_scores`: the filter stage's (rules, score) for the corpus's config, or None to leave the
    filter scores out. `lengths_in_tokens` and `karma` are numpy arrays, one number a document (for
    the plots); stats_json turns them into histograms."""
    manifest = read_manifest(out_dir)
    rules, score = rule_scores(manifest["config"]) if rule_scores else ((), None)
    tally = _Tally(rules, score)
    for row in _rows(out_dir, manifest):
        tally.add(row)
    lengths, karma = np.frombuffer(tally.lengths, dtype=np.int64), np.frombuffer(tally.karma, dtype=np.int64)
    return {
        # manifest.json is written with sorted keys; the report lists stages in pipeline order
        "stages": {name: manifest["stages"][name] for name in STAGES if name in manifest["stages"]},
        "documents": manifest["documents"],
        "tokens": manifest["tokens"],
        "splits": manifest["splits"],
        "shards": len(manifest["shards"]),
        "bytes": manifest["text_bytes"],
        "dedup": manifest["dedup"],
        "lengths_in_tokens": lengths,
        "length_quantiles": _quantiles(lengths),
        "karma": karma,
        "karma_quantiles": _quantiles(karma),
        "top_domains": tally.domains.most_common(top),
        "top_subreddits": tally.subreddits.most_common(top),
        "languages": dict(tally.languages.most_common()),
        "sources": dict(tally.sources.most_common()),  # live, wayback, commoncrawl
        "samples": [sample for _, sample in tally.samples],
        "rule_scores": rule_score_stats(tally.scores, rules),
        "damaged_inputs": manifest.get("damaged_inputs", []),
        "config": manifest["config"],
        "versions": manifest["versions"],
    }


def stats_json(stats: dict) -> dict:
    """The stats as stats.json keeps them: the per-document distributions as histograms and totals."""
    counts = {name: {"histogram": _histogram(stats[name], float(stats[name].max()) if len(stats[name]) else 0.0),
                     "sum": int(stats[name].sum())} for name in ("lengths_in_tokens", "karma")}
    return {**{k: v for k, v in stats.items() if k not in counts}, **counts}
