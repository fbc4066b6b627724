"""UnionFind: a set's root is its smallest member (by key) whatever the order of the unions, in both of
its forms (a dict of any nodes, a flat array of ints)."""

import itertools

from webtext.dedup.union_find import UnionFind

EDGES = [(5, 3), (3, 9), (7, 8), (9, 1), (8, 6)]


def test_the_root_of_a_set_is_its_smallest_member_in_any_order_of_unions():
    for order in itertools.permutations(EDGES):
        for sets in (UnionFind(), UnionFind(size=10)):
            for a, b in order:
                sets.union(a, b)
            assert {n: sets.find(n) for n in (1, 3, 5, 9)} == dict.fromkeys((1, 3, 5, 9), 1)
            assert {n: sets.find(n) for n in (6, 7, 8)} == dict.fromkeys((6, 7, 8), 6)
    assert UnionFind(size=10).find(4) == 4  # never joined: its own root


def test_a_key_orders_the_roots_and_only_met_nodes_are_listed():
    sets = UnionFind(key=lambda word: word[::-1])
    sets.union("ab", "zb")  # by reversed spelling "ba" < "bz"
    sets.union("zb", "ya")  # "ay" is smaller still
    assert sets.find("ab") == "ya" and sorted(sets.nodes()) == ["ab", "ya", "zb"]
