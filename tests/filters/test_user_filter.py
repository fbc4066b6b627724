"""Your own filter (--filter_module): run by both engines after the built-in rules, its reasons counted in
the manifest and the report, the engines holding to the same bytes; its mistakes are one line, or counted
drops."""

import json

import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE_FLAGS
from helpers.corpus_files import assert_same_corpus
from webtext.cli.main import run

FLAGS = [*SAMPLE_FLAGS, "--no_report"]


@pytest.fixture(scope="module")
def filtered(tmp_path_factory):
    root = tmp_path_factory.mktemp("user_filter")
    for workers in ("0", "2"):
        assert run(["corpus", *FLAGS, "--out", str(root / workers), "--workers", workers,
                    "--filter_module", "helpers.user_filters:no_harbour"]) == 0
    return root


def test_both_engines_run_it_after_the_built_in_rules_and_agree(filtered, sample_corpus):
    assert_same_corpus(filtered / "0", filtered / "2")
    manifest = json.loads((filtered / "2" / "manifest.json").read_text())
    before = json.loads((sample_corpus / "manifest.json").read_text())
    dropped = manifest["stages"]["filter"]["dropped"]
    domains = [d for path in (sample_corpus / "text").glob("*.parquet")
               for d in pq.read_table(path, columns=["domain"]).column("domain").to_pylist()]
    harbour_kept = sum(d.startswith("harbour") for d in domains)
    assert harbour_kept > 0
    assert dropped.get("user_harbour_site", 0) >= harbour_kept
    kept_now = [d for path in (filtered / "2" / "text").glob("*.parquet")
                for d in pq.read_table(path, columns=["domain"]).column("domain").to_pylist()]
    assert not any(d.startswith("harbour") for d in kept_now) and len(kept_now) < before["documents"]
    assert manifest["config"]["filters"]["filter_module"] == "helpers.user_filters:no_harbour"
    rejects = [json.loads(line) for path in (filtered / "2" / "rejects").glob("*.jsonl")
               for line in open(path, encoding="utf-8")]
    assert sum(d["reason"] == "user_harbour_site" for d in rejects) == dropped["user_harbour_site"]


def test_its_reasons_are_in_the_report_with_their_meaning(filtered, capsys):
    assert run(["report", str(filtered / "2")]) == 0
    html = (filtered / "2" / "report.html").read_text()
    assert "user_harbour_site" in html and "--filter_module dropped it (harbour_site)" in html


def test_false_drops_as_user_rejected_and_an_exception_is_a_counted_filter_error(tmp_path):
    assert run(["corpus", *FLAGS, "--out", str(tmp_path / "a"),
                "--filter_module", "helpers.user_filters:rejects_shared_stories"]) == 0
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["stages"]["filter"]["dropped"].get(
        "user_rejected", 0) > 0
    assert run(["corpus", *FLAGS, "--out", str(tmp_path / "b"), "--max_error_share", "1",
                "--filter_module", "helpers.user_filters:raises_on_coastal"]) == 0
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["stages"]["filter"]["dropped"].get(
        "filter_error", 0) > 0


@pytest.mark.parametrize("spec, says", [
    ("helpers.user_filters", "--filter_module must be package.module:function"),
    ("helpers.no_such_module:f", "No module named"),
    ("helpers.user_filters:nothing_here", "has no attribute 'nothing_here'"),
])
def test_a_filter_that_cannot_be_loaded_is_one_line_before_the_run(tmp_path, capsys, spec, says):
    assert run(["corpus", *FLAGS, "--out", str(tmp_path / "out"), "--filter_module", spec]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err
    assert not (tmp_path / "out").exists()
