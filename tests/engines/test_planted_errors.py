"""An exception while a stage handles one record drops that record as <stage>_error and the run goes on;
those drops are counted apart, and more of them than --max_error_share allows fails the run (exit 1) without
touching the previous corpus. Each stage's own function is made to raise for one chosen record, as the one
Beam pipeline and a run in units (--workers, whose forked workers inherit the plants) each call it."""

import json
import shutil

import pytest

import webtext.crawl.transforms as crawl
import webtext.crawl.warc_index as warc_index
import webtext.dedup.clusters as clusters
import webtext.dedup.minhash as minhash
import webtext.extract.extractor as extractor
import webtext.filters.rules as rules
import webtext.sources.links as links
import webtext.sources.parse_file as parse_file
import webtext.tokenize.encode as encode
from helpers.corpus_files import assert_same_corpus
from webtext.cli.main import run

SAMPLE = ["corpus", "--sample", "--val_fraction", "0.2", "--docs_per_shard", "8", "--no_report"]
STORY = "https://{}.example/{}"


def raising_for(original, chosen, error=ValueError):
    """`original`, except that it raises `error` for the record `chosen(args)` picks."""
    def planted(*args, **kwargs):
        if chosen(*args):
            raise error("planted for the test")
        return original(*args, **kwargs)
    return planted


@pytest.fixture
def planted(monkeypatch):
    """One record planted to raise in each stage (for the tokenizer: when it encodes a document on its own,
    as it does after a batch failed; the batch fails through the same document)."""
    url = STORY.format
    # The read stage's one driver (sources/parse_file.py) and the select and links stages' (sources/links.py).
    monkeypatch.setattr(parse_file, "parse_submission",
                        raising_for(parse_file.parse_submission, lambda raw, source: source.endswith(":3")))
    monkeypatch.setattr(links, "select_submission", raising_for(
        links.select_submission, lambda sub, config: sub.url.endswith("2015/06/story-01/"), LookupError))
    monkeypatch.setattr(links, "build_link", raising_for(
        links.build_link, lambda key, subs, config: key == url("metro-ledger", "2012/07/story-00")))
    monkeypatch.setattr(
        warc_index,
        "response_to_result",
        raising_for(
            warc_index.response_to_result,
            lambda link, response: link.url == url("valley-post", "2016/03/story-05"),
            LookupError,
        ),
    )
    monkeypatch.setattr(encode, "encode_documents", raising_for(  # the one driver both engines tokenize with
        encode.encode_documents, lambda encoding, texts: any(t.split()[:3] == ["Story", "number", "14"]
                                                             for t in texts)))
    monkeypatch.setattr(crawl, "match_replay", raising_for(
        crawl.match_replay, lambda links, responses: any(link.url == url("valley-post", "2016/03/story-05")
                                                         for link in links), LookupError))
    monkeypatch.setattr(
        extractor,
        "document_from",
        raising_for(
            extractor.document_from,
            lambda result, extracted: result.link.url == url("hilltop-journal", "2012/07/story-03"),
        ),
    )
    monkeypatch.setattr(rules, "drop_wikipedia", raising_for(
        rules.drop_wikipedia, lambda doc: doc.url == url("coastal-herald", "2012/02/story-12"), LookupError))
    # Both engines rank an exact group's members with this (the sample's one exact pair holds
    # 3b572b15d54e62ff).
    monkeypatch.setattr(clusters, "survivor_rank", raising_for(
        clusters.survivor_rank, lambda member: member.doc_id == "3b572b15d54e62ff"))
    # Both engines sign every document dedup gets with this Signer (dedup.clusters.signature_or_drop).
    monkeypatch.setattr(minhash.Signer, "signature", raising_for(
        minhash.Signer.signature, lambda signer, text: text.startswith("Story number 7\n")))
    # (Beam's near-duplicate verdict, a step of its own only there, raises in tests/dedup/test_transforms.py.)


STAGES = ("read", "select", "links", "fetch", "extract", "filter", "dedup", "tokenize")


def test_one_planted_exception_per_stage_is_one_counted_drop_each_and_the_engines_agree(planted, tmp_path,
                                                                                        capsys):
    outs = {workers: tmp_path / f"workers-{workers}" for workers in ("0", "2")}
    for workers, out in outs.items():
        assert run([*SAMPLE, "--out", str(out), "--max_error_share", "0.3", "--workers", workers]) == 0
        assert_one_drop_each(out, capsys.readouterr().out)
    # The same drops, each with its reason, and the same accounting and shards, in either engine.
    assert_same_corpus(outs["0"], outs["2"])


def assert_one_drop_each(out, printed: str) -> None:
    manifest = json.loads((out / "manifest.json").read_text())
    stages = STAGES
    for stage in stages:
        entry = manifest["stages"][stage]
        assert entry["dropped"].get(f"{stage}_error", 0) >= 1, (stage, entry["dropped"])
        assert entry["balanced"], stage
    assert all(f"errors: {stage} " in printed for stage in stages)
    drops = [
        json.loads(line)
        for path in (out / "rejects").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    errors = [d for d in drops if d["reason"] in {f"{stage}_error" for stage in stages}]
    assert len(errors) >= len(stages) and all("planted for the test" in d["detail"] for d in errors)
    assert {d["detail"].split(":")[0] for d in errors} == {"ValueError", "LookupError"}
    # The exact pair whose ranking raised: both its documents dropped as dedup errors, in either engine.
    assert {d["item"] for d in errors if d["stage"] == "dedup"} >= {"3b572b15d54e62ff", "42ef7be92dc9447a"}


def test_more_errors_than_allowed_fail_the_run_and_keep_the_previous_corpus(sample_corpus, tmp_path, capsys,
                                                                            monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(sample_corpus, out)  # the corpus a good run left there
    before = (out / "manifest.json").read_bytes()
    monkeypatch.setattr(
        rules, "drop_wikipedia", raising_for(rules.drop_wikipedia, lambda doc: "story" in doc.url)
    )
    assert run([*SAMPLE, "--out", str(out), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert (
        "exceptions dropped more than 1.0% of a stage's records (filter " in error and "is unchanged" in error
    )
    assert (out / "manifest.json").read_bytes() == before
