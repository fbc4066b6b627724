"""Survivors are chosen by karma, then earliest link, then doc id, whatever the input order."""

import itertools

from webtext.dedup.clusters import Member, duplicates_of_components, exact_survivor, star_edges
from webtext.records import Document, Drop


def member(doc_id, karma=5, first=100):
    return Member(doc_id, karma, first)


def as_edges(pairs):
    return [(tuple(a), tuple(b)) for a, b in pairs]


def test_star_edges_point_at_the_smallest_id():
    same = bytes(range(16))
    bucket = [(member("c"), same), (member("a"), same), (member("b"), same), (member("a"), same)]
    assert star_edges(bucket, 0.8) == [(member("a"), member("b")), (member("a"), member("c"))]


def test_star_edges_drop_candidates_whose_signatures_disagree():
    center, close, far = bytes(16), bytes(15) + b"\x01", bytes(range(16))  # 4 uint32 values each
    bucket = [(member("a"), center), (member("b"), close), (member("c"), far)]
    assert star_edges(bucket, 0.75) == [(member("a"), member("b"))]
    assert len(star_edges(bucket, 0.0)) == 2


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
