"""What the report keeps of one text shard, in memory set by the shard, not the corpus: distributions
as value -> count tables, counts by domain and subreddit, the first samples by id. Tallies of
consecutive shards merge in shard order, so a report made by several processes is the same bytes as
one made by one.
"""

import math
import os
from bisect import bisect_right, insort
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np
import pyarrow.parquet as pq

COLUMNS = ["doc_id", "url", "final_url", "domain", "title", "text", "karma", "submission_ids", "subreddits",
           "first_seen_utc", "language", "n_tokens", "fetched_at", "source"]
SAMPLES = 3
# A filter score is a float that can take as many values as there are documents; the report keeps it
# to this many significant digits (its min, max, sum and near-limit count stay exact).
SCORE_DIGITS = 4


@dataclass
class Distribution:
    """One number a document, held as value -> count: exact for integers (token counts, karma), to
    `digits` significant digits for floats, with min, max and sum exact either way. Its size is the
    number of distinct values, which the value range bounds, not the number of documents."""

    digits: int | None = None
    counts: Counter = field(default_factory=Counter)
    n: int = 0
    total: float = 0
    low: float | None = None
    high: float | None = None

    def add(self, value) -> None:
        self.n += 1
        self.total += value
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)
        self.counts[float(f"{value:.{self.digits}g}") if self.digits else value] += 1

    def merge(self, other: "Distribution") -> None:
        if not other.n:
            return
        self.counts.update(other.counts)
        self.n += other.n
        self.total += other.total
        self.low = other.low if self.low is None else min(self.low, other.low)
        self.high = other.high if self.high is None else max(self.high, other.high)

    def values_and_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct values, ascending, each within [min, max] (a rounded one can fall just past
        them), and how many documents have each."""
        values = sorted(self.counts)
        return (np.clip(np.array(values, dtype=np.float64), self.low, self.high) if values else np.array([]),
                np.array([self.counts[v] for v in values], dtype=np.int64))

    def quantiles(self) -> dict[str, float]:
        """numpy's default (linear) quantiles of the documents' values, read off the count table (for
        floats, of the rounded values; min and max are exact)."""
        if not self.n:
            return {}
        values, counts = self.values_and_counts()
        ends = list(accumulate(counts.tolist()))  # ends[i]: documents with a value <= values[i]

        def ranked(k: int) -> float:  # the k-th smallest document's value, from 0
            return float(values[bisect_right(ends, k)])

        def quantile(q: float) -> float:
            position = (self.n - 1) * q
            below = math.floor(position)
            low = ranked(below)
            return low if below + 1 >= self.n else low + (position - below) * (ranked(below + 1) - low)
        return {"min": float(self.low), "p10": quantile(0.1), "median": quantile(0.5), "p90": quantile(0.9),
                "max": float(self.high), "mean": self.total / self.n}

    def histogram(self, limit: float, bins: int = 30) -> dict:
        """Counts in equal bins from 0 (or below) to past the limit, so that a plot shows the values
        and the limit on one axis."""
        if not self.n:
            return {"counts": [], "edges": []}
        values, counts = self.values_and_counts()
        low, high = min(0.0, float(self.low)), max(float(self.high), limit * 1.1)
        binned, edges = np.histogram(values, bins=bins, range=(low, high), weights=counts)
        return {"counts": [int(c) for c in binned], "edges": [round(float(e), 6) for e in edges]}


class ShardTally:
    """The report's facts of some consecutive shards: numbers, counts and the few samples, never the
    texts. `rules`, `score`: see filters.presets.kept_scores."""

    def __init__(self, rules=(), score=None):
        self.lengths, self.karma = Distribution(), Distribution()
        self.domains, self.subreddits, self.languages, self.sources = (
            Counter(),
            Counter(),
            Counter(),
            Counter(),
        )
        self.samples: list = []  # (doc id, sample): the SAMPLES smallest ids seen so far, sorted
        self.rules, self.score = rules, score
        self.scores = [Distribution(SCORE_DIGITS) for _ in rules]  # one per rule, in the rules' order
        self.near_limit = [0 for _ in rules]  # kept documents within a fifth of each rule's limit
        self.first_seen: list = [None, None]  # the earliest and latest first_seen_utc

    def add(self, row: dict) -> None:
        self.lengths.add(row["n_tokens"])
        self.karma.add(row["karma"])
        self.domains[row["domain"]] += 1
        self.subreddits.update(row["subreddits"])
        self.languages[row["language"]] += 1
        self.sources[row["source"]] += 1
        self._seen(row["first_seen_utc"], row["first_seen_utc"])
        if self.score is not None:
            for i, value in enumerate(self.score(row["text"], row["language"])):
                if value is not None:
                    self.scores[i].add(value)
                    self.near_limit[i] += abs(value - self.rules[i].limit) <= 0.2 * abs(self.rules[i].limit)
        # The corpus's first documents by id; a sample is made only for those.
        if len(self.samples) < SAMPLES or row["doc_id"] < self.samples[-1][0]:
            self._keep_samples([(row["doc_id"], _sample_of(row))])

    def merge(self, other: "ShardTally") -> None:
        """Add a later shard's tally (domains and subreddits are the caller's: see stats.corpus_stats)."""
        self.lengths.merge(other.lengths)
        self.karma.merge(other.karma)
        self.languages.update(other.languages)
        self.sources.update(other.sources)
        for mine, theirs in zip(self.scores, other.scores, strict=True):
            mine.merge(theirs)
        self.near_limit = [a + b for a, b in zip(self.near_limit, other.near_limit, strict=True)]
        if other.first_seen[0] is not None:
            self._seen(*other.first_seen)
        self._keep_samples(other.samples)

    def _seen(self, earliest: int, latest: int) -> None:
        low, high = self.first_seen
        self.first_seen = [
            earliest if low is None else min(low, earliest),
            latest if high is None else max(high, latest),
        ]

    def _keep_samples(self, samples: list) -> None:
        for sample in samples:
            insort(self.samples, sample, key=lambda kv: kv[0])
        del self.samples[SAMPLES:]

    def __getstate__(self):  # a process pool sends it back without the rules and their score function
        return {**self.__dict__, "rules": (), "score": None}


def _sample_of(row: dict) -> dict:
    return {key: row[key] for key in ("doc_id", "url", "final_url", "title", "karma", "submission_ids",
                                      "subreddits", "first_seen_utc", "fetched_at", "source", "split")} \
        | {"excerpt": row["text"][:600]}


# A shard is tallied in slices of its rows, each a task of its own for the report's pool, so that a corpus
# of a shard or two still spreads over the workers. The slices are a function of the shard alone, never of
# the workers, so that the report is the same bytes whatever their number.
SLICES_A_SHARD = 8
MIN_SLICE_ROWS = 64


def shard_slices(shard: dict) -> list[tuple[dict, int, int]]:
    """(shard, first row, rows) for each slice of a manifest's shard entry."""
    rows = shard["documents"]
    size = max(MIN_SLICE_ROWS, -(-rows // SLICES_A_SHARD))
    return [(shard, first, min(size, rows - first)) for first in range(0, rows, size)] or [(shard, 0, 0)]


def tally_shard(out_dir: str, piece: tuple[dict, int, int], config: dict, rule_scores=None) -> ShardTally:
    """The tally of a slice of one text shard (shard_slices'), a record batch at a time (one batch's
    texts in memory). `rule_scores`: a module-level function of the corpus's config giving (rules,
    score), or None to leave scores out."""
    shard, first, rows = piece
    rules, score = rule_scores(config) if rule_scores else ((), None)
    tally = ShardTally(rules, score)
    parquet = pq.ParquetFile(os.path.join(out_dir, shard["text_path"]))
    # A text shard is one row group: the rows before the slice are read past, not tallied.
    position = 0
    for batch in parquet.iter_batches(batch_size=1024, columns=COLUMNS):
        start, stop = max(first - position, 0), min(first + rows - position, batch.num_rows)
        position += batch.num_rows
        if stop <= 0:
            continue
        for row in batch.slice(start, stop - start).to_pylist():
            tally.add({**row, "split": shard["split"]})
        if position >= first + rows:
            break
    return tally
