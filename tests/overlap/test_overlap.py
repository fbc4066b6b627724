"""GPT-2-style 8-gram overlap: normalisation, filter behaviour, the report, and decontamination."""

import glob
import json

import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE_FLAGS
from webtext.cli.main import run
from webtext.ngram_bloom import new_filter, ngrams, normalize_for_overlap, overlap_fraction
from webtext.overlap.measure import false_positive_rate
from webtext.overlap.report import overlap_report
from webtext.shards.reader import read_manifest


def test_normalisation_is_lowercase_alphanumeric_words_single_spaced():
    assert (
        normalize_for_overlap("  The QUICK, brown--fox's   2nd jump!\n\tCaf\u00e9 ")
        == "the quick brown fox s 2nd jump caf\u00e9"
    )
    assert ngrams("one two three four five six seven eight nine") == [
        "one two three four five six seven eight", "two three four five six seven eight nine"]
    assert ngrams("too short to have one") == []


def test_planted_text_is_found_and_unrelated_text_is_not():
    corpus = "The harbour council met on Tuesday to discuss the old bridge and the new railway station plans."
    bloom = new_filter(100, 1e-8)
    bloom.update(ngrams(corpus))
    assert overlap_fraction(corpus, bloom) == (len(ngrams(corpus)), len(ngrams(corpus)))
    unrelated = "Quantum chromodynamics describes how quarks and gluons interact inside protons and neutrons."
    assert overlap_fraction(unrelated, bloom)[0] == 0


def test_measured_false_positive_rate_is_within_the_bound():
    loose = new_filter(20_000, 1e-3)
    loose.update(f"item {i}" for i in range(20_000))
    assert false_positive_rate(loose, 100_000) <= 2e-3
    tight = new_filter(20_000, 1e-8)
    tight.update(f"item {i}" for i in range(20_000))
    assert false_positive_rate(tight, 200_000) == 0.0


def _train_texts(corpus) -> list[str]:
    return [t for p in sorted(glob.glob(str(corpus / "text" / "train-*.parquet")))
            for t in pq.read_table(p).column("text").to_pylist()]


def test_overlap_report_on_the_sample(sample_corpus, tmp_path):
    planted = _train_texts(sample_corpus)[0]
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text(
        json.dumps({"text": planted})
        + "\n"
        + json.dumps(
            {"text": "Entirely unrelated words about glaciers, volcanoes and the chemistry of distant stars."}
        )
        + "\n"
    )
    report = overlap_report(str(sample_corpus), [f"planted={eval_file}"], fp_samples=20_000)
    planted_set = report["eval_sets"]["planted"]
    assert planted_set["documents"] == 2
    assert planted_set["overlap_percent"] == pytest.approx(100 * len(ngrams(planted)) / planted_set["ngrams"])
    assert (
        "validation split" in report["eval_sets"] and report["filter"]["measured_false_positive_rate"] == 0.0
    )
    again = overlap_report(str(sample_corpus), [f"planted={eval_file}"], fp_samples=1000)
    assert again["filter"]["reused"] and again["eval_sets"]["planted"] == planted_set
    # Which items, by how much, and with which training documents.
    items = [json.loads(line) for line in open(report["items"])]
    assert report["items_overlapping"] == {"planted": 1}
    [item] = items
    assert (item["eval_set"], item["index"], item["overlap_percent"]) == ("planted", 0, 100.0)
    assert item["exact_ngrams_in_training"] == len(set(ngrams(planted)))
    planted_id = _train_doc_id(sample_corpus, planted)
    assert item["shared_with"][0] == [planted_id, len(set(ngrams(planted)))]


def _train_doc_id(corpus, text: str) -> str:
    rows = [
        r
        for p in sorted(glob.glob(str(corpus / "text" / "train-*.parquet")))
        for r in pq.read_table(p).to_pylist()
    ]
    return next(r["doc_id"] for r in rows if r["text"] == text)


def _documents_without_copies(corpus) -> list[str]:
    """Texts of train documents that survived no dedup cluster (so no near-copy of them was dropped)."""
    drops = [
        json.loads(line) for path in glob.glob(str(corpus / "rejects" / "*.jsonl")) for line in open(path)
    ]
    survivors = {d["detail"] for d in drops if d["stage"] == "dedup"}
    rows = [
        r
        for p in sorted(glob.glob(str(corpus / "text" / "train-*.parquet")))
        for r in pq.read_table(p).to_pylist()
    ]
    return [r["text"] for r in rows if r["doc_id"] not in survivors]


def test_decontamination_removes_exactly_the_planted_documents(sample_corpus, tmp_path):
    texts = _documents_without_copies(sample_corpus)
    eval_file = tmp_path / "eval.txt"
    eval_file.write_text(texts[2].replace("\n", " ") + "\n" + texts[5].replace("\n", " ") + "\n")
    out = tmp_path / "clean"
    assert run(["corpus", *SAMPLE_FLAGS, "--out", str(out), "--decontaminate", f"bench={eval_file}"]) == 0
    manifest, before = read_manifest(str(out)), read_manifest(str(sample_corpus))
    assert manifest["stages"]["filter"]["dropped"]["contaminated"] == 2
    assert manifest["documents"] == before["documents"] - 2
    remaining = set(_train_texts(out))
    assert texts[2] not in remaining and texts[5] not in remaining
    assert remaining == set(_train_texts(sample_corpus)) - {texts[2], texts[5]}
