"""Shard files: Arrow IPC token shards and Parquet text shards, written atomically.

Token shard: one row per document (`doc_id`, `tokens: list<uint16>` with EOT
appended). Within a record batch a list column's values are one contiguous
uint16 buffer, so a memory-mapped shard *is* the flat token stream a trainer
samples windows from. Batches are large (`TOKEN_BATCH_ROWS` documents) so a
shard has few discontinuities.
"""

import json
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from webtext.atomic import write_atomically
from webtext.shards.gpt2 import EOT_ID, TOKENIZER_NAME, vocabulary_sha256

TOKEN_BATCH_ROWS = 65_536
TOKENS_FIELD = pa.field("tokens", pa.list_(pa.uint16()))  # ids with EOT appended
TOKEN_SCHEMA = pa.schema([("doc_id", pa.string()), TOKENS_FIELD])
TEXT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("domain", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("karma", pa.int64()),
        ("submission_ids", pa.list_(pa.string())),
        ("subreddits", pa.list_(pa.string())),
        ("first_seen_utc", pa.int64()),
        ("language", pa.string()),
        ("n_chars", pa.int64()),
        ("n_tokens", pa.int64()),
        ("scores", pa.list_(pa.int64())),
        ("published", pa.string()),
        ("sitename", pa.string()),
        ("fetched_at", pa.string()),
        ("source", pa.string()),
        ("archive_url", pa.string()),
    ]
)
# What the writer is given (batches.py builds it): every text column, and the tokens.
BATCH_SCHEMA = TEXT_SCHEMA.append(TOKENS_FIELD)


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


def token_shard_bytes(table: pa.Table, tokens: int) -> bytes:
    """The Arrow IPC token shard of `table` (BATCH_SCHEMA, one chunk), whose rows hold `tokens` ids."""
    metadata = {
        "tokenizer": TOKENIZER_NAME, "vocabulary_sha256": vocabulary_sha256(), "eot_id": str(EOT_ID),
        "eot_placement": "after_each_document", "documents": str(table.num_rows), "tokens": str(tokens),
    }
    token_table = table.select(TOKEN_SCHEMA.names).replace_schema_metadata(metadata)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, token_table.schema) as writer:
        writer.write_table(token_table, max_chunksize=TOKEN_BATCH_ROWS)
    return sink.getvalue().to_pybytes()


def text_shard_bytes(table: pa.Table) -> bytes:
    """The Parquet (zstd) text shard of `table` (BATCH_SCHEMA)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table.select(TEXT_SCHEMA.names), sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


def shard_table(batches: list[pa.RecordBatch]) -> pa.Table:
    """One shard's rows in one chunk, sorted by doc id so the bytes do not depend on the runner or
    batching."""
    table = pa.Table.from_batches(batches, schema=BATCH_SCHEMA)
    return table.sort_by("doc_id").combine_chunks()


def write_shard(out_dir: str, split: str, index: int, count: int, batches: list[pa.RecordBatch]) -> ShardInfo:
    """Both files of one shard, from the record batches (BATCH_SCHEMA) of its documents."""
    table = shard_table(batches)
    tokens = int(pc.sum(table.column("n_tokens")).as_py() or 0)
    tokens_path = FileSystems.join(out_dir, "tokens", shard_name(split, index, count, "arrow"))
    text_path = FileSystems.join(out_dir, "text", shard_name(split, index, count, "parquet"))
    return ShardInfo(
        split=split,
        index=index,
        count=count,
        documents=table.num_rows,
        tokens=tokens,
        text_bytes=int(pc.sum(pc.binary_length(table.column("text"))).as_py() or 0),
        tokens_path=tokens_path,
        tokens_sha256=write_atomically(tokens_path, token_shard_bytes(table, tokens)),
        text_path=text_path,
        text_sha256=write_atomically(text_path, text_shard_bytes(table)),
    )


def shard_info_json(info: ShardInfo) -> str:
    return json.dumps(info._asdict(), sort_keys=True)
