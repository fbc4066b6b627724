"""Dedup over (exact key, member, signature) records, on disk: the global step of a run split into units,
which never needs the documents' texts and never holds all their records in memory.

The records go into a SQLite file; SQLite's sorts (on disk, past its page cache) bring each exact-text
group and each LSH bucket together, one at a time. Then the same decisions as `DeduplicateDocuments`:
exact duplicates by normalised text, one survivor each (`exact_survivor`'s rank); LSH bands of the
exact survivors, star edges, the signature check, and connected components, the survivor of each its
best-ranked member. What stays in memory grows with the duplicates, not the corpus: the candidate
edges' union-find. Its components are exact, where the Beam transform's label propagation stops after
`rounds`: the two agree whenever that converged, which the manifest reports (here always 0 unconverged).
"""

import contextlib
import itertools
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np

from webtext.dedup.clusters import STAGE, Member, best, duplicates_of_components, star_edges
from webtext.dedup.minhash import SIGNATURE_DTYPE, band_keys, bands_and_rows, estimated_jaccard
from webtext.dedup.settings import DedupSettings
from webtext.records import Drop

_SCHEMA = (
    "CREATE TABLE docs (doc_id TEXT PRIMARY KEY, unit TEXT, exact_key TEXT, karma INTEGER, first_seen INTEGER, "
    "signature BLOB)",
    "CREATE TABLE bands (key BLOB, doc_id TEXT, karma INTEGER, first_seen INTEGER)",
    "CREATE TABLE edges (a TEXT, a_karma INTEGER, a_first INTEGER, b TEXT, b_karma INTEGER, b_first INTEGER, "
    "PRIMARY KEY (a, b))",
    "CREATE TABLE drops (doc_id TEXT PRIMARY KEY, reason TEXT, survivor TEXT)",
)
_BATCH = 10_000


class Signed(NamedTuple):
    """What the global step needs of one document, made where the document is."""
    exact_key: str
    member: Member
    signature: bytes | None  # None: its signature raised; it stays, with no near-duplicate candidates


class SignatureStore:
    """The dedup records of every unit, in a SQLite file at `path` (":memory:" for a small set)."""

    def __init__(self, path: str):
        if path != ":memory:" and os.path.exists(path):
            os.remove(path)  # a killed run's: decided again, from the units
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to roll back to
        self._db.execute("PRAGMA synchronous = OFF")
        for statement in _SCHEMA:
            self._db.execute(statement)
        self.stats: list[tuple[tuple[str, int], int]] = []

    def add(self, unit: str, records: Iterable[Signed]) -> None:
        rows = ((r.member.doc_id, unit, r.exact_key, r.member.karma, r.member.first_seen_utc, r.signature)
                for r in records)
        for batch in iter(lambda: list(itertools.islice(rows, _BATCH)), []):
            self._db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", batch)

    def decide(self, settings: DedupSettings) -> None:
        """Exact, then near duplicates: the drops table, and `stats` as DeduplicateDocuments' stats."""
        self._db.execute("CREATE INDEX docs_by_unit ON docs (unit)")
        self._exact()
        self._bands(*bands_and_rows(settings.threshold, settings.num_perm))
        edges = self._db.execute("SELECT e.a, e.a_karma, e.a_first, e.b, e.b_karma, e.b_first, x.signature, "
                                 "y.signature FROM edges e JOIN docs x ON x.doc_id = e.a JOIN docs y ON y.doc_id = e.b")
        verified = [((a, ak, af), (b, bk, bf)) for a, ak, af, b, bk, bf, sa, sb in edges
                    if not settings.verify or estimated_jaccard(sa, sb) >= settings.threshold]
        sizes: dict[str, int] = {}
        drops = []
        for doc_id, survivor, size in duplicates_of_components(sorted(verified)):
            drops.append((doc_id, "near_duplicate", survivor))
            sizes[survivor] = size
        self._db.executemany("INSERT INTO drops VALUES (?, ?, ?)", drops)
        clusters = Counter(sizes.values())
        self.stats = [(("cluster_size", size), n) for size, n in sorted(clusters.items())]
        self.stats.append((("unconverged_nodes", 0), 0))

    def _exact(self) -> None:
        rows = self._db.execute("SELECT exact_key, doc_id, karma, first_seen FROM docs ORDER BY exact_key")
        drops = []
        for _, group in itertools.groupby(rows, key=lambda row: row[0]):
            members = [Member(doc_id, karma, first) for _, doc_id, karma, first in group]
            if len(members) > 1:
                keep = best(members)
                drops.extend((m.doc_id, "exact_duplicate", keep.doc_id) for m in members if m != keep)
            if len(drops) >= _BATCH:
                self._db.executemany("INSERT INTO drops VALUES (?, ?, ?)", drops)
                drops = []
        self._db.executemany("INSERT INTO drops VALUES (?, ?, ?)", drops)

    def _bands(self, bands: int, rows: int) -> None:
        """Every exact survivor's band keys, then each bucket's star edges (distinct, by the primary key)."""
        signed = self._db.execute("SELECT doc_id, karma, first_seen, signature FROM docs WHERE signature IS NOT NULL "
                                  "AND doc_id NOT IN (SELECT doc_id FROM drops)")
        keyed = ((bytes([band]) + key, doc_id, karma, first) for doc_id, karma, first, signature in signed
                 for band, key in band_keys(np.frombuffer(signature, dtype=SIGNATURE_DTYPE), bands, rows))
        for batch in iter(lambda: list(itertools.islice(keyed, _BATCH)), []):
            self._db.executemany("INSERT INTO bands VALUES (?, ?, ?, ?)", batch)
        buckets = self._db.execute("SELECT key, doc_id, karma, first_seen FROM bands ORDER BY key")
        edges = []
        for _, bucket in itertools.groupby(buckets, key=lambda row: row[0]):
            members = [(doc_id, karma, first) for _, doc_id, karma, first in bucket]
            if len(members) > 1:
                edges.extend((*a, *b) for a, b in star_edges(members))
            if len(edges) >= _BATCH:
                self._db.executemany("INSERT OR IGNORE INTO edges VALUES (?, ?, ?, ?, ?, ?)", edges)
                edges = []
        self._db.executemany("INSERT OR IGNORE INTO edges VALUES (?, ?, ?, ?, ?, ?)", edges)

    def drops(self) -> Iterator[Drop]:
        """Every exact_duplicate and near_duplicate drop, the survivor's id in its detail, in Drop order."""
        for doc_id, reason, survivor in self._db.execute(
                "SELECT doc_id, reason, survivor FROM drops ORDER BY reason, doc_id, survivor"):
            yield Drop(STAGE, reason, doc_id, survivor)

    def drop_count(self) -> Counter:
        return Counter(dict(self._db.execute("SELECT reason, COUNT(*) FROM drops GROUP BY reason")))

    def losers_of(self, unit: str) -> set[str]:
        """The unit's documents that dedup dropped."""
        return {row[0] for row in self._db.execute(
            "SELECT doc_id FROM docs WHERE unit = ? AND doc_id IN (SELECT doc_id FROM drops)", (unit,))}

    def kept_ids(self) -> Iterator[str]:
        yield from (row[0] for row in self._db.execute(
            "SELECT doc_id FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM drops)"))

    def close(self) -> None:
        self._db.close()


class Verdicts(NamedTuple):
    drops: list[Drop]
    stats: list[tuple[tuple[str, int], int]]


def dedup_signed(records: Iterable[Signed], settings: DedupSettings) -> Verdicts:
    """The decisions for a small set, in memory (tests; a run in units uses the store on disk)."""
    store = SignatureStore(":memory:")
    with contextlib.closing(store):
        store.add("", records)
        store.decide(settings)
        return Verdicts(list(store.drops()), store.stats)
