"""Tokenized batches (what travels from the tokenizer to the writer) and TokenizeToShards' two ways of
counting."""

import json
import random

import apache_beam as beam
import numpy as np
import pyarrow as pa

from helpers.dofn_bundle import one_bundle
from webtext.records import Document
from webtext.sample import prose
from webtext.shards.gpt2 import encode_documents, gpt2_encoding
from webtext.tokenize.batches import batch_bytes, batch_from_bytes, batches_by_key, tokenized_batch
from webtext.tokenize.settings import ShardSettings
from webtext.tokenize.shards import BATCH_SCHEMA, shard_info_json
from webtext.tokenize.splits import shard_key
from webtext.tokenize.transforms import TokenizeToShards, _TokenizeByShard


def document(i: int, text: str = "") -> Document:
    return Document(
        f"{i:016x}",
        f"https://e.com/{i}",
        f"https://e.com/{i}/",
        "e.com",
        f"title {i}",
        text or f"text {i} \u00e9\U0001f600",
        3 + i,
        (f"s{i}", "t"),
        ("news",),
        1500000000 + i,
        "en",
        published="2019-01-01",
        sitename="E",
        fetched_at="2019-02-01T00:00:00Z",
        scores=(3 + i, 1),
        source="wayback" if i % 2 else "live",
        archive_url=f"https://web.archive.org/{i}" if i % 2 else "",
    )


def test_a_batch_holds_every_text_column_and_the_ids_and_survives_its_bytes():
    docs = [document(i) for i in range(5)]
    ids = encode_documents(gpt2_encoding(), [d.text for d in docs])
    batch = batch_from_bytes(batch_bytes(tokenized_batch(docs, ids)))
    assert batch.schema == BATCH_SCHEMA
    rows = batch.to_pylist()
    for doc, token_ids, row in zip(docs, ids, rows):
        assert row["tokens"] == token_ids.tolist() and row["tokens"][-1] == 50256
        assert (row["n_tokens"], row["n_chars"]) == (len(token_ids), len(doc.text))
        assert row["submission_ids"] == list(doc.submission_ids) and row["scores"] == list(doc.scores)
        for field in ("doc_id", "url", "final_url", "domain", "title", "text", "karma", "first_seen_utc",
                      "language", "published", "sitename", "fetched_at", "source", "archive_url"):
            assert row[field] == getattr(doc, field), field


def test_an_empty_batch_is_a_batch():
    assert batch_from_bytes(batch_bytes(tokenized_batch([], []))).num_rows == 0


def test_batches_by_key_give_each_key_its_documents_and_ids_in_key_order():
    docs = [document(i) for i in range(9)]
    ids = [np.array([i, 50256], dtype="<u2") for i in range(9)]
    keys = [("train", i % 3) for i in range(9)]
    groups = batches_by_key(docs, ids, keys)
    assert [key for key, _ in groups] == [("train", 0), ("train", 1), ("train", 2)]
    for (_, shard), rows in groups:
        assert rows.column("doc_id").to_pylist() == [f"{i:016x}" for i in range(shard, 9, 3)]
        assert [r[0] for r in rows.column("tokens").to_pylist()] == list(range(shard, 9, 3))
        assert batch_from_bytes(batch_bytes(rows)).equals(rows)  # a slice travels as itself, and only itself
        assert len(batch_bytes(rows)) < len(batch_bytes(tokenized_batch(docs, ids)))


def _write(docs, config, out, expected=None):
    with beam.Pipeline(runner="FnApiRunner") as p:
        tally = None
        if expected is not None:
            tally = p | "Tally" >> beam.Create(expected)
        ((p | beam.Create(docs) | TokenizeToShards(config, str(out), expected=tally)).shards
         | beam.Map(shard_info_json) | beam.io.WriteToText(str(out / "shards"), shard_name_template=""))
    shards = [json.loads(line) for line in (out / "shards").read_text().splitlines()]
    return sorted(shards, key=lambda s: (s["split"], s["index"]))


def test_counts_from_an_upstream_tally_give_the_same_shards_as_counting_the_documents(tmp_path):
    rng = random.Random(3)
    docs = [document(i, " ".join(prose.article(rng, 2))) for i in range(60)]
    config = ShardSettings(val_fraction=0.2, docs_per_shard=7)
    counted = _write(docs, config, tmp_path / "counted")
    tallied = _write(
        docs, config, tmp_path / "tallied", [(d.doc_id, 1) for d in docs] + [("gone", 1), ("gone", -1)]
    )
    assert [{k: v for k, v in s.items() if not k.endswith("_path")} for s in counted] == \
        [{k: v for k, v in s.items() if not k.endswith("_path")} for s in tallied]
    assert {s["split"] for s in counted} == {"train", "validation"} and len(counted) > 4
    assert sum(s["documents"] for s in counted) == 60


def test_a_tally_that_disagrees_changes_shard_sizes_but_loses_nothing(tmp_path):
    docs = [document(i) for i in range(30)]
    config = ShardSettings(val_fraction=0.0, docs_per_shard=5)
    # says 12, 30 arrive
    shards = _write(docs, config, tmp_path / "short", [(d.doc_id, 1) for d in docs[:12]])
    assert len(shards) == 3 and sum(s["documents"] for s in shards) == 30
    rows = sum(pa.ipc.open_file(s["tokens_path"]).read_all().num_rows for s in shards)
    assert rows == 30


def _tokenize_in_one_bundle(docs, **limits):
    """What the tokenizer emits for `docs` in one bundle: (after which document, or "end", shard key,
    rows)."""
    counts = {"train": len(docs)}
    emitted = one_bundle(_TokenizeByShard(4, **limits), [(doc, counts, 0.0) for doc in docs])
    # finish_bundle's are windowed
    keyed = [(when, *(out.value if when == "end" else out)) for when, out in emitted]
    return [(when, key, batch_from_bytes(piece)) for when, key, piece in keyed]


def test_a_batch_is_emitted_at_enough_documents_or_characters_and_the_rest_at_bundle_end():
    docs = [document(i, "x" * 6) for i in range(7)]
    by_count = _tokenize_in_one_bundle(docs, batch_documents=3)
    by_chars = _tokenize_in_one_bundle(docs, batch_chars=10)  # two 6-character documents pass 10
    for emitted, flushes in ((by_count, [2, 5, "end"]), (by_chars, [1, 3, 5, "end"])):
        assert sorted({when for when, _, _ in emitted}, key=str) == sorted(flushes, key=str)
        rows = [row for _, _, piece in emitted for row in piece.column("doc_id").to_pylist()]
        assert sorted(rows) == sorted(d.doc_id for d in docs)  # each document exactly once
        for _, key, piece in emitted:  # every row in the piece of its own shard
            assert {
                shard_key(doc_id, {"train": 7}, 0.0, 4) for doc_id in piece.column("doc_id").to_pylist()
            } == {key}


def test_a_bundle_without_documents_emits_nothing():
    assert _tokenize_in_one_bundle([]) == []
