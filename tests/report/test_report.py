"""report.html and stats.json: every number from the manifest, nothing fetched from outside."""

import json
import re

from webtext.shards.reader import read_manifest


def test_stats_copy_the_manifest(sample_corpus):
    stats = json.loads((sample_corpus / "stats.json").read_text())
    manifest = read_manifest(str(sample_corpus))
    assert stats["stages"] == manifest["stages"]
    assert (stats["documents"], stats["tokens"], stats["splits"]) == (
        manifest["documents"], manifest["tokens"], manifest["splits"])
    lengths = stats["lengths_in_tokens"]  # kept as a histogram and a total, not one number a document
    assert stats["dedup"] == manifest["dedup"] and sum(lengths["histogram"]["counts"]) == manifest["documents"]
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
