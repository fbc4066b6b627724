"""Token shards: schema, metadata, and one contiguous uint16 stream per record batch."""

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from webtext.records import Document
from webtext.shards.reader import open_token_shard, shard_metadata, token_streams
from webtext.tokenize.batches import tokenized_batch
from webtext.tokenize.shards import TEXT_SCHEMA, TOKEN_SCHEMA, shard_table, text_shard_bytes, write_shard


def tokenized(doc_id: str, ids: list[int]) -> tuple[Document, np.ndarray]:
    doc = Document(doc_id, f"https://e.com/{doc_id}", "", "e.com", "t", "text", 4, ("s",), ("news",), 1, "en")
    return doc, np.asarray(ids + [50256], dtype="<u2")


def batch(docs: list[tuple[Document, np.ndarray]]):
    return tokenized_batch([d for d, _ in docs], [ids for _, ids in docs])


def test_shard_is_sorted_contiguous_and_described(tmp_path):
    docs = [tokenized("b", [5, 6]), tokenized("a", [1, 2, 3]), tokenized("c", [])]
    info = write_shard(str(tmp_path), "train", 0, 1, [batch(docs[:1]), batch(docs[1:])])
    assert (info.documents, info.tokens, info.text_bytes) == (3, 8, 12)
    table = open_token_shard(info.tokens_path)
    assert table.schema.remove_metadata() == TOKEN_SCHEMA
    assert table.column("doc_id").to_pylist() == ["a", "b", "c"]
    [stream] = list(token_streams(info.tokens_path))
    assert stream.dtype == np.uint16 and stream.tolist() == [1, 2, 3, 50256, 5, 6, 50256, 50256]
    meta = shard_metadata(info.tokens_path)
    assert meta["tokenizer"] == "gpt2" and meta["documents"] == "3" and meta["tokens"] == "8"
    assert len(meta["vocabulary_sha256"]) == 64 and meta["eot_placement"] == "after_each_document"


def test_stream_is_a_view_of_the_mapped_file(tmp_path):
    info = write_shard(str(tmp_path), "train", 0, 1, [batch([tokenized("a", list(range(1000)))])])
    [stream] = list(token_streams(info.tokens_path))
    assert not stream.flags.owndata and not stream.flags.writeable  # no copy: a view of the memory map


def test_text_shard_is_parquet_with_metadata():
    table = pq.read_table(io.BytesIO(text_shard_bytes(shard_table([batch([tokenized("a", [1, 2])])]))))
    assert table.schema == TEXT_SCHEMA.with_metadata(table.schema.metadata)
    row = table.to_pylist()[0]
    assert (row["doc_id"], row["n_tokens"], row["submission_ids"], row["karma"]) == ("a", 3, ["s"], 4)


def test_same_documents_give_the_same_bytes_however_they_were_batched(tmp_path):
    docs = [tokenized(str(i), [i, i + 1]) for i in range(20)]
    first = write_shard(str(tmp_path / "1"), "train", 0, 1, [batch(docs)])
    backwards = list(reversed(docs))
    second = write_shard(str(tmp_path / "2"), "train", 0, 1, [batch(backwards[:3]), batch(backwards[3:])])
    assert (first.tokens_sha256, first.text_sha256) == (second.tokens_sha256, second.text_sha256)
    assert pa.ipc.open_file(first.tokens_path).num_record_batches == 1


def test_a_retried_write_replaces_the_first_and_leaves_nothing_behind(tmp_path):
    """Beam retries failed bundles; a shard written twice (or a write cut short before its rename)
    must leave exactly one complete file."""
    docs = [batch([tokenized(str(i), [i, i + 1]) for i in range(10)])]
    first = write_shard(str(tmp_path), "train", 0, 1, docs)
    (tmp_path / "tokens" / ".tmp-train-00000-of-00001.arrow").write_bytes(
        b"half a file from a killed attempt"
    )
    second = write_shard(str(tmp_path), "train", 0, 1, docs)
    assert (first.tokens_sha256, first.text_sha256) == (second.tokens_sha256, second.text_sha256)
    assert sorted(p.name for p in (tmp_path / "tokens").iterdir()) == ["train-00000-of-00001.arrow"]
    assert sorted(p.name for p in (tmp_path / "text").iterdir()) == ["train-00000-of-00001.parquet"]


def test_a_shard_that_hashing_left_empty_is_still_a_valid_pair_of_files(tmp_path):
    info = write_shard(str(tmp_path), "validation", 0, 1, [])
    assert (info.documents, info.tokens, info.text_bytes) == (0, 0, 0)
    assert open_token_shard(info.tokens_path).num_rows == 0
    assert pq.read_table(info.text_path).num_rows == 0
