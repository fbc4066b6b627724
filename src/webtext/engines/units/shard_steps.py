"""The last two steps of a run in units: tokenize units, each the documents that dedup kept of some
consecutive fetch units in per-shard pieces, and the shards, each assembled from its piece in every
tokenize unit. The tokenize stage's own driver (tokenize/encode.py) and shard writer do the work, so the
shards are the one Beam pipeline's bytes."""

import json
import os
import time
from typing import NamedTuple

import pyarrow as pa

from webtext.dedup.over_signatures import losers_of
from webtext.engines.units import worker
from webtext.engines.units.records import UnitTally
from webtext.engines.units.unit_dir import Tally, finish_unit, fresh_unit_dir, peak_rss_bytes, read_pickles
from webtext.reasons import TOKENIZE
from webtext.tokenize.batches import batches_by_key
from webtext.tokenize.encode import batches as token_batches
from webtext.tokenize.encode import encode_batch
from webtext.tokenize.shards import BATCH_SCHEMA, ShardInfo, write_shard
from webtext.tokenize.splits import shard_key

PIECES, PIECES_INDEX = "pieces.arrow", "pieces.json"


class ShardDone(NamedTuple):
    shard: ShardInfo
    cpu_s: float
    peak_rss_bytes: int


def tokenize_unit(unit_dirs: list[str], dedup_path: str, cutoff: float, split_counts: dict[str, int],
                  per_shard: int, final: str) -> UnitTally:
    """The documents that dedup kept of some consecutive fetch units, tokenized and cut into one piece
    per shard, written to `final` as one Arrow file: PIECES, its record batches in shard order, and
    PIECES_INDEX, {piece name ("<split>-<index>-of-<count>"): [first batch, batches]}. One file a unit,
    not one a piece: a unit's documents spread over every shard, so a piece is often one document.
    Returns the tally."""
    partial = fresh_unit_dir(final)
    tally = Tally(partial)
    encoding = worker.encoding()
    with tally.timing(TOKENIZE):
        losers = losers_of(dedup_path, [os.path.basename(unit) for unit in unit_dirs])
        pieces: dict[tuple, list[pa.RecordBatch]] = {}
        docs = (
            doc
            for unit in unit_dirs
            for doc in read_pickles(os.path.join(unit, worker.DOCS))
            if doc.doc_id not in losers
        )
        # `in` is what was read; `kept` is counted from the shards written (as the Beam stage counts it)
        for batch in token_batches(docs):
            tally.counts[(TOKENIZE, "in")] += len(batch)
            kept, token_ids, drops = encode_batch(encoding, batch)
            for drop in drops:
                tally.drop(drop)
            keys = [shard_key(d.doc_id, split_counts, cutoff, per_shard) for d in kept]
            for key, rows in batches_by_key(kept, token_ids, keys):
                pieces.setdefault(key, []).append(rows)
        index, first = {}, 0
        with (
            pa.OSFile(os.path.join(partial, PIECES), "wb") as sink,
            pa.ipc.new_file(sink, BATCH_SCHEMA) as writer,
        ):
            for key in sorted(pieces):
                index[piece_name(*key)] = [first, len(pieces[key])]
                first += len(pieces[key])
                for rows in pieces[key]:
                    writer.write_batch(rows)
        with open(os.path.join(partial, PIECES_INDEX), "w", encoding="utf-8") as stream:
            json.dump(index, stream)
    return finish_unit(tally, partial, final)


def piece_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}"


def assemble_shard(out_dir: str, split: str, index: int, count: int, piece_dirs: list[str]) -> ShardDone:
    """One shard from its piece in every tokenize unit that has one (write_shard orders its rows by
    doc id)."""
    started = time.process_time()
    name, batches = piece_name(split, index, count), []
    for unit in piece_dirs:
        with open(os.path.join(unit, PIECES_INDEX), encoding="utf-8") as stream:
            where = json.load(stream).get(name)
        if where:
            reader = pa.ipc.open_file(pa.memory_map(os.path.join(unit, PIECES)))
            batches.extend(reader.get_batch(i) for i in range(where[0], where[0] + where[1]))
    info: ShardInfo = write_shard(out_dir, split, index, count, batches)
    return ShardDone(info, time.process_time() - started, peak_rss_bytes())
