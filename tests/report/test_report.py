"""report.html and stats.json: every number from the manifest, nothing fetched from outside."""

import json
import os
import re

import pytest

from webtext.shards.reader import read_manifest


def test_stats_copy_the_manifest(sample_corpus):
    stats = json.loads((sample_corpus / "stats.json").read_text())
    manifest = read_manifest(str(sample_corpus))
    assert stats["stages"] == manifest["stages"]
    assert (stats["documents"], stats["tokens"], stats["splits"]) == (
        manifest["documents"], manifest["tokens"], manifest["splits"])
    lengths = stats["lengths_in_tokens"]  # kept as a histogram and a total, not one number a document
    assert (
        stats["dedup"] == manifest["dedup"] and sum(lengths["histogram"]["counts"]) == manifest["documents"]
    )
    assert lengths["sum"] == manifest["tokens"] and stats["bytes"] == manifest["text_bytes"]
    assert sum(n for _, n in stats["top_domains"]) <= manifest["documents"]
    assert stats["sources"] == {"live": manifest["documents"]}  # the sample WARC holds live captures only


def test_html_numbers_are_the_manifests(sample_corpus):
    page = (sample_corpus / "report.html").read_text()
    manifest = read_manifest(str(sample_corpus))
    totals = re.search(r'id="totals">documents <b>(\d+)</b>, tokens <b>(\d+)</b>', page)
    assert (int(totals.group(1)), int(totals.group(2))) == (manifest["documents"], manifest["tokens"])
    for stage, entry in manifest["stages"].items():
        row = re.search(rf'<td class="l">{stage}</td><td class="">(\d+)</td><td class="">(\d+)</td>', page)
        assert (int(row.group(1)), int(row.group(2))) == (entry["in"], entry["kept"]), stage


def test_the_report_shows_near_duplicate_pairs_with_their_estimated_jaccard(sample_corpus):
    manifest = read_manifest(str(sample_corpus))
    examples = manifest["dedup"]["examples"]
    drops = {
        json.loads(line)["item"]: json.loads(line)
        for path in (sample_corpus / "rejects").glob("*.jsonl")
        for line in path.read_text().splitlines()
    }
    assert 0 < len(examples) <= 5
    for example in examples:  # each a real drop, with the document kept in its place
        drop = drops[example["dropped"]["doc_id"]]
        assert (drop["reason"], drop["detail"]) == ("near_duplicate", example["kept"]["doc_id"])
        assert 0.5 <= example["estimated_jaccard"] <= 1.0
    page = (sample_corpus / "report.html").read_text()
    section = page[page.index("Examples: near-duplicates"):]
    for example in examples:
        assert f'<td>{example["estimated_jaccard"]:.2f}</td>' in section
        assert example["kept"]["doc_id"] in section and example["dropped"]["doc_id"] in section


def test_html_is_self_contained(sample_corpus):
    page = (sample_corpus / "report.html").read_text()
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page)
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert page.count("data:image/png;base64,") >= 5


def test_the_report_shows_each_active_rules_scores_for_the_kept_documents(sample_corpus):
    from webtext.filters.presets import PRESETS

    stats = json.loads((sample_corpus / "stats.json").read_text())
    summaries = stats["rule_scores"]
    assert [s["rule"] for s in summaries] == [r.reason for r in PRESETS["webtext"]]  # the default preset's
    for summary, rule in zip(summaries, PRESETS["webtext"]):
        # every kept document judged by a rule passed it: no score is on the dropping side of its limit
        assert summary["judged"] == sum(summary["histogram"]["counts"])
        assert not rule.breaks(summary["quantiles"]["min"]) and not rule.breaks(summary["quantiles"]["max"])
    assert summaries[0]["judged"] == stats["documents"]  # stop_words judges every English document
    page = (sample_corpus / "report.html").read_text()
    assert 'id="rule-scores"' in page and all(f'<td class="l">{s["rule"]}</td>' in page for s in summaries)


def test_a_report_made_by_several_processes_is_the_same_as_one_made_by_one(sample_corpus, monkeypatch):
    from webtext.filters.presets import kept_scores
    from webtext.report import stats as report_stats

    # the sample is far below both: forked processes where this one has no other thread, else spawned
    monkeypatch.setattr(report_stats, "PARALLEL_FROM_DOCUMENTS", 0)
    monkeypatch.setattr(report_stats, "FORKED_FROM_DOCUMENTS", 0)
    assert len(read_manifest(str(sample_corpus))["shards"]) > 2
    made = [
        json.dumps(
            report_stats.stats_json(
                report_stats.corpus_stats(str(sample_corpus), rule_scores=kept_scores, workers=workers)
            ),
            sort_keys=True,
        )
        for workers in (1, 2)
    ]
    assert made[0] == made[1]
    assert not [name for name in os.listdir(sample_corpus) if name.startswith(".report-counts-")]


def test_the_report_is_the_same_drawn_in_a_pool_of_processes_or_in_one(sample_corpus, tmp_path, monkeypatch):
    # The tally and the figures share the pool; the rule-score grid is drawn in pieces of a fixed size.
    from webtext.filters.presets import kept_scores
    from webtext.report import html as report_html
    from webtext.report import stats as report_stats

    monkeypatch.setattr(report_stats, "FORKED_FROM_DOCUMENTS", 0)
    monkeypatch.setattr(report_stats, "PARALLEL_FROM_DOCUMENTS", 0)
    monkeypatch.setattr(report_html, "RULES_A_FIGURE", 3)
    pages = []
    for workers in (1, 2):
        html_path, _ = report_html.write_report(str(sample_corpus), rule_scores=kept_scores, workers=workers,
                                                to=str(tmp_path / str(workers)))
        pages.append(open(html_path, encoding="utf-8").read())
    assert pages[0] == pages[1]
    rules = len(json.loads((tmp_path / "1" / "stats.json").read_text())["rule_scores"])
    assert rules > 3 and pages[0].count('alt="filter scores"') == -(-rules // 3)


@pytest.mark.parametrize("rows", [0, 1, 63, 64, 65, 1066, 100_000])
def test_a_shard_is_tallied_in_slices_that_cover_each_row_once_in_order(rows):
    from webtext.report.tally import MIN_SLICE_ROWS, SLICES_A_SHARD, shard_slices

    shard = {"documents": rows, "text_path": "text/train-00000-of-00001.parquet", "split": "train"}
    slices = shard_slices(shard)
    covered = [row for _, first, count in slices for row in range(first, first + count)]
    assert covered == list(range(rows))
    assert len(slices) <= SLICES_A_SHARD
    assert all(count >= MIN_SLICE_ROWS for _, _, count in slices[:-1])


def test_a_slice_tallies_its_rows_and_no_others(sample_corpus):
    from webtext.report.tally import tally_shard

    shard = max(read_manifest(str(sample_corpus))["shards"], key=lambda s: s["documents"])
    config = read_manifest(str(sample_corpus))["config"]
    whole = tally_shard(str(sample_corpus), (shard, 0, shard["documents"]), config)
    cut = shard["documents"] // 2
    parts = [tally_shard(str(sample_corpus), (shard, 0, cut), config),
             tally_shard(str(sample_corpus), (shard, cut, shard["documents"] - cut), config)]
    assert [part.lengths.n for part in parts] == [cut, shard["documents"] - cut]
    parts[0].merge(parts[1])
    assert parts[0].lengths == whole.lengths and parts[0].samples == whole.samples


def test_the_report_forks_only_a_process_with_no_other_thread(monkeypatch):
    import threading

    from webtext.report import stats as report_stats

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert report_stats._pool_context(2, 1000).get_start_method() == "fork"
    assert report_stats._pool_context(1, 10**6) is None  # one worker: no pool
    assert report_stats._pool_context(2, 10) is None  # too few documents to be worth a pool
    monkeypatch.setattr(threading, "active_count", lambda: 3)  # a Beam pipeline's threads, say
    assert report_stats._pool_context(2, 1000) is None
    assert report_stats._pool_context(2, 10**6).get_start_method() == "spawn"


def test_distributions_are_held_as_value_counts_with_numpys_quantiles():
    import numpy as np

    from webtext.report.tally import Distribution

    rng = np.random.default_rng(0)
    lengths, halves = Distribution(), [Distribution(), Distribution()]
    values = rng.integers(1, 300, size=20_000)
    for i, value in enumerate(values.tolist()):
        lengths.add(value)
        halves[i >= 7_000].add(value)
    halves[0].merge(halves[1])
    assert len(lengths.counts) < 300  # one entry a distinct value, not a document
    expected = {
        name: float(np.quantile(values, q))
        for name, q in (("min", 0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1))
    } | {"mean": float(values.mean())}
    assert lengths.quantiles() == halves[0].quantiles() == expected
    histogram = lengths.histogram(limit=299)
    assert histogram["counts"] == np.histogram(values, bins=30, range=(0, 299 * 1.1))[0].tolist()

    scores = Distribution(digits=4)
    floats = rng.random(20_000)
    for value in floats.tolist():
        scores.add(value)
    assert len(scores.counts) <= 10_001  # four significant digits in [0, 1)
    summary = scores.quantiles()
    assert (summary["min"], summary["max"]) == (floats.min(), floats.max())  # exact
    assert abs(summary["median"] - np.median(floats)) < 1e-3
    assert sum(scores.histogram(limit=0.5)["counts"]) == len(floats)


def test_domains_are_counted_on_disk_and_ranked_by_count_then_name(tmp_path):
    from collections import Counter

    from webtext.report.disk_counts import DiskCounts

    with DiskCounts(str(tmp_path)) as counts:
        counts.add("domain", Counter({"b.example": 2, "a.example": 2, "c.example": 1}))
        counts.add("domain", Counter({"c.example": 2}))
        counts.add("subreddit", Counter({"a.example": 9}))
        assert counts.most_common("domain", 2) == [("c.example", 3), ("a.example", 2)]
    assert not list(tmp_path.iterdir())  # the file is gone when closed
