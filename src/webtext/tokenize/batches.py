"""Tokenized documents in columnar batches: what travels from the tokenizer to the shard writer.

One Arrow record batch holds one shard's share of a tokenizer batch: every text-shard column
plus the documents' token ids (one flat uint16 buffer). Between Beam steps a batch travels as
Arrow IPC bytes, which a runner's coder copies as one blob: carried one document at a time (as
NamedTuples), encoding, shuffling and decoding them took longer than tokenizing them (the
measurements are in bench/README.md, bench_tokenize.py).
"""

from collections.abc import Hashable
from itertools import groupby

import numpy as np
import pyarrow as pa

from webtext.records import Document
from webtext.tokenize.shards import BATCH_SCHEMA


def tokenized_batch(docs: list[Document], token_ids: list[np.ndarray]) -> pa.RecordBatch:
    """Documents and their ids (uint16, EOT last; see gpt2.encode_documents) as one record batch."""
    lengths = np.fromiter((len(ids) for ids in token_ids), dtype=np.int64, count=len(token_ids))
    offsets = np.zeros(len(token_ids) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.concatenate(token_ids) if token_ids else np.empty(0, dtype="<u2")
    by_field = dict(zip(Document._fields, zip(*docs))) if docs else dict.fromkeys(Document._fields, ())
    columns = {name: by_field[name] for name in BATCH_SCHEMA.names if name in by_field}
    columns["n_chars"] = [len(text) for text in by_field["text"]]
    columns["n_tokens"] = lengths
    columns["tokens"] = pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat, pa.uint16()))
    return pa.RecordBatch.from_pydict(columns, schema=BATCH_SCHEMA)


def batch_bytes(batch: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, BATCH_SCHEMA) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def batch_from_bytes(data: bytes) -> pa.RecordBatch:
    return pa.ipc.open_stream(data).read_next_batch()


def batches_by_key(
    docs: list[Document], token_ids: list[np.ndarray], keys: list
) -> list[tuple[Hashable, pa.RecordBatch]]:
    """The documents and their ids grouped by `keys` (one per document): (key, its rows), in key order.

    The batch is built in key order, so each group is a zero-copy slice of it (Arrow IPC writes only
    a slice's own bytes). Splitting a batch built in arrival order would copy all of it once more.
    """
    order = sorted(range(len(keys)), key=keys.__getitem__)
    batch = tokenized_batch([docs[i] for i in order], [token_ids[i] for i in order])
    groups, start = [], 0
    for key, rows in groupby(keys[i] for i in order):
        length = sum(1 for _ in rows)
        groups.append((key, batch.slice(start, length)))
        start += length
    return groups
