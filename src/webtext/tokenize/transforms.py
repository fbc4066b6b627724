"""The tokenize stage as one Beam transform: documents in, written shards out.

The tokenizer gathers documents into batches, encodes them, and cuts each batch into one Arrow
record batch per shard it touches (batches.py). Those pieces travel as Arrow IPC bytes through
the one shuffle, which brings each shard's pieces to the writer.
"""

from typing import NamedTuple

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow

from webtext.reasons import TOKENIZE
from webtext.shards.gpt2 import gpt2_encoding
from webtext.stagekit import DROPS, count_kept, route, windowed
from webtext.tokenize.batches import batch_bytes, batch_from_bytes, batches_by_key
from webtext.tokenize.encode import BATCH_CHARS, BATCH_DOCUMENTS, Gatherer, encode_batch
from webtext.tokenize.settings import ShardSettings
from webtext.tokenize.shards import write_shard
from webtext.tokenize.splits import shard_count, shard_key, split_cutoff, split_of, validation_bucket

STAGE = TOKENIZE


class _TokenizeByShard(beam.DoFn):
    """Documents -> (shard key, that shard's tokenized rows of a batch, as bytes).

    The documents are gathered here rather than by `beam.BatchElements`: a runner estimates the size
    of each PCollection's elements by encoding samples of them (every one of a worker's first ten),
    and a list of 2,048 documents costs a sixth as much to encode as to tokenize. Nothing else needs
    that list. Batches follow bundles, so their make-up varies between runs; the shards do not,
    since the writer orders each shard's rows by doc id. The corpus is in the global window
    throughout, which is where `finish_bundle` emits. One thread: Beam owns the parallelism.
    """

    def __init__(
        self, per_shard: int, batch_documents: int = BATCH_DOCUMENTS, batch_chars: int = BATCH_CHARS
    ):
        self._per_shard = per_shard
        self._batch_documents = batch_documents
        self._batch_chars = batch_chars

    def setup(self):
        self._encoding = gpt2_encoding()  # built once per worker, from the packaged vocabulary

    def start_bundle(self):
        self._gatherer, self._counts, self._cutoff = (
            Gatherer(self._batch_documents, self._batch_chars),
            None,
            None,
        )

    def process(self, doc, counts, cutoff):
        # The same in every call; kept for finish_bundle, which gets no side inputs.
        self._counts, self._cutoff = counts, cutoff
        if (batch := self._gatherer.add(doc)) is not None:
            yield from self._tokenized(batch)

    def finish_bundle(self):
        yield from windowed(
            self._tokenized(self._gatherer.rest()), GlobalWindow(), GlobalWindow().max_timestamp()
        )

    def _tokenized(self, docs):
        if not docs:
            return
        docs, token_ids, drops = encode_batch(self._encoding, docs)
        for drop in drops:
            yield route(STAGE, drop)
        keys = [shard_key(d.doc_id, self._counts, self._cutoff, self._per_shard) for d in docs]
        count_kept(STAGE, len(docs))
        for key, rows in batches_by_key(docs, token_ids, keys):
            yield key, batch_bytes(rows)


class _WriteShard(beam.DoFn):
    """((split, shard, shard count), parts as bytes; None for the marker of a shard left empty) ->
    ShardInfo."""

    def __init__(self, out_dir: str):
        self._out_dir = out_dir

    def process(self, keyed):
        (split, index, count), parts = keyed
        yield write_shard(
            self._out_dir, split, index, count, [batch_from_bytes(p) for p in parts if p is not None]
        )


def _shard_keys(split_counts: dict[str, int], docs_per_shard: int):
    """Every (split, shard) key, so a shard that hashing left empty is still written."""
    for split, documents in sorted(split_counts.items()):
        count = shard_count(documents, docs_per_shard)
        for index in range(count):
            yield (split, index, count), None


def _split_tally(tally: tuple[str, int], cutoff: float) -> tuple[str, int]:
    doc_id, weight = tally
    return split_of(doc_id, cutoff), weight


class Tokenized(NamedTuple):
    shards: object  # PCollection[ShardInfo], one per written shard
    drops: object  # PCollection[Drop]: only documents the encoder raised on (tokenize_error)


class TokenizeToShards(beam.PTransform):
    """Documents -> Tokenized: ShardInfo per written shard (token .arrow + text .parquet), GPT-2 BPE
    ids with EOT appended after each document, and the drops of documents the encoder raised on.

    A shard's key needs its split's document count, so the tokenizer waits for the counts. Counted
    from the documents themselves, the runner must hold every document back until the count is done:
    one more pass over all the data. `expected`, when given, is a tally computed upstream of the
    documents: (doc id, weight) pairs whose weights sum, per id, to 1 for each document that will
    arrive and 0 for any other (DeduplicateDocuments' kept tally). A tally that disagreed would
    change shard sizes only: every document is still written, to its own shard.
    """

    def __init__(self, config: ShardSettings, out_dir: str, expected=None):
        super().__init__()
        self._config = config
        self._out_dir = out_dir
        self._expected = expected

    def expand(self, docs):
        val_fraction, per_shard = self._config.val_fraction, self._config.docs_per_shard
        min_documents = self._config.min_val_documents
        tally = (docs | "TallyDocs" >> beam.Map(lambda doc: (doc.doc_id, 1))) if self._expected is None \
            else self._expected
        # The split cutoff needs the corpus's smallest validation buckets: from the tally's ids (one small
        # shuffle of ids and weights), so the documents themselves are not held back for it.
        kept_ids = (tally | "WeightPerId" >> beam.CombinePerKey(sum)
                    | "KeptIds" >> beam.FlatMap(lambda kv: [kv[0]] if kv[1] > 0 else []))
        smallest = (kept_ids | "Buckets" >> beam.Map(validation_bucket)
                    | "SmallestBuckets" >> beam.combiners.Top.Smallest(max(1, min_documents)))
        documents = kept_ids | "CountDocuments" >> beam.combiners.Count.Globally()
        cutoff = beam.pvalue.AsSingleton(
            docs.pipeline
            | "CutoffSeed" >> beam.Create([None])
            | "SplitCutoff"
            >> beam.Map(
                lambda _, least, n: split_cutoff(val_fraction, least, n, min_documents),
                beam.pvalue.AsSingleton(smallest),
                beam.pvalue.AsSingleton(documents),
            )
        )
        by_split = tally | "Split" >> beam.Map(_split_tally, cutoff)
        counts = beam.pvalue.AsDict(by_split | "CountSplits" >> beam.CombinePerKey(sum))
        encoded = docs | "Encode" >> beam.ParDo(_TokenizeByShard(per_shard), counts, cutoff).with_outputs(
            DROPS, main="pieces")
        pieces = encoded.pieces
        keys = (docs.pipeline | "Seed" >> beam.Create([None])
                | "AllShardKeys" >> beam.FlatMap(lambda _, c: _shard_keys(c, per_shard), counts))
        shards = ((pieces, keys) | "WithEmpty" >> beam.Flatten()
                  | "GroupShard" >> beam.GroupByKey()
                  | "Write" >> beam.ParDo(_WriteShard(self._out_dir)))
        return Tokenized(shards, encoded[DROPS])
