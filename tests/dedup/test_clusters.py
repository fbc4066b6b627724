"""Survivors are chosen by karma, then earliest link, then doc id, whatever the input order."""

import itertools

from webtext.dedup.clusters import (
    Member,
    duplicates_of_components,
    exact_survivor,
    star_edges,
    verified_edges,
    with_center_signature,
)
from webtext.records import Document, Drop


def member(doc_id, karma=5, first=100):
    return Member(doc_id, karma, first)


def as_edges(pairs):
    return [(tuple(a), tuple(b)) for a, b in pairs]


def test_star_edges_point_at_the_smallest_id():
    bucket = [member("c"), member("a"), member("b"), member("a")]
    assert star_edges(bucket) == [(member("a"), member("b")), (member("a"), member("c"))]


def test_candidates_whose_signatures_disagree_are_not_edges():
    center, close, far = bytes(16), bytes(15) + b"\x01", bytes(range(16))  # 4 uint32 values each
    edge_b, edge_c = (tuple(member("a")), tuple(member("b"))), (tuple(member("a")), tuple(member("c")))
    pending = with_center_signature("a", {"edges": [edge_b, edge_c], "signature": [center]})
    assert pending == [("b", (edge_b, center)), ("c", (edge_c, center))]
    assert verified_edges("b", {"pending": [pending[0][1]], "signature": [close]}, 0.75) == [edge_b]
    assert verified_edges("c", {"pending": [pending[1][1]], "signature": [far]}, 0.75) == []


def test_components_merge_chains_and_pick_the_best_survivor():
    a, b, c, d = member("a", karma=3), member("b", karma=50), member("c", karma=50, first=10), member("d")
    edges = as_edges([(a, b), (b, c), (d, member("e"))])
    assert duplicates_of_components(edges) == [("a", "c", 3), ("b", "c", 3), ("e", "d", 2)]


def test_survivor_does_not_depend_on_edge_order():
    ms = [member("a", 4, 9), member("b", 4, 3), member("c", 2, 1), member("d", 4, 3)]
    edges = as_edges([(ms[0], ms[1]), (ms[1], ms[2]), (ms[2], ms[3])])
    results = {tuple(duplicates_of_components(list(order))) for order in itertools.permutations(edges)}
    assert results == {(("a", "b", 4), ("c", "b", 4), ("d", "b", 4))}


def test_exact_duplicates_keep_the_best_and_name_it():
    def doc(doc_id, karma):
        return Document(doc_id, "u" + doc_id, "u", "d", "t", "same text", karma, (), (), 1, "en")
    out = exact_survivor([doc("b", 9), doc("a", 2), doc("c", 9)])
    assert [o.doc_id if isinstance(o, Document) else (o.reason, o.item, o.detail) for o in out] == [
        ("exact_duplicate", "a", "b"), "b", ("exact_duplicate", "c", "b")]
    assert all(isinstance(o, Drop) for o in out if not isinstance(o, Document))
