"""Dedup over (exact key, member, signature) records, on disk: the global step of a run split into units,
which never needs the documents' texts and never holds all their records in memory.

The records go into a SQLite file; SQLite's sorts (on disk, past its page cache) bring each exact-text
group and each LSH bucket together, one at a time. Then the same decisions as `DeduplicateDocuments`:
exact duplicates by normalised text, one survivor each (`exact_survivor`'s rank); LSH bands of the
exact survivors, star edges, the signature check, and connected components, the survivor of each its
best-ranked member. What stays in memory is a batch of rows, one exact group, bucket or component
at a time, and the union-find's flat arrays over row numbers (9 bytes a document). Its components
are exact, as the Beam transform's are: its label propagation's `rounds` leave a residue that it finishes
in one union-find (components.py), so the two name the same survivors (here always 0 unconverged).
"""

import contextlib
import itertools
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np

from webtext.dedup.clusters import STAGE, Member, best, member_of, signature_or_drop, star_edges
from webtext.dedup.minhash import (
    SIGNATURE_DTYPE,
    Signer,
    band_keys,
    bands_and_rows,
    estimated_jaccard,
    exact_key,
)
from webtext.dedup.settings import DedupSettings
from webtext.dedup.union_find import UnionFind
from webtext.guard import error_drop
from webtext.records import Document, Drop

_SCHEMA = (
    "CREATE TABLE docs (doc_id TEXT PRIMARY KEY, unit TEXT, exact_key TEXT, karma INTEGER, "
    "first_seen INTEGER, signature BLOB)",
    "CREATE TABLE bands (key BLOB, doc_id TEXT, karma INTEGER, first_seen INTEGER)",
    "CREATE TABLE edges (a TEXT, a_karma INTEGER, a_first INTEGER, b TEXT, b_karma INTEGER, b_first INTEGER, "
    "PRIMARY KEY (a, b))",
    "CREATE TABLE drops (doc_id TEXT PRIMARY KEY, reason TEXT, survivor TEXT)",
)
_BATCH = 10_000
_INSERT_DOC = "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_BAND = "INSERT INTO bands VALUES (?, ?, ?, ?)"


class Signed(NamedTuple):
    """What the global step needs of one document, made where the document is."""
    exact_key: str
    member: Member
    signature: bytes | None  # None: its signature raised; it stays, with no near-duplicate candidates


class SignStep:
    """The dedup stage's part that is done where each document is, as a step of the per-record chain
    (engines/record_chain.py): the document with what the global step needs of it, (document, Signed),
    or its dedup_error drop when its signature raised (signature_or_drop: both engines' policy). One
    Signer (one MinHash template) per worker."""

    stage = STAGE
    counted_later = True  # dedup counts a document in where the global step reads it

    def __init__(self, settings: DedupSettings, doc_of=lambda item: item):
        self._signer, self._doc_of = Signer(settings.num_perm, settings.shingle_words), doc_of

    def push(self, items: list) -> list[tuple[object, tuple[Document, Signed] | Drop]]:
        return [(item, self.of(self._doc_of(item))) for item in items]

    def of(self, doc: Document) -> tuple[Document, Signed] | Drop:
        signature = signature_or_drop(self._signer, doc)
        if isinstance(signature, Drop):
            return signature
        return doc, Signed(exact_key(doc.text), member_of(doc), signature.tobytes())

    def flush(self) -> list:
        return []  # nothing is held: each document is signed as it comes

    def discard(self) -> None:
        pass

    def close(self) -> None:
        pass


class SignatureStore:
    """The dedup records of every unit, in a SQLite file at `path` (":memory:" for a small set)."""

    def __init__(self, path: str, settings: DedupSettings):
        self.path, self._settings = path, settings
        self._bands_rows = bands_and_rows(settings.threshold, settings.num_perm)
        if path != ":memory:" and os.path.exists(path):
            os.remove(path)  # a killed run's: decided again, from the units
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to roll back to
        self._db.execute("PRAGMA synchronous = OFF")
        for statement in _SCHEMA:
            self._db.execute(statement)
        self.stats: list[tuple[tuple[str, int], int]] = []
        self.records_in = 0  # counted as they are read: dedup's `in`

    def add(self, unit: str, records: Iterable[Signed]) -> None:
        """A unit's records, and the LSH band keys of each signed one: made here, as the units finish,
        so that `decide` only sorts them."""
        docs, bands = [], []
        for r in records:
            self.records_in += 1
            doc_id, karma, first = r.member
            docs.append((doc_id, unit, r.exact_key, karma, first, r.signature))
            if r.signature is not None:
                signature = np.frombuffer(r.signature, dtype=SIGNATURE_DTYPE)
                bands.extend((bytes([band]) + key, doc_id, karma, first)
                             for band, key in band_keys(signature, *self._bands_rows))
            if len(bands) >= _BATCH or len(docs) >= _BATCH:
                self._insert(_INSERT_DOC, docs)
                self._insert(_INSERT_BAND, bands)
                docs, bands = [], []
        self._insert(_INSERT_DOC, docs)
        self._insert(_INSERT_BAND, bands)

    def _insert(self, statement: str, rows: Iterable[tuple]) -> None:
        """Rows inserted _BATCH at a time as they come: a generator's are never all in memory."""
        rows = iter(rows)
        while batch := list(itertools.islice(rows, _BATCH)):
            self._db.executemany(statement, batch)

    def decide(self) -> None:
        """Exact, then near duplicates: the drops table, and `stats` as DeduplicateDocuments' stats."""
        self._db.execute("CREATE INDEX docs_by_unit ON docs (unit)")
        self._exact()
        self._buckets()
        clusters = self._components(self._settings)
        self.stats = [(("cluster_size", size), n) for size, n in sorted(clusters.items())]
        self.stats.append((("unconverged_nodes", 0), 0))
        self._db.commit()  # for the workers' read-only connections (losers_of)

    def _components(self, settings: DedupSettings) -> Counter:
        """The verified edges' connected components, each one's best-ranked member its survivor: the
        near_duplicate drops, and how many clusters there are of each size. The union-find runs over
        the documents' row numbers in flat arrays (9 bytes a document, whatever the duplicates);
        each component's members are brought together by a sort on disk."""
        (last,) = self._db.execute("SELECT COALESCE(MAX(rowid), 0) FROM docs").fetchone()
        sets, touched = UnionFind(size=last + 1), bytearray(last + 1)
        for a, b, signature_a, signature_b in self._db.execute(
                "SELECT x.rowid, y.rowid, x.signature, y.signature FROM edges e "
                "JOIN docs x ON x.doc_id = e.a JOIN docs y ON y.doc_id = e.b"):
            if settings.verify and estimated_jaccard(signature_a, signature_b) < settings.threshold:
                continue
            touched[a] = touched[b] = 1
            sets.union(a, b)
        self._db.execute("CREATE TABLE components (root INTEGER, node INTEGER)")
        self._insert("INSERT INTO components VALUES (?, ?)",
                     ((sets.find(node), node) for node in range(last + 1) if touched[node]))
        members = self._db.execute("SELECT c.root, d.doc_id, d.karma, d.first_seen FROM components c "
                                   "JOIN docs d ON d.rowid = c.node ORDER BY c.root")
        clusters = Counter()

        def drops():
            for _, component in itertools.groupby(members, key=lambda row: row[0]):
                component = [Member(doc_id, karma, first) for _, doc_id, karma, first in component]
                clusters[len(component)] += 1
                yield from _decided(component, "near_duplicate")

        self._insert("INSERT INTO drops VALUES (?, ?, ?)", drops())
        return clusters

    def _exact(self) -> None:
        rows = self._db.execute(
            "SELECT exact_key, doc_id, karma, first_seen FROM docs WHERE exact_key IN "
            "(SELECT exact_key FROM docs GROUP BY exact_key HAVING COUNT(*) > 1) ORDER BY exact_key"
        )
        groups = ([Member(doc_id, karma, first) for _, doc_id, karma, first in group]
                  for _, group in itertools.groupby(rows, key=lambda row: row[0]))
        self._insert("INSERT INTO drops VALUES (?, ?, ?)",
                     (drop for members in groups if len(members) > 1
                      for drop in _decided(members, "exact_duplicate")))

    def _buckets(self) -> None:
        """Each LSH bucket of two or more exact survivors: its star edges (distinct, by the primary key)."""
        buckets = self._db.execute(
            "WITH live AS (SELECT key, doc_id, karma, first_seen FROM bands WHERE doc_id NOT IN (SELECT "
            "doc_id FROM drops)) "
            "SELECT key, doc_id, karma, first_seen FROM live WHERE key IN "
            "(SELECT key FROM live GROUP BY key HAVING COUNT(*) > 1) ORDER BY key"
        )
        members = ([(doc_id, karma, first) for _, doc_id, karma, first in bucket]
                   for _, bucket in itertools.groupby(buckets, key=lambda row: row[0]))
        self._insert("INSERT OR IGNORE INTO edges VALUES (?, ?, ?, ?, ?, ?)",
                     ((*a, *b) for bucket in members if len(bucket) > 1 for a, b in star_edges(bucket)))

    def drops(self) -> Iterator[Drop]:
        """Every exact_duplicate and near_duplicate drop, the survivor's id in its detail (a dedup_error
        drop: the exception), in Drop order."""
        for doc_id, reason, survivor in self._db.execute(
                "SELECT doc_id, reason, survivor FROM drops ORDER BY reason, doc_id, survivor"):
            yield Drop(STAGE, reason, doc_id, survivor)

    def drops_by_unit(self) -> Iterator[tuple[str, dict[str, Drop]]]:
        """(unit, {doc id: its drop}) for each unit (in order) that holds a dropped document: for drops
        given their documents' texts (--keep_dropped_text) a unit at a time, as the units are read."""
        rows = self._db.execute("SELECT d.unit, x.doc_id, x.reason, x.survivor FROM drops x "
                                "JOIN docs d ON d.doc_id = x.doc_id ORDER BY d.unit, x.doc_id")
        for unit, group in itertools.groupby(rows, key=lambda row: row[0]):
            yield unit, {doc_id: Drop(STAGE, reason, doc_id, survivor)
                         for _, doc_id, reason, survivor in group}

    def drop_count(self) -> Counter:
        return Counter(dict(self._db.execute("SELECT reason, COUNT(*) FROM drops GROUP BY reason")))

    @property
    def settings(self) -> DedupSettings:
        return self._settings

    def units_of(self, doc_ids: set[str]) -> list[str]:
        """The units (as added) that hold these documents."""
        return sorted({unit for doc_id in sorted(doc_ids) for (unit,) in self._db.execute(
            "SELECT unit FROM docs WHERE doc_id = ?", (doc_id,))})

    def kept_by_unit(self) -> dict[str, int]:
        """How many of each unit's documents dedup kept (a unit with none kept is not listed)."""
        return dict(self._db.execute(
            "SELECT unit, COUNT(*) FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM drops) GROUP BY unit"))

    def kept_count(self) -> int:
        """The documents no decision dropped, counted in the store: dedup's `kept`."""
        return self._db.execute(
            "SELECT COUNT(*) FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM drops)"
        ).fetchone()[0]

    def kept_ids(self) -> Iterator[str]:
        yield from (row[0] for row in self._db.execute(
            "SELECT doc_id FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM drops)"))

    def close(self) -> None:
        self._db.close()


def _decided(group: list[Member], reason: str) -> list[tuple[str, str, str]]:
    """The drops rows of one exact group or component: every member but the best, `reason`, the best's id.
    An exception deciding makes every member a dedup_error drop (the exception in its detail), as the Beam
    stage's classify does with a group: counted apart, and the run goes on."""
    try:
        keep = best(group)
    except Exception as error:  # noqa: BLE001 (one group never ends the run)
        return [
            (drop.item, drop.reason, drop.detail)
            for drop in (error_drop(STAGE, m.doc_id, error) for m in group)
        ]
    return [(m.doc_id, reason, keep.doc_id) for m in group if m != keep]


def losers_of(path: str, units: list[str]) -> set[str]:
    """The documents of these units that dedup dropped, read from a decided store's file (by a worker)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return {doc_id for unit in units for (doc_id,) in db.execute(
            "SELECT doc_id FROM docs WHERE unit = ? AND doc_id IN (SELECT doc_id FROM drops)", (unit,))}


class Verdicts(NamedTuple):
    drops: list[Drop]
    stats: list[tuple[tuple[str, int], int]]


def dedup_signed(records: Iterable[Signed], settings: DedupSettings) -> Verdicts:
    """The decisions for a small set, in memory (tests; a run in units uses the store on disk)."""
    store = SignatureStore(":memory:", settings)
    with contextlib.closing(store):
        store.add("", records)
        store.decide()
        return Verdicts(list(store.drops()), store.stats)
