"""Shard files: Arrow IPC token shards and Parquet text shards, written atomically.

Token shard: one row per document (`doc_id`, `tokens: list<uint16>` with EOT
appended). Within a record batch a list column's values are one contiguous
uint16 buffer, so a memory-mapped shard *is* the flat token stream a trainer
samples windows from. Batches are large (`TOKEN_BATCH_ROWS` documents) so a
shard has few discontinuities.
"""

import json
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from webtext.atomic import write_atomically
from webtext.records import Document
from webtext.tokenize.gpt2 import EOT_ID, TOKENIZER_NAME, vocabulary_sha256

TOKEN_BATCH_ROWS = 65_536
TOKEN_SCHEMA = pa.schema([("doc_id", pa.string()), ("tokens", pa.list_(pa.uint16()))])
TEXT_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("url", pa.string()), ("final_url", pa.string()), ("domain", pa.string()),
    ("title", pa.string()), ("text", pa.string()), ("karma", pa.int64()),
    ("submission_ids", pa.list_(pa.string())), ("subreddits", pa.list_(pa.string())),
    ("first_seen_utc", pa.int64()), ("language", pa.string()), ("n_chars", pa.int64()), ("n_tokens", pa.int64()),
    ("scores", pa.list_(pa.int64())), ("published", pa.string()), ("sitename", pa.string()),
    ("fetched_at", pa.string()), ("source", pa.string()), ("archive_url", pa.string()),
])


class TokenizedDocument(NamedTuple):
    doc: Document
    tokens: bytes  # uint16 little-endian ids, EOT last

    @property
    def n_tokens(self) -> int:
        return len(self.tokens) // 2


class ShardInfo(NamedTuple):
    split: str
    index: int
    count: int
    documents: int
    tokens: int
    text_bytes: int  # UTF-8 bytes of the documents' text
    tokens_path: str
    tokens_sha256: str
    text_path: str
    text_sha256: str


def shard_name(split: str, index: int, count: int, extension: str) -> str:
    """`train-00000-of-00004.arrow`: the Hugging Face naming, which `datasets` reads splits from."""
    return f"{split}-{index:05d}-of-{count:05d}.{extension}"


def _token_table(docs: list[TokenizedDocument]) -> pa.Table:
    ids = pa.array([d.doc.doc_id for d in docs], pa.string())
    lengths = np.array([d.n_tokens for d in docs], dtype=np.int32)
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    flat = np.frombuffer(b"".join(d.tokens for d in docs), dtype="<u2")
    tokens = pa.ListArray.from_arrays(offsets, pa.array(flat, pa.uint16()))
    return pa.Table.from_arrays([ids, tokens], schema=TOKEN_SCHEMA)


def token_shard_bytes(docs: list[TokenizedDocument]) -> bytes:
    n_tokens = sum(d.n_tokens for d in docs)
    metadata = {
        "tokenizer": TOKENIZER_NAME, "vocabulary_sha256": vocabulary_sha256(), "eot_id": str(EOT_ID),
        "eot_placement": "after_each_document", "documents": str(len(docs)), "tokens": str(n_tokens),
    }
    table = _token_table(docs).replace_schema_metadata(metadata)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=TOKEN_BATCH_ROWS)
    return sink.getvalue().to_pybytes()


def text_shard_bytes(docs: list[TokenizedDocument]) -> bytes:
    rows = [d.doc for d in docs]
    columns = {
        "doc_id": [r.doc_id for r in rows], "url": [r.url for r in rows], "final_url": [r.final_url for r in rows],
        "domain": [r.domain for r in rows], "title": [r.title for r in rows], "text": [r.text for r in rows],
        "karma": [r.karma for r in rows], "submission_ids": [list(r.submission_ids) for r in rows],
        "subreddits": [list(r.subreddits) for r in rows], "first_seen_utc": [r.first_seen_utc for r in rows],
        "language": [r.language for r in rows], "n_chars": [len(r.text) for r in rows],
        "n_tokens": [d.n_tokens for d in docs], "scores": [list(r.scores) for r in rows],
        "published": [r.published for r in rows], "sitename": [r.sitename for r in rows],
        "fetched_at": [r.fetched_at for r in rows], "source": [r.source for r in rows],
        "archive_url": [r.archive_url for r in rows],
    }
    table = pa.Table.from_pydict(columns, schema=TEXT_SCHEMA)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


def write_shard(out_dir: str, split: str, index: int, count: int, docs: list[TokenizedDocument]) -> ShardInfo:
    """Both files of one shard, documents sorted by doc id so the bytes do not depend on the runner."""
    docs = sorted(docs, key=lambda d: d.doc.doc_id)
    tokens_path = FileSystems.join(out_dir, "tokens", shard_name(split, index, count, "arrow"))
    text_path = FileSystems.join(out_dir, "text", shard_name(split, index, count, "parquet"))
    return ShardInfo(
        split=split, index=index, count=count, documents=len(docs),
        tokens=sum(d.n_tokens for d in docs),
        text_bytes=sum(len(d.doc.text.encode("utf-8")) for d in docs),
        tokens_path=tokens_path, tokens_sha256=write_atomically(tokens_path, token_shard_bytes(docs)),
        text_path=text_path, text_sha256=write_atomically(text_path, text_shard_bytes(docs)),
    )


def shard_info_json(info: ShardInfo) -> str:
    return json.dumps(info._asdict(), sort_keys=True)
