"""Disjoint sets, for duplicate clusters: the in-memory reference (clusters.py), what label propagation
leaves unsettled (components.py) and the units engine's components (over_signatures.py)."""

from array import array
from collections.abc import Callable, Hashable, Iterator


class UnionFind:
    """`find` with path halving; `union` makes the smaller root (by `key`) the root of both, so a set's root
    is its smallest member whatever the order of the unions: each caller's survivor. Nodes are any
    hashables, met as they come (a dict of parents), or, given `size`, the ints 0..size-1 in one flat
    array: 8 bytes a node, for the millions of a corpus's documents."""

    def __init__(self, size: int | None = None, key: Callable | None = None):
        self._parent: dict | array = {} if size is None else array("q", range(size))
        self._key = key

    def find(self, node: Hashable) -> Hashable:
        parent = self._parent
        if isinstance(parent, dict):
            parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, a: Hashable, b: Hashable) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        key = self._key
        if (key(root_b) < key(root_a)) if key else (root_b < root_a):
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a

    def nodes(self) -> Iterator[Hashable]:
        """Every node met (or, given `size`, every one)."""
        return iter(self._parent) if isinstance(self._parent, dict) else iter(range(len(self._parent)))
