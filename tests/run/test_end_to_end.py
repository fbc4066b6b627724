"""`webtext corpus` on the bundled sample, through the CLI's run(argv), checked end to end."""

import glob
import hashlib
import json

import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE_FLAGS
from webtext.cli.main import run
from webtext.sample.generate import build_sample
from webtext.sample.paths import sample_dump, sample_warc
from webtext.shards.gpt2 import EOT_ID, gpt2_encoding
from webtext.shards.reader import open_token_shard, read_manifest, shard_metadata
from webtext.tokenize.shards import TEXT_SCHEMA, TOKEN_SCHEMA
from webtext.urls import canonical_url, is_wikipedia


@pytest.fixture(scope="module")
def manifest(sample_corpus):
    return read_manifest(str(sample_corpus))


@pytest.fixture(scope="module")
def documents(sample_corpus, manifest):
    """{doc_id: (text row, token ids)} over every shard."""
    out = {}
    for shard in manifest["shards"]:
        texts = pq.read_table(sample_corpus / shard["text_path"]).to_pylist()
        tokens = open_token_shard(str(sample_corpus / shard["tokens_path"]))
        for row, doc_id, ids in zip(
            texts, tokens.column("doc_id").to_pylist(), tokens.column("tokens").to_pylist()
        ):
            assert row["doc_id"] == doc_id
            out[doc_id] = (row, ids)
    return out


@pytest.fixture(scope="module")
def drops(sample_corpus):
    lines = [line for path in glob.glob(str(sample_corpus / "rejects" / "*.jsonl")) for line in open(path)]
    return [json.loads(line) for line in lines]


def test_shard_schemas_and_metadata(sample_corpus, manifest):
    assert {s["split"] for s in manifest["shards"]} == {"train", "validation"}
    for shard in manifest["shards"]:
        tokens_path = str(sample_corpus / shard["tokens_path"])
        assert open_token_shard(tokens_path).schema.remove_metadata() == TOKEN_SCHEMA
        assert pq.read_schema(sample_corpus / shard["text_path"]).remove_metadata() == TEXT_SCHEMA
        meta = shard_metadata(tokens_path)
        assert (int(meta["documents"]), int(meta["tokens"])) == (shard["documents"], shard["tokens"])
        assert meta["vocabulary_sha256"] == manifest["tokenizer"]["vocabulary_sha256"]


def test_tokens_decode_to_the_text_with_eot_after_every_document(documents):
    encoding = gpt2_encoding()
    assert len(documents) > 15
    for row, ids in documents.values():
        assert ids[-1] == EOT_ID and EOT_ID not in ids[:-1]
        assert encoding.decode(ids[:-1]) == row["text"]
        assert row["n_tokens"] == len(ids)


def test_no_wikipedia_and_no_low_karma_documents(documents):
    submissions = {}
    for raw in __import__("webtext.sources.dumps", fromlist=["iter_lines"]).iter_lines(sample_dump()):
        try:
            record = json.loads(raw[1])
            submissions[record["id"]] = record
        except (ValueError, KeyError, TypeError):
            continue
    for row, _ in documents.values():
        assert not is_wikipedia(row["url"]) and not is_wikipedia(row["final_url"])
        scores = [
            submissions[s]["score"]
            for s in row["submission_ids"]
            if submissions[s]["created_utc"] < 1514764800
        ]
        assert max(scores) >= 3 and row["karma"] == max(scores)


def test_accounting_balances_and_chains(manifest):
    stages = manifest["stages"]
    for name, entry in stages.items():
        assert entry["in"] == entry["kept"] + sum(entry["dropped"].values()), name
        assert entry["balanced"]
    chain = ["read", "select"], ["links", "fetch", "extract", "filter", "dedup", "tokenize"]
    for names in chain:
        for before, after in zip(names, names[1:]):
            assert stages[before]["kept"] == stages[after]["in"], (before, after)
    assert (
        stages["tokenize"]["kept"] == manifest["documents"] == sum(s["documents"] for s in manifest["shards"])
    )
    assert manifest["tokens"] == sum(s["tokens"] for s in manifest["shards"])


def test_every_sample_page_meets_its_scenario(documents, drops):
    pages, _ = build_sample()
    kept_urls = {row["url"] for row, _ in documents.values()}
    by_doc_id = {row["doc_id"]: row["url"] for row, _ in documents.values()}
    dropped = {}
    for drop in drops:
        if drop["stage"] in ("links", "fetch", "extract", "filter"):
            dropped[drop["item"]] = drop["reason"]
    dedup_reasons = {drop["reason"] for drop in drops if drop["stage"] == "dedup"}
    for page in pages:
        key = canonical_url(page.url)
        if page.scenario == "keep":
            assert key in kept_urls, page.url
        elif page.scenario in ("near_duplicate", "exact_duplicate"):
            assert key not in kept_urls and page.scenario in dedup_reasons, page.url
        elif page.scenario == "after_cutoff":
            assert dropped[key] == "low_karma"
        else:
            assert dropped[key] == page.scenario, page.url
    assert len(by_doc_id) == len(documents)


def test_manifest_records_inputs_config_and_versions(manifest):
    dump = manifest["inputs"]["dumps"][0]
    assert dump["sha256"] == hashlib.sha256(open(sample_dump(), "rb").read()).hexdigest()
    assert (
        manifest["inputs"]["warc"][0]["sha256"]
        == hashlib.sha256(open(sample_warc(), "rb").read()).hexdigest()
    )
    assert manifest["config"]["links"]["min_karma"] == 3 and manifest["versions"]["apache-beam"] == "2.77.0"
    # No path of this checkout: the same run elsewhere records the same inputs.
    assert dump["path"] == "webtext:sample/RS_sample.zst" and manifest["config"]["inputs"] == [dump["path"]]
    assert manifest["config"]["fetch"]["warc"] == ["webtext:sample/pages.warc.gz"]
    dedup = manifest["dedup"]
    assert dedup["bands"] * dedup["rows"] <= dedup["num_perm"] and dedup["unconverged_nodes"] == 0
    clustered = sum((int(size) - 1) * n for size, n in dedup["cluster_sizes"].items())
    assert clustered == manifest["stages"]["dedup"]["dropped"].get("near_duplicate", 0)


def test_rerun_on_the_multiprocess_runner_is_byte_identical(sample_corpus, manifest, tmp_path):
    out = tmp_path / "again"
    flags = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    assert run(["corpus", *SAMPLE_FLAGS, "--out", str(out), *flags]) == 0
    again = read_manifest(str(out))
    assert [(s["tokens_sha256"], s["text_sha256"]) for s in again["shards"]] == \
           [(s["tokens_sha256"], s["text_sha256"]) for s in manifest["shards"]]
    assert again["stages"] == manifest["stages"]
    for shard in again["shards"]:
        assert hashlib.sha256((out / shard["tokens_path"]).read_bytes()).hexdigest() == shard["tokens_sha256"]
