"""From LSH buckets to duplicate clusters and one deterministic survivor per cluster.

A bucket's members become edges to the bucket's smallest id (a star, not all
pairs); connected components of those edges are the clusters. The survivor is
the most useful copy, independent of input order: highest karma, then the
earliest Reddit link, then the smallest doc id.
"""

from collections.abc import Iterable
from typing import NamedTuple

from webtext.dedup.minhash import Signer, band_keys, bands_and_rows, estimated_jaccard
from webtext.dedup.union_find import UnionFind
from webtext.guard import guarded
from webtext.reasons import DEDUP
from webtext.records import Document, Drop, with_text

STAGE = DEDUP


class Member(NamedTuple):
    """What dedup needs to know of a document to pick survivors."""

    doc_id: str
    karma: int
    first_seen_utc: int


def member_of(doc: Document) -> Member:
    return Member(doc.doc_id, doc.karma, doc.first_seen_utc)


def survivor_rank(member: Member) -> tuple:
    return (-member.karma, member.first_seen_utc, member.doc_id)


def best(members: Iterable[Member]) -> Member:
    return min(members, key=survivor_rank)


def exact_survivor(docs: Iterable[Document], keep_dropped_text: bool = False) -> list[Document | Drop]:
    """One group of documents with identical normalised text: keep the best, drop the rest (each drop with
    its text, when `keep_dropped_text`)."""
    docs = list(docs)
    keep = best(member_of(d) for d in docs)
    return [d if d.doc_id == keep.doc_id else
            _text_kept(Drop(STAGE, "exact_duplicate", d.doc_id, keep.doc_id), d, keep_dropped_text)
            for d in sorted(docs, key=lambda d: d.doc_id)]


def _text_kept(drop: Drop, doc: Document, keep_dropped_text: bool) -> Drop:
    return with_text(drop, doc) if keep_dropped_text else drop


def star_edges(bucket: Iterable) -> list[tuple[Member, Member]]:
    """Edges from every bucket member to the bucket's smallest doc id (a star, never all pairs)."""
    members = sorted({Member(*m) for m in bucket}, key=lambda m: m.doc_id)
    return [(members[0], other) for other in members[1:]]


def with_center_signature(center_id: str, joined: dict) -> list[tuple[str, tuple]]:
    """Candidate edges of one center, re-keyed by their other end and carrying the center's signature."""
    signature = next(iter(joined["signature"]), None)
    return [(edge[1][0], (edge, signature)) for edge in joined["edges"]] if signature is not None else []


def verified_edges(other_id: str, joined: dict, min_jaccard: float) -> list[tuple]:
    """The candidate edges whose two signatures estimate a Jaccard of at least `min_jaccard`."""
    signature = next(iter(joined["signature"]), None)
    return [edge for edge, center_signature in joined["pending"]
            if signature is not None and estimated_jaccard(center_signature, signature) >= min_jaccard]


def duplicates_of_components(edges: Iterable[tuple[tuple, tuple]]) -> list[tuple[str, str, int]]:
    """(doc id, survivor id, cluster size) for every non-survivor, via union-find over the edges.

    The in-memory reference: tests and benchmarks check the pipeline's distributed
    components (components.py) and score LSH settings with it.
    """
    sets = UnionFind(key=lambda m: m.doc_id)
    for a, b in edges:  # plain tuples on the wire: a deterministic coder
        sets.union(Member(*a), Member(*b))
    clusters: dict[Member, list[Member]] = {}
    for m in list(sets.nodes()):
        clusters.setdefault(sets.find(m), []).append(m)
    out = []
    for members in clusters.values():
        keep = best(members)
        out.extend((m.doc_id, keep.doc_id, len(members)) for m in members if m != keep)
    return sorted(out)


def near_duplicate_verdict(doc_id: str, docs: list[Document], survivors: list[str],
                           keep_dropped_text: bool = False) -> Document | Drop:
    """Join of a document with its survivor's id, if it lost its cluster."""
    if survivors:
        drop = Drop(STAGE, "near_duplicate", doc_id, survivors[0])
        return _text_kept(drop, docs[0], keep_dropped_text) if docs else drop
    return docs[0]


def near_duplicate_survivors(
    texts: Iterable[tuple[str, str]],
    threshold: float,
    num_perm: int = 128,
    verify: bool = True,
    bands_rows: tuple[int, int] | None = None,
) -> dict[str, str]:
    """{doc id: survivor id} for every near duplicate among (doc id, text) pairs, all in memory.

    The same steps as the pipeline (signatures, bands, star edges, signature check, components),
    for tests and benchmarks that score LSH settings on a labelled set.
    """
    bands, rows = bands_rows or bands_and_rows(threshold, num_perm)
    signer, buckets, signatures = Signer(num_perm, 5), {}, {}
    for doc_id, text in texts:
        signature = signer.signature(text)
        for key in band_keys(signature, bands, rows):
            buckets.setdefault(key, []).append(Member(doc_id, 0, 0))
        signatures[doc_id] = signature.tobytes()
    edges = [(tuple(a), tuple(b)) for bucket in buckets.values() for a, b in star_edges(bucket)
             if not verify or estimated_jaccard(signatures[a.doc_id], signatures[b.doc_id]) >= threshold]
    return {doc: survivor for doc, survivor, _ in duplicates_of_components(edges)}


def signature_or_drop(signer: Signer, doc: Document):
    """The document's MinHash signature (an array), or, when making it raised, its `dedup_error` drop
    (named by doc id, as dedup's drops are): the one policy of both engines. A document without a
    signature could not be checked for near-duplicates, so it is not kept unchecked."""
    return guarded(STAGE, lambda d: signer.signature(d.text), doc, members=lambda d: [d.doc_id])[0]
