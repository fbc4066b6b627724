"""--keep_dropped_text: the text of each document the filter and dedup stages dropped, kept in rejects/
beside its reason (by both engines, to the same bytes), printed by `webtext show --dropped`; the shards and
every other drop as without it, and no text in rejects/ unless asked."""

import json

import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE_FLAGS
from helpers.corpus_files import assert_same_corpus
from webtext.cli.main import run
from webtext.dedup.minhash import exact_key

TEXT_STAGES = ("filter", "dedup")


@pytest.fixture(scope="module")
def kept_text(tmp_path_factory):
    root = tmp_path_factory.mktemp("keep_dropped_text")
    for workers in ("0", "2"):
        assert run(["corpus", *SAMPLE_FLAGS, "--no_report", "--out", str(root / workers),
                    "--workers", workers, "--keep_dropped_text"]) == 0
    return root


def drops(corpus) -> list[dict]:
    return [json.loads(line) for path in sorted((corpus / "rejects").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def texts_by_id(corpus) -> dict[str, str]:
    return {row["doc_id"]: row["text"] for path in (corpus / "text").glob("*.parquet")
            for row in pq.read_table(path, columns=["doc_id", "text"]).to_pylist()}


def test_both_engines_keep_the_same_texts_and_the_shards_do_not_change(kept_text, sample_corpus):
    assert_same_corpus(kept_text / "0", kept_text / "2")
    for folder in ("tokens", "text"):
        for shard in (sample_corpus / folder).iterdir():
            assert (kept_text / "2" / folder / shard.name).read_bytes() == shard.read_bytes(), shard.name
    # the same drops as without the flag, only with the texts added
    without_text = sorted(json.dumps({k: v for k, v in d.items() if k != "text"}, sort_keys=True)
                          for d in drops(kept_text / "2"))
    assert without_text == sorted(json.dumps(d, sort_keys=True) for d in drops(sample_corpus))


def test_each_filter_and_dedup_drop_holds_its_document_and_no_other_does(kept_text):
    recorded = drops(kept_text / "2")
    with_text = [d for d in recorded if "text" in d]
    assert {d["stage"] for d in with_text} == set(TEXT_STAGES)
    assert all(d["text"].strip() for d in with_text)
    assert not [d for d in recorded if d["stage"] not in TEXT_STAGES and "text" in d]
    assert not [d for d in recorded if d["stage"] in TEXT_STAGES and "text" not in d]
    # each text is the document the reason speaks of
    too_short = [d for d in with_text if d["reason"] == "too_short"]
    assert too_short and all(len(d["text"].split()) == int(d["detail"].split()[0]) for d in too_short)
    survivors = texts_by_id(kept_text / "2")
    exact = [d for d in with_text if d["reason"] == "exact_duplicate"]
    assert exact and all(exact_key(d["text"]) == exact_key(survivors[d["detail"]]) for d in exact)
    near = [d for d in with_text if d["reason"] == "near_duplicate"]
    assert near and all(d["text"] != survivors[d["detail"]] for d in near)


def test_show_prints_a_dropped_documents_text(kept_text, capsys):
    near = next(d for d in drops(kept_text / "0") if d["reason"] == "near_duplicate")
    assert run(["show", str(kept_text / "0"), "--dropped", "--id", near["item"]]) == 0
    out = capsys.readouterr().out
    assert "near_duplicate" in out and near["text"].splitlines()[0] in out
    assert run(["show", str(kept_text / "0"), "--dropped", "--id", near["item"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["text"] == near["text"]


def test_without_the_flag_rejects_hold_no_text(sample_corpus, capsys):
    assert not [d for d in drops(sample_corpus) if "text" in d]
    near = next(d for d in drops(sample_corpus) if d["reason"] == "near_duplicate")
    assert run(["show", str(sample_corpus), "--dropped", "--id", near["item"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["text"] is None
