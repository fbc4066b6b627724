"""The corpus folder as a publishable dataset: the card's every number re-derived from manifest.json and
stats.json, `datasets.load_dataset(OUT)` offline, croissant.json through mlcroissant, and `report`,
`overlap` and `card` writing nothing into the corpus when told to write elsewhere."""

import json
import os
import time
from pathlib import Path

import pytest
import yaml

from webtext.cli.main import run
from webtext.reasons import STAGES
from webtext.report.card import n, size_category


def front_matter_and_body(card: str) -> tuple[dict, str]:
    _, header, body = card.split("---\n", 2)
    return yaml.safe_load(header), body


def tables(body: str) -> dict[str, list[list[str]]]:
    """Every Markdown table of the card by its header row (cells joined by "|"): its rows, cells stripped."""
    found, lines = {}, body.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip("|").split("|")])
            found["|".join(cell.strip() for cell in line.strip("|").split("|"))] = rows
    return found


@pytest.fixture(scope="module")
def card(sample_corpus):
    manifest = json.loads((sample_corpus / "manifest.json").read_text())
    stats = json.loads((sample_corpus / "stats.json").read_text())
    meta, body = front_matter_and_body((sample_corpus / "README.md").read_text())
    return manifest, stats, meta, body, tables(body)


def test_the_cards_metadata_makes_the_folder_a_hugging_face_dataset(card):
    manifest, stats, meta, _, _ = card
    assert meta["license"] == "other" and meta["task_categories"] == ["text-generation"]
    assert meta["language"] == ["en"] and meta["size_categories"] == [size_category(manifest["documents"])]
    (config,) = meta["configs"]
    assert config["data_files"] == [{"split": split, "path": f"text/{split}-*.parquet"}
                                    for split in sorted(manifest["splits"])]
    assert (
        size_category(999) == "n<1K"
        and size_category(1000) == "1K<n<10K"
        and size_category(8_000_000) == "1M<n<10M"
    )


def test_every_number_of_the_card_is_the_manifests_or_the_stats(card):
    manifest, stats, _, body, found = card
    stages = manifest["stages"]
    assert found["stage|in|kept|dropped"] == [
        [s, n(stages[s]["in"]), n(stages[s]["kept"]), n(sum(stages[s]["dropped"].values()))]
        for s in STAGES if s in stages]
    assert {(row[0], row[1].strip("`"), row[2]) for row in found["stage|reason|records|meaning"]} == \
        {(s, reason, n(count)) for s in stages for reason, count in stages[s]["dropped"].items()}
    assert found["split|documents|tokens|text bytes|shards"] == [
        [split, n(s["documents"]), n(s["tokens"]), n(s["text_bytes"]), n(s["shards"])]
        for split, s in sorted(manifest["splits"].items())]
    quantiles = {row[0]: row[1:] for row in found["per document|min|p10|median|mean|p90|max"]}
    for name, key in (("GPT-2 tokens", "length_quantiles"), ("karma", "karma_quantiles")):
        assert quantiles[name] == [
            n(round(stats[key][q])) for q in ("min", "p10", "median", "mean", "p90", "max")
        ]
    assert found["domain|documents"] == [[domain, n(count)] for domain, count in stats["top_domains"]]
    assert found["subreddit|documents"] == [[name, n(count)] for name, count in stats["top_subreddits"]]
    assert found["where the bytes came from|documents"] == [[source, n(count)]
                                                            for source, count in stats["sources"].items()]
    assert found["language|documents"] == [
        [language, n(count)] for language, count in stats["languages"].items()
    ]
    assert found["documents in a near-duplicate group|groups"] == [
        [size, n(count)] for size, count in sorted(manifest["dedup"]["cluster_sizes"].items())]
    assert found["input|kind|bytes|sha256"] == [
        [f"`{item['path']}`", kind, n(item["bytes"]), f"`{item['sha256'][:16]}…`"]
        for kind in ("dumps", "url_lists", "warc") for item in manifest["inputs"][kind]]
    assert found["dropped|kept in its place|estimated Jaccard"] == [
        [e["dropped"]["url"], e["kept"]["url"], f"{e['estimated_jaccard']:.2f}"]
        for e in manifest["dedup"]["examples"]
    ]
    dedup, config = stages["dedup"]["dropped"], manifest["dedup"]
    sentences = [
        f"{n(manifest['documents'])} documents and {n(manifest['tokens'])} GPT-2 tokens (an end-of-text "
        f"token after each document included; {n(manifest['text_bytes'])} bytes of text)",
        f"{n(dedup.get('exact_duplicate', 0))} exact and {n(dedup.get('near_duplicate', 0))} near-duplicates",
        f"{config['shingle_words']}-word shingles, {config['num_perm']} permutations, {config['bands']} "
        "bands of "
        f"{config['rows']} rows",
        f"at least {n(manifest['config']['links']['min_karma'])} karma",
        f"Of {n(stages['fetch']['in'])} links, {n(sum(stages['fetch']['dropped'].values()))} gave no usable "
        "page",
        f"({n(stages['filter']['dropped'].get('language', 0))} dropped for their language)",
        "first submitted to Reddit between {} and {}".format(
            *(time.strftime("%Y-%m-%d", time.gmtime(stats["first_seen_utc"][end])) for end in ("min", "max"))
        ),
    ]
    for sentence in sentences:
        assert sentence in body, sentence
    top = stats["top_domains"][:10]
    assert (f"The {n(len(top))} largest domains hold {n(sum(c for _, c in top))} of the "
            f"{n(manifest['documents'])} documents") in body
    assert manifest["command"].startswith("webtext corpus --sample") and manifest["command"] in body


def test_datasets_loads_the_folder_offline_with_the_manifests_counts(sample_corpus, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    loaded = datasets.load_dataset(str(sample_corpus), cache_dir=str(tmp_path / "cache"))
    manifest = json.loads((sample_corpus / "manifest.json").read_text())
    assert {split: loaded[split].num_rows for split in loaded} == \
        {split: s["documents"] for split, s in manifest["splits"].items()}
    assert "text" in loaded["train"].column_names and "submission_ids" in loaded["train"].column_names


def test_croissant_metadata_is_valid_and_describes_every_document(sample_corpus, monkeypatch):
    mlcroissant = pytest.importorskip("mlcroissant")
    monkeypatch.chdir(sample_corpus)  # file paths in it are relative to the folder
    dataset = mlcroissant.Dataset(jsonld="croissant.json")  # raises on any validation error
    records = list(dataset.records("documents"))
    manifest = json.loads(Path("manifest.json").read_text())
    assert len(records) == manifest["documents"]
    assert sorted(r["documents/split"].decode() for r in records) == sorted(
        s["split"] for s in manifest["shards"] for _ in range(s["documents"]))
    metadata = json.loads(Path("croissant.json").read_text())
    assert {"rai:dataCollection", "rai:dataBiases", "rai:personalSensitiveInformation", "rai:dataLimitations",
            "rai:dataUseCases"} <= set(metadata)
    assert metadata["conformsTo"] == "http://mlcommons.org/croissant/1.0"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_report_overlap_and_card_write_elsewhere_and_nothing_into_the_corpus(
    sample_corpus, tmp_path, monkeypatch
):
    before = _snapshot(sample_corpus)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    evals = tmp_path / "eval.txt"
    evals.write_text("a line of an eval set that overlaps nothing at all in this corpus\n")
    for command in (["report", str(sample_corpus), "--to", str(tmp_path / "report")],
                    ["card", str(sample_corpus), "--to", str(tmp_path / "card")],
                    ["overlap", str(sample_corpus), "--eval", f"mine={evals}", "--fp_samples", "1000",
                     "--to", str(tmp_path / "overlap")]):
        assert run(command) == 0, command
    assert _snapshot(sample_corpus) == before
    assert {p.name for p in (tmp_path / "report").iterdir()} == {"report.html", "stats.json"}
    assert {p.name for p in (tmp_path / "card").iterdir()} == {"README.md", "croissant.json"}
    assert (tmp_path / "overlap" / "overlap.json").exists()
    assert list((tmp_path / "scratch").iterdir()) == []  # the report's scratch file, gone
    assert (tmp_path / "card" / "README.md").read_text() == (sample_corpus / "README.md").read_text()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder all the same")
def test_a_read_only_corpus_gets_a_clear_message(sample_corpus, tmp_path, capsys):
    import shutil

    copy = tmp_path / "corpus"
    shutil.copytree(sample_corpus, copy)
    for path in [copy, *copy.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        assert run(["report", str(copy)]) == 2
        assert "write elsewhere with --to DIR" in capsys.readouterr().err
    finally:
        for path in [copy, *copy.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


def test_the_card_of_a_url_list_corpus_claims_no_karma_or_date_rule(sample_corpus, tmp_path):
    """A URL list has no scores and no submission times: the card says which rules applied, and no
    1970 date; every text column is left-aligned, every count right-aligned."""
    import json

    from webtext.report.card import render_card
    from webtext.sample.paths import sample_warc

    urls = tmp_path / "urls.txt"
    links = [json.loads(line)["url"] for path in sorted((sample_corpus / "links").glob("*.jsonl"))
             for line in open(path, encoding="utf-8")]
    urls.write_text("".join(f"{url}\n" for url in links[:12]))
    out = tmp_path / "out"
    assert run(["corpus", "--urls", str(urls), "--warc", sample_warc(), "--out", str(out), "--quiet"]) == 0
    card = (out / "README.md").read_text()
    assert "submission with at least" not in card and "| karma |" not in card
    assert "1970" not in card and "first submitted to Reddit" not in card
    assert "every http(s) URL of 1 URL list (no karma or date rule: a list has neither)" in card
    assert "each traceable to the URL list that named it" in card
    assert "| stage | reason | records | meaning |\n|---|---|---:|---|" in card
    stats = json.loads((out / "stats.json").read_text())
    assert render_card(json.loads((out / "manifest.json").read_text()), stats) == card
