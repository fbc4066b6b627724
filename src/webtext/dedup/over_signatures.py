"""Dedup over (exact key, member, signature) records, in one process: the global step of a run split
into units, which never needs the documents' texts.

The same decisions as `DeduplicateDocuments`: exact duplicates by normalised text, one survivor each
(`exact_survivor`'s rank); then LSH bands, star edges, the signature check, and connected components,
the survivor of each the best-ranked member. The components here are exact (union-find), where the
Beam transform's label propagation stops after `rounds`: the two agree whenever that converged, which
the manifest reports (unconverged_nodes = 0, always so here).
"""

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from webtext.dedup.clusters import STAGE, Member, best, duplicates_of_components, star_edges
from webtext.dedup.minhash import SIGNATURE_DTYPE, band_keys, bands_and_rows, estimated_jaccard
from webtext.dedup.settings import DedupSettings
from webtext.records import Drop


class Signed(NamedTuple):
    """What the global step needs of one document, made where the document is."""
    exact_key: str
    member: Member
    signature: bytes | None  # None: its signature raised; it stays, with no near-duplicate candidates


class Verdicts(NamedTuple):
    drops: list[Drop]  # exact_duplicate and near_duplicate, the survivor's id in the detail
    stats: list[tuple[tuple[str, int], int]]  # as DeduplicateDocuments' stats


def dedup_signed(records: Iterable[Signed], settings: DedupSettings) -> Verdicts:
    by_text: dict[str, list[Signed]] = {}
    for record in records:
        by_text.setdefault(record.exact_key, []).append(record)
    drops, unique = [], []
    for group in by_text.values():
        keep = best(r.member for r in group)
        drops.extend(Drop(STAGE, "exact_duplicate", r.member.doc_id, keep.doc_id) for r in group if r.member != keep)
        unique.extend(r for r in group if r.member == keep)
    bands, rows = bands_and_rows(settings.threshold, settings.num_perm)
    buckets: dict[tuple[int, bytes], list[Member]] = {}
    signatures = {r.member.doc_id: r.signature for r in unique if r.signature is not None}
    for record in unique:
        if record.signature is not None:
            for key in band_keys(np.frombuffer(record.signature, dtype=SIGNATURE_DTYPE), bands, rows):
                buckets.setdefault(key, []).append(record.member)
    edges = {edge for bucket in buckets.values() for edge in star_edges(bucket)}
    if settings.verify:
        edges = {(a, b) for a, b in edges
                 if estimated_jaccard(signatures[a.doc_id], signatures[b.doc_id]) >= settings.threshold}
    sizes: dict[str, int] = {}
    for doc_id, survivor, size in duplicates_of_components(sorted(edges)):
        drops.append(Drop(STAGE, "near_duplicate", doc_id, survivor))
        sizes[survivor] = size
    clusters: dict[int, int] = {}
    for size in sizes.values():
        clusters[size] = clusters.get(size, 0) + 1
    stats = [(("cluster_size", size), n) for size, n in sorted(clusters.items())]
    return Verdicts(sorted(drops), stats + [(("unconverged_nodes", 0), 0)])

