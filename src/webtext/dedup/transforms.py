"""The dedup stage as Beam transforms: exact, then near-duplicate (MinHash LSH)."""

import apache_beam as beam

from webtext.config import CorpusConfig
from webtext.dedup.clusters import (STAGE, duplicates_of_components, exact_survivor, member_of,
                                    near_duplicate_verdict, star_edges)
from webtext.dedup.minhash import Signer, band_keys, bands_and_rows, exact_key
from webtext.stagekit import classify


class _BandKeys(beam.DoFn):
    """(band, band bytes) -> (member, signature), one per band of a document's signature."""

    def __init__(self, config: CorpusConfig):
        self._config = config
        self._bands, self._rows = bands_and_rows(config.dedup_threshold, config.num_perm)

    def setup(self):
        self._signer = Signer(self._config.num_perm, self._config.shingle_words)

    def process(self, doc):
        signature = self._signer.signature(doc.text)
        member, signature_bytes = tuple(member_of(doc)), signature.tobytes()
        for band_key in band_keys(signature, self._bands, self._rows):
            yield band_key, (member, signature_bytes)


class DeduplicateDocuments(beam.PTransform):
    """Documents -> (one document per duplicate cluster, drops with the survivor's id)."""

    def __init__(self, config: CorpusConfig):
        super().__init__()
        self._config = config

    def expand(self, docs):
        by_text = (docs | "ExactKey" >> beam.Map(lambda d: (exact_key(d.text), d))
                   | "GroupExact" >> beam.GroupByKey())
        unique, exact_drops = classify(by_text, "Exact", STAGE, lambda kv: exact_survivor(kv[1]), many=True)
        min_jaccard = self._config.dedup_threshold if self._config.dedup_verify else 0.0
        losers = (unique
                  | "Bands" >> beam.ParDo(_BandKeys(self._config))
                  | "GroupBands" >> beam.GroupByKey()
                  | "Edges" >> beam.FlatMap(lambda kv: [(tuple(a), tuple(b)) for a, b in star_edges(kv[1], min_jaccard)])
                  | "DistinctEdges" >> beam.Distinct()
                  | "AllEdges" >> beam.combiners.ToList()
                  | "Components" >> beam.FlatMap(duplicates_of_components)
                  | "KeyLosers" >> beam.Map(lambda t: (t[0], (t[1], t[2]))))
        joined = ({"docs": unique | "KeyDocs" >> beam.Map(lambda d: (d.doc_id, d)), "losers": losers}
                  | "Join" >> beam.CoGroupByKey())
        kept, near_drops = classify(joined, "Near", STAGE, lambda kv: near_duplicate_verdict(
            kv[0], list(kv[1]["docs"]), list(kv[1]["losers"])))
        drops = (exact_drops, near_drops) | "Drops" >> beam.Flatten()
        return kept, drops
