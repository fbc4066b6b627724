"""Connected components of the duplicate graph without one process holding the graph.

Min-label propagation with pointer jumping: each node starts labelled with its
own survivor rank (-karma, first seen, doc id). Every round, a node takes the
smallest label among itself and its neighbours, then jumps: it takes the label
of the node its label names, if that one is smaller. Plain propagation needs as
many rounds as the longest path; jumping halves that wherever ranks fall along
the path (a 400-node chain settles in 8 rounds), though a path through worse
and worse local minima still moves one hop per round. A round is two
CoGroupByKeys and a CombinePerKey, so a worker holds one node's neighbours at
a time, never the corpus.

After the rounds, the components are made exact whatever was left: every edge
whose ends still carry different labels becomes an edge between those labels,
and one union-find over those (the residue: none once the rounds converged, a
few where a chain outran them) gives each label the best one of its component.
That is the true survivor: the best node of a component keeps its own label
throughout, and the labels of one component stay joined by its edges. So the
Beam transform names the same survivors as the units engine's union-find for
any --dedup_rounds; how many nodes the rounds left unsettled goes in the
manifest (unconverged_nodes: work done in one place, so raise --dedup_rounds
when it is large).
"""

from collections.abc import Iterable

from webtext.dedup.clusters import Member, survivor_rank
from webtext.dedup.union_find import UnionFind

Rank = tuple  # (-karma, first_seen_utc, doc_id): the smallest is the best survivor


def node_views(edge: tuple[tuple, tuple]) -> list[tuple[str, tuple]]:
    """What an edge tells each end: its own rank, and one neighbour."""
    a, b = Member(*edge[0]), Member(*edge[1])
    return [(a.doc_id, ("rank", survivor_rank(a))), (a.doc_id, ("neighbour", b.doc_id)),
            (b.doc_id, ("rank", survivor_rank(b))), (b.doc_id, ("neighbour", a.doc_id))]


def node_from_views(node: str, views: Iterable[tuple]) -> tuple[str, tuple[Rank, tuple[str, ...]]]:
    """(node, (its own rank as first label, its neighbours, sorted))."""
    views = list(views)
    rank = next(value for kind, value in views if kind == "rank")
    neighbours = tuple(sorted({value for kind, value in views if kind == "neighbour"}))
    return node, (rank, neighbours)


def spread(node: str, label_and_neighbours: tuple[Rank, tuple[str, ...]]) -> list[tuple[str, Rank]]:
    """A node offers its label to itself and to every neighbour."""
    label, neighbours = label_and_neighbours
    return [(node, label)] + [(neighbour, label) for neighbour in neighbours]


def by_owner(node: str, label: Rank) -> tuple[str, tuple[str, Rank]]:
    """Key a node's label by the node the label names (its doc id is the rank's last field)."""
    return label[2], (node, label)


def jump(owner: str, joined: dict) -> list[tuple[str, Rank]]:
    """Every node pointing at `owner` takes the owner's own label when that is smaller."""
    owner_label = list(joined["label"])[0]
    return [(node, min(label, owner_label)) for node, label in joined["pointers"]]


def relabel(node: str, joined: dict) -> tuple[str, tuple[Rank, tuple[str, ...]]]:
    """The node's new label (the smallest offered) with its unchanged neighbours."""
    return node, (list(joined["label"])[0], list(joined["graph"])[0][1])


def offered_labels(node: str, label_and_neighbours: tuple[Rank, tuple[str, ...]]) -> list[tuple[str, tuple]]:
    """A node's label to itself, marked as its own, and to each neighbour."""
    label, neighbours = label_and_neighbours
    return [(node, ("own", label))] + [(neighbour, ("offered", label)) for neighbour in neighbours]


def residue_edges(node: str, offers: Iterable[tuple]) -> list[tuple[None, tuple[Rank, Rank]]]:
    """(None, (own label, a neighbour's different label)): an edge the rounds left unsettled, as an edge
    between the two labels, all under one key for the one union-find."""
    offers = list(offers)
    own = next(label for kind, label in offers if kind == "own")
    return [(None, (own, label)) for label in sorted({label for kind, label in offers if label != own})]


def settled_labels(_: None, edges: Iterable[tuple[Rank, Rank]]) -> list[tuple[Rank, Rank]]:
    """(label, the best label of its component) for each label of the residue that is not its own best."""
    sets = UnionFind()  # the smaller rank is the better survivor: it stays root
    for a, b in edges:
        sets.union(tuple(a), tuple(b))
    return [(label, sets.find(label)) for label in list(sets.nodes()) if sets.find(label) != label]


def with_settled_label(node_value: tuple[str, tuple], settled: dict) -> tuple[str, tuple]:
    """(node, (label, neighbours)) -> (node, (its component's best label, ())): `settled`'s for a label the
    rounds left unsettled, else its own."""
    node, (label, _) = node_value
    return node, (settled.get(label, label), ())


def survivor_of(node: str, label_and_neighbours: tuple[Rank, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(node, survivor id) for a node that is not its component's survivor."""
    survivor = label_and_neighbours[0][2]
    return [(node, survivor)] if survivor != node else []
