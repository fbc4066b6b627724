"""The dedup stage as Beam transforms: exact, then near-duplicate (MinHash LSH)."""

import functools
from typing import Any, NamedTuple

import apache_beam as beam
import numpy as np

from webtext.dedup.clusters import (
    STAGE,
    exact_survivor,
    member_of,
    near_duplicate_verdict,
    star_edges,
    verified_edges,
    with_center_signature,
)
from webtext.dedup.components import (
    by_owner,
    jump,
    node_from_views,
    node_views,
    offered_labels,
    relabel,
    residue_edges,
    settled_labels,
    spread,
    survivor_of,
    with_settled_label,
)
from webtext.dedup.examples import EXAMPLES, dedup_examples
from webtext.dedup.minhash import SIGNATURE_DTYPE, band_keys, bands_and_rows
from webtext.dedup.over_signatures import SignStep
from webtext.dedup.settings import DedupSettings
from webtext.records import Drop
from webtext.stagekit import classify, drive_step

SIGNATURES = "signatures"


class _BandKeys(beam.DoFn):
    """(document, signature) -> (band, band bytes) -> member, one per band of the signature; the signature
    itself goes out once, on its own output, for the candidate check (not once per band: 14x less shuffle)."""

    def __init__(self, config: DedupSettings):
        self._bands, self._rows = bands_and_rows(config.threshold, config.num_perm)

    def process(self, signed):
        doc, signature = signed
        member = tuple(member_of(doc))
        for band_key in band_keys(np.frombuffer(signature, dtype=SIGNATURE_DTYPE), self._bands, self._rows):
            yield band_key, member
        yield beam.pvalue.TaggedOutput(SIGNATURES, (doc.doc_id, signature))


def _exact_survivor_signed(group: list[tuple], keep_dropped_text: bool) -> list:
    """exact_survivor over (document, signature) pairs: the survivor keeps its signature."""
    signatures = {doc.doc_id: signature for doc, signature in group}
    return [
        (o, signatures[o.doc_id]) if not isinstance(o, Drop) else o
        for o in exact_survivor((d for d, _ in group), keep_dropped_text)
    ]


class VerifyEdges(beam.PTransform):
    """Candidate edges -> those whose signatures estimate a Jaccard >= min_jaccard (two joins on doc id)."""

    def __init__(self, signatures, min_jaccard: float):
        super().__init__()
        self._signatures, self._min_jaccard = signatures, min_jaccard

    def expand(self, edges):
        min_jaccard = self._min_jaccard
        by_center = edges | "ByCenter" >> beam.Map(lambda edge: (edge[0][0], edge))
        pending = ({"edges": by_center, "signature": self._signatures} | "JoinCenter" >> beam.CoGroupByKey()
                   | "CenterSignature" >> beam.FlatMapTuple(with_center_signature))
        return (
            {"pending": pending, "signature": self._signatures}
            | "JoinOther" >> beam.CoGroupByKey()
            | "Check" >> beam.FlatMapTuple(lambda other, joined: verified_edges(other, joined, min_jaccard))
        )


class ConnectedComponents(beam.PTransform):
    """Edges -> ((node, survivor id) for every non-survivor, stats): `rounds` of label propagation, then
    what they left unsettled finished exactly in one union-find (components.py)."""

    def __init__(self, rounds: int):
        super().__init__()
        self._rounds = rounds

    def expand(self, edges):
        graph = (edges | "Views" >> beam.FlatMap(node_views) | "GroupViews" >> beam.GroupByKey()
                 | "Nodes" >> beam.MapTuple(node_from_views))
        for r in range(self._rounds):
            labels = (graph | f"Spread{r}" >> beam.FlatMapTuple(spread)
                      | f"Min{r}" >> beam.CombinePerKey(min))
            jumped = ({"label": labels, "pointers": labels | f"ByOwner{r}" >> beam.MapTuple(by_owner)}
                      | f"JoinOwner{r}" >> beam.CoGroupByKey() | f"Jump{r}" >> beam.FlatMapTuple(jump))
            graph = ({"label": jumped, "graph": graph} | f"Join{r}" >> beam.CoGroupByKey()
                     | f"Relabel{r}" >> beam.MapTuple(relabel))
        graph, unconverged = self._settle(graph)
        losers = graph | "Survivors" >> beam.FlatMapTuple(survivor_of)
        sizes = (graph | "ByCluster" >> beam.MapTuple(lambda node, value: (value[0][2], 1))
                 | "ClusterSize" >> beam.CombinePerKey(sum)
                 | "SizeKey" >> beam.MapTuple(lambda _, size: (("cluster_size", size), 1))
                 | "SizeCount" >> beam.CombinePerKey(sum))
        stats = (sizes, unconverged | "Unconverged" >> beam.Map(lambda n: (("unconverged_nodes", 0), n))) \
            | "Stats" >> beam.Flatten()
        return losers, stats

    @staticmethod
    def _settle(graph):
        """(node, (label, neighbours)) -> ((node, (its component's best label, ())), how many nodes the
        rounds left unsettled): the residue of edges between different labels in one union-find, whose
        outcome (a label for each unsettled label: as small as the residue, which one worker holds
        already) every node reads as a side input, rather than a shuffle of every node by label."""
        settled = beam.pvalue.AsDict(
            graph | "Offer" >> beam.FlatMapTuple(offered_labels) | "GroupOffers" >> beam.GroupByKey()
            | "Residue" >> beam.FlatMapTuple(residue_edges) | "GroupResidue" >> beam.GroupByKey()
            | "Settle" >> beam.FlatMapTuple(settled_labels))
        unsettled = (graph
                     | "Unsettled" >> beam.Map(lambda kv, final: int(kv[1][0] in final), settled)
                     | "CountUnsettled" >> beam.CombineGlobally(sum))
        return graph | "Settled" >> beam.Map(with_settled_label, settled), unsettled


class Deduplicated(NamedTuple):
    kept: Any  # Document: one per duplicate cluster
    drops: Any  # Drop: exact_duplicate / near_duplicate, the survivor's id in its detail
    stats: Any  # (("cluster_size", size), clusters) and (("unconverged_nodes", 0), nodes)
    kept_tally: Any  # (doc id, +1 or -1), see below
    examples: Any  # dict: a few near-duplicate pairs for the report (dedup/examples.py)


class DeduplicateDocuments(beam.PTransform):
    """Documents -> Deduplicated.

    The kept tally is (doc id, +1) for each document past exact dedup and (doc id, -1) for each
    near-duplicate loser: per id it sums to 1 for a kept document and 0 otherwise. It is known
    before the join that yields the kept documents, so the shard writer can size its shards from
    it without holding the documents back to count them (see TokenizeToShards).
    """

    def __init__(self, config: DedupSettings, keep_dropped_text: bool = False, signed: bool = False):
        """`signed`: the input is (document, Signed) pairs, each document signed already by the per-record
        chain's sign step (engines/record_chain.py), whose drops are the caller's; else documents, signed
        here by that same step."""
        super().__init__()
        self._config = config
        self._keep_dropped_text = keep_dropped_text  # each exact or near-duplicate drop with its text
        self._signed = signed

    def expand(self, docs):
        keep_dropped_text = self._keep_dropped_text
        # Signed first, before exact dedup, as a unit worker signs every document it hands to dedup: the
        # same drops.
        signed, unsigned = (docs, None) if self._signed else drive_step(
            docs, "Sign", functools.partial(SignStep, self._config))
        # (document, signature bytes) grouped by the exact key the sign step made
        by_text = (signed
                   | "ExactKey" >> beam.Map(lambda pair: (pair[1].exact_key, (pair[0], pair[1].signature)))
                   | "GroupExact" >> beam.GroupByKey())

        def exact(kv):
            return _exact_survivor_signed(list(kv[1]), keep_dropped_text)

        # Counted as "dedup.exact" so that "dedup" counts each document once, at the near-duplicate step.
        unique_signed, exact_drops = classify(by_text, "Exact", f"{STAGE}.exact", exact,
                                              members=lambda kv: [doc.doc_id for doc, _ in kv[1]], many=True)
        # An exception there is a drop of the dedup stage all the same (its error drops name "dedup.exact").
        exact_drops = exact_drops | "ExactDropStage" >> beam.Map(lambda drop: drop._replace(stage=STAGE))
        unique = unique_signed | "Unsigned" >> beam.Map(lambda pair: pair[0])
        # main: (key, member)
        bands_fn = beam.ParDo(_BandKeys(self._config)).with_output_types(tuple[Any, Any])
        banded = unique_signed | "Bands" >> bands_fn.with_outputs(SIGNATURES, main="bands")
        edges = (banded.bands
                 | "GroupBands" >> beam.GroupByKey()
                 | "Edges" >> beam.FlatMap(lambda kv: [(tuple(a), tuple(b)) for a, b in star_edges(kv[1])])
                 | "DistinctEdges" >> beam.Distinct())
        if self._config.verify:
            edges = edges | "Verify" >> VerifyEdges(banded[SIGNATURES], self._config.threshold)
        losers, stats = edges | "Components" >> ConnectedComponents(self._config.rounds)
        joined = ({"docs": unique | "KeyDocs" >> beam.Map(lambda d: (d.doc_id, d)), "losers": losers}
                  | "Join" >> beam.CoGroupByKey())
        kept, near_drops = classify(joined, "Near", STAGE, lambda kv: near_duplicate_verdict(
            kv[0], list(kv[1]["docs"]), list(kv[1]["losers"]), keep_dropped_text))
        drops = [d for d in (unsigned, exact_drops, near_drops) if d is not None] | "Drops" >> beam.Flatten()
        examples = self._examples(unique, near_drops)
        kept_tally = ((unique | "PlusOne" >> beam.Map(lambda d: (d.doc_id, 1)),
                       losers | "MinusOne" >> beam.Map(lambda loser: (loser[0], -1)))
                      | "KeptTally" >> beam.Flatten())
        return Deduplicated(kept, drops, stats, kept_tally, examples)

    def _examples(self, unique, near_drops):
        """The first few near-duplicate pairs by dropped id, with both documents: a bounded Top of the
        pairs, the few documents they name found by a join on doc id, then one list."""
        config = self._config
        named = (
            near_drops
            | "ExamplePairs" >> beam.Map(lambda drop: (drop.item, drop.detail))
            # Without a default for no pairs: the bundle-retrying local runner mishandles its injection.
            | "FirstPairs"
            >> beam.CombineGlobally(beam.combiners.TopCombineFn(EXAMPLES, reverse=True)).without_defaults()
            | "EachPair" >> beam.FlatMap(lambda pairs: [(doc_id, pair) for pair in pairs for doc_id in pair])
        )
        found = (
            {"pair": named, "doc": unique | "ExampleKeys" >> beam.Map(lambda d: (d.doc_id, d))}
            | "FindExampleDocs" >> beam.CoGroupByKey()
            | "ExampleDocs"
            >> beam.FlatMap(
                lambda kv: [(None, (pair, doc)) for pair in set(kv[1]["pair"]) for doc in kv[1]["doc"]]
            )
        )
        return (found | "AllExampleDocs" >> beam.GroupByKey()
                | "Examples" >> beam.FlatMap(lambda kv: dedup_examples(
                    sorted({pair for pair, _ in kv[1]}), [doc for _, doc in kv[1]], config.num_perm,
                    config.shingle_words)))
