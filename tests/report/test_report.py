"""report.html and stats.json: every number from the manifest, nothing fetched from outside."""

import json
import re

from webtext.tokenize.reader import read_manifest


def test_stats_copy_the_manifest(sample_corpus):
    stats = json.loads((sample_corpus / "stats.json").read_text())
    manifest = read_manifest(str(sample_corpus))
    assert stats["stages"] == manifest["stages"]
    assert (stats["documents"], stats["tokens"], stats["splits"]) == (
        manifest["documents"], manifest["tokens"], manifest["splits"])
    assert stats["dedup"] == manifest["dedup"] and len(stats["lengths_in_tokens"]) == manifest["documents"]
    assert sum(stats["lengths_in_tokens"]) == manifest["tokens"] and stats["bytes"] == manifest["text_bytes"]
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
