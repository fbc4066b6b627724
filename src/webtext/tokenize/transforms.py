"""The tokenize stage and the shard writer as Beam transforms.

Tokenized documents travel as Arrow record batches serialised to bytes (batches.py), up to
2,048 documents per element, from the tokenizer through the shuffle to the writer.
"""

from collections import Counter

import apache_beam as beam

from webtext.config import CorpusConfig
from webtext.stagekit import count_kept
from webtext.tokenize.batches import batch_bytes, batch_from_bytes, doc_ids, split_by_key, tokenized_batch
from webtext.tokenize.gpt2 import encode_documents, gpt2_encoding
from webtext.tokenize.shards import write_shard
from webtext.tokenize.splits import shard_count, shard_of, split_of

STAGE = "tokenize"


class _Tokenize(beam.DoFn):
    """A batch of documents -> one tokenized batch, as bytes (one thread: Beam owns the parallelism)."""

    def setup(self):
        self._encoding = gpt2_encoding()  # built once per worker, from the packaged vocabulary

    def process(self, docs):
        batch = tokenized_batch(docs, encode_documents(self._encoding, [d.text for d in docs]))
        count_kept(STAGE, len(docs))  # nothing is dropped here
        yield batch_bytes(batch)


class TokenizeDocuments(beam.PTransform):
    """Documents -> tokenized batches (bytes; see batches.py): GPT-2 BPE ids, EOT appended. Nothing is dropped."""

    def expand(self, docs):
        return (docs
                | "Batch" >> beam.BatchElements(min_batch_size=256, max_batch_size=2048)
                | "Encode" >> beam.ParDo(_Tokenize()))


def _split_counts(data: bytes, val_fraction: float):
    return Counter(split_of(doc_id, val_fraction) for doc_id in doc_ids(batch_from_bytes(data))).items()


def _split_tally(tally: tuple[str, int], val_fraction: float) -> tuple[str, int]:
    doc_id, weight = tally
    return split_of(doc_id, val_fraction), weight


def _by_shard(data: bytes, counts: dict[str, int], val_fraction: float, per_shard: int):
    """A tokenized batch -> ((split, shard, shard count), that shard's rows of it as bytes) per shard it touches."""
    batch = batch_from_bytes(data)

    def key(doc_id: str) -> tuple[str, int, int]:
        split = split_of(doc_id, val_fraction)
        count = shard_count(counts.get(split, 0), per_shard)
        return split, shard_of(doc_id, count), count

    for shard_key, rows in split_by_key(batch, [key(doc_id) for doc_id in doc_ids(batch)]):
        yield shard_key, batch_bytes(rows)


class _WriteShard(beam.DoFn):
    """((split, shard, shard count), parts as bytes; None for the marker of a shard left empty) -> ShardInfo."""

    def __init__(self, out_dir: str):
        self._out_dir = out_dir

    def process(self, keyed):
        (split, index, count), parts = keyed
        yield write_shard(self._out_dir, split, index, count, [batch_from_bytes(p) for p in parts if p is not None])


def _shard_keys(split_counts: dict[str, int], docs_per_shard: int):
    """Every (split, shard) key, so a shard that hashing left empty is still written."""
    for split, documents in sorted(split_counts.items()):
        count = shard_count(documents, docs_per_shard)
        for index in range(count):
            yield (split, index, count), None


class WriteShards(beam.PTransform):
    """Tokenized batches -> ShardInfo per written shard (token .arrow + text .parquet).

    A shard's key needs its split's document count. Counted from the tokenized batches themselves,
    the runner must hold every batch back until the count is done: one more pass over all the data
    (bench_tokenize: up to a fifth slower). `expected`, when given, is a tally computed
    upstream of the documents: (doc id, weight) pairs whose weights sum, per id, to 1 for each
    document that will arrive and 0 for any other (DeduplicateDocuments' kept tally). A tally that
    disagreed would change shard sizes only: every document is still written, to its own shard.
    """

    def __init__(self, config: CorpusConfig, out_dir: str, expected=None):
        super().__init__()
        self._config = config
        self._out_dir = out_dir
        self._expected = expected

    def expand(self, tokenized):
        val_fraction, per_shard, out_dir = self._config.val_fraction, self._config.docs_per_shard, self._out_dir
        if self._expected is None:
            by_split = tokenized | "Split" >> beam.FlatMap(_split_counts, val_fraction)
        else:
            by_split = self._expected | "Split" >> beam.Map(_split_tally, val_fraction)
        counts = beam.pvalue.AsDict(by_split | "CountSplits" >> beam.CombinePerKey(sum))
        keyed = tokenized | "ShardKey" >> beam.FlatMap(_by_shard, counts, val_fraction, per_shard)
        keys = (tokenized.pipeline | "Seed" >> beam.Create([None])
                | "AllShardKeys" >> beam.FlatMap(lambda _, c: _shard_keys(c, per_shard), counts))
        return ((keyed, keys) | "WithEmpty" >> beam.Flatten()
                | "GroupShard" >> beam.GroupByKey()
                | "Write" >> beam.ParDo(_WriteShard(out_dir)))
