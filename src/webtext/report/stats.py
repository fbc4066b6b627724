"""The facts of a corpus: the manifest's accounting as-is, plus distributions read from the text shards.

Stage counts, documents and tokens are copied from manifest.json, never recomputed: the
manifest is the one source of truth, and the report only adds what it does not hold.
"""

import contextlib
import functools
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context

from webtext.in_order import in_order
from webtext.reasons import STAGES
from webtext.report.disk_counts import DiskCounts
from webtext.report.tally import ShardTally, shard_slices, tally_shard
from webtext.shards.reader import read_manifest

# Below this many documents a report is a few seconds' work for one process; above it, `workers` spawned
# processes tally the shards (about 0.5 ms a document with the filter scores, a second or two to start).
PARALLEL_FROM_DOCUMENTS = 20_000
# Forked processes start in milliseconds: from this many documents (Gopher's rules score one in about
# 3 ms), where this process may fork.
FORKED_FROM_DOCUMENTS = 256


def rule_score_stats(tally: ShardTally) -> list[dict]:
    """For each active junk rule, the scores of the kept documents it judged: how close they came to
    its limit, so that a user sees what moving the limit would cost."""
    return [{"rule": rule.reason, "limit": rule.limit, "drops": "below" if rule.drops_below else "above",
             "applies_from_words": rule.applies_from, "judged": judged.n, "near_limit": near,
             "quantiles": judged.quantiles(), "histogram": judged.histogram(rule.limit)}
            for rule, judged, near in zip(tally.rules, tally.scores, tally.near_limit, strict=True)]


def _pool_context(workers: int, documents: int):
    """The start method of the report's pool, or None for no pool. Fork only where this process has no
    other thread (the corpus command after a run in units): a fork copies no thread, and one copied in
    the middle of its work (the one Beam pipeline's, a caller's) could leave a lock held for good."""
    if workers < 2:
        return None
    may_fork = "fork" in get_all_start_methods() and threading.active_count() == 1
    if may_fork and documents >= FORKED_FROM_DOCUMENTS:
        return get_context("fork")
    return get_context("spawn") if documents >= PARALLEL_FROM_DOCUMENTS else None


@contextlib.contextmanager
def report_pool(manifest: dict, workers: int):
    """The processes a report of the corpus of `manifest` is made with (its shards tallied, its figures
    drawn), or None where one process does it: `workers` of them for a corpus large enough to be worth
    them (_pool_context)."""
    slices = sum(len(shard_slices(shard)) for shard in manifest["shards"])
    context = _pool_context(min(workers, slices), manifest["documents"])
    if context is None:
        yield None
        return
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield pool


def _shard_tallies(out_dir: str, manifest: dict, rule_scores, pool: Executor | None, workers: int):
    """Each shard slice's tally, in shard and row order: from `pool` (of `workers` processes) if there is
    one, at most two a process in flight."""
    slices = [piece for shard in manifest["shards"] for piece in shard_slices(shard)]
    config = manifest["config"]
    if pool is None:
        yield from (tally_shard(out_dir, piece, config, rule_scores) for piece in slices)
        return
    yield from in_order(
        pool,
        functools.partial(tally_shard, out_dir, config=config, rule_scores=rule_scores),
        slices,
        window=2 * workers,
    )


def corpus_stats(out_dir: str, top: int = 15, rule_scores=None, workers: int = 1) -> dict:
    """`rule_scores`: a module-level function of a corpus's config giving the filter stage's (rules,
    score) (filters.presets.kept_scores), or None to leave the filter scores out. `lengths_in_tokens`
    and `karma` are tally.Distribution tables (for the plots); stats_json turns them into histograms.
    Memory is set by the shard size, whatever the corpus's: domains and subreddits are counted on disk.
    Tallied in `workers` processes where the corpus is large enough to be worth them (report_pool)."""
    manifest = read_manifest(out_dir)
    with report_pool(manifest, workers) as pool:
        return stats_of(out_dir, manifest, pool, workers, top, rule_scores)


def stats_of(out_dir: str, manifest: dict, pool: Executor | None, workers: int, top: int = 15,
             rule_scores=None) -> dict:
    """corpus_stats's, from the corpus's `manifest` and report_pool's `pool` of `workers` processes (or
    None), for a caller that shares that pool with the figures."""
    tally = ShardTally(*(rule_scores(manifest["config"]) if rule_scores else ((), None)))
    with DiskCounts() as counts:  # in the temporary folder: the corpus may be read-only
        for shard_tally in _shard_tallies(out_dir, manifest, rule_scores, pool, workers):
            tally.merge(shard_tally)
            counts.add("domain", shard_tally.domains)
            counts.add("subreddit", shard_tally.subreddits)
        top_domains, top_subreddits = counts.most_common("domain", top), counts.most_common("subreddit", top)
    return {
        # manifest.json is written with sorted keys; the report lists stages in pipeline order
        "stages": {name: manifest["stages"][name] for name in STAGES if name in manifest["stages"]},
        "documents": manifest["documents"],
        "tokens": manifest["tokens"],
        "splits": manifest["splits"],
        "shards": len(manifest["shards"]),
        "bytes": manifest["text_bytes"],
        "dedup": manifest["dedup"],
        "lengths_in_tokens": tally.lengths,
        "length_quantiles": tally.lengths.quantiles(),
        "karma": tally.karma,
        "karma_quantiles": tally.karma.quantiles(),
        "first_seen_utc": {"min": tally.first_seen[0], "max": tally.first_seen[1]},
        "top_domains": top_domains,
        "top_subreddits": top_subreddits,
        "languages": dict(tally.languages.most_common()),
        "sources": dict(tally.sources.most_common()),  # live, wayback, commoncrawl
        "samples": [sample for _, sample in tally.samples],
        "rule_scores": rule_score_stats(tally),
        "damaged_inputs": manifest.get("damaged_inputs", []),
        "config": manifest["config"],
        "versions": manifest["versions"],
    }


def stats_json(stats: dict) -> dict:
    """The stats as stats.json keeps them: the per-document distributions as histograms and totals."""
    counts = {
        name: {
            "histogram": stats[name].histogram(float(stats[name].high or 0)),
            "sum": int(stats[name].total),
        }
        for name in ("lengths_in_tokens", "karma")
    }
    return {**{k: v for k, v in stats.items() if k not in counts}, **counts}
