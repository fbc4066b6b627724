"""The tokenize stage and the shard writer as Beam transforms."""

import apache_beam as beam

from webtext.config import CorpusConfig
from webtext.records import Document
from webtext.stagekit import route
from webtext.tokenize.gpt2 import encode_documents, gpt2_encoding
from webtext.tokenize.shards import TokenizedDocument, write_shard
from webtext.tokenize.splits import shard_count, shard_of, split_of

STAGE = "tokenize"


class _Tokenize(beam.DoFn):
    """Encodes a batch of documents in one tiktoken call (one thread: Beam owns the parallelism)."""

    def setup(self):
        self._encoding = gpt2_encoding()  # built once per worker, from the packaged vocabulary

    def process(self, docs):
        for doc, ids in zip(docs, encode_documents(self._encoding, [d.text for d in docs])):
            yield route(STAGE, TokenizedDocument(doc, ids.tobytes()))


class TokenizeDocuments(beam.PTransform):
    """Documents -> tokenized documents (GPT-2 BPE ids, EOT appended). Nothing is dropped here."""

    def expand(self, docs):
        return (docs
                | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=256)
                | "Encode" >> beam.ParDo(_Tokenize()))


def _keyed_for_shuffle(t, counts, val_fraction, per_shard):  # t: TokenizedDocument (no hint: Beam would type-check it)
    """((split, shard, shard count), document as plain tuples): plain tuples of primitives take Beam's
    fast coder through the shuffle, where NamedTuples would fall back to pickling each one."""
    split = split_of(t.doc.doc_id, val_fraction)
    count = shard_count(counts[split], per_shard)
    return (split, shard_of(t.doc.doc_id, count), count), (tuple(t.doc), t.tokens)


def _from_shuffle(value) -> TokenizedDocument:
    fields, tokens = value
    return TokenizedDocument(Document(*fields), tokens)


def _shard_keys(split_counts: dict[str, int], docs_per_shard: int):
    """Every (split, shard) key, so a shard that hashing left empty is still written."""
    for split, documents in sorted(split_counts.items()):
        count = shard_count(documents, docs_per_shard)
        for index in range(count):
            yield (split, index, count), None


class WriteShards(beam.PTransform):
    """Tokenized documents -> ShardInfo per written shard (token .arrow + text .parquet)."""

    def __init__(self, config: CorpusConfig, out_dir: str):
        super().__init__()
        self._config = config
        self._out_dir = out_dir

    def expand(self, tokenized):
        val_fraction, per_shard, out_dir = self._config.val_fraction, self._config.docs_per_shard, self._out_dir
        counts = beam.pvalue.AsDict(tokenized
                                    | "Split" >> beam.Map(lambda t: split_of(t.doc.doc_id, val_fraction))
                                    | "CountSplits" >> beam.combiners.Count.PerElement())
        keyed = tokenized | "ShardKey" >> beam.Map(_keyed_for_shuffle, counts, val_fraction, per_shard)
        keys = (tokenized.pipeline | "Seed" >> beam.Create([None])
                | "AllShardKeys" >> beam.FlatMap(lambda _, c: _shard_keys(c, per_shard), counts))
        return ((keyed, keys) | "WithEmpty" >> beam.Flatten()
                | "GroupShard" >> beam.GroupByKey()
                | "Write" >> beam.MapTuple(lambda key, docs: write_shard(
                    out_dir, *key, [_from_shuffle(d) for d in docs if d is not None])))
