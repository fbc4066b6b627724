"""Replay by lookup: an on-disk index of WARC responses by canonical URL, for runs split into units.

`ReplayPages` joins every link with every response in one shuffle. A run split into independent
units (webtext/units) cannot: each unit asks for its own links only. So the responses are indexed
once (canonical URL -> record id, file, offset; redirects as URL -> URL) in a SQLite file, which
holds 45M entries on disk rather than in memory, and each unit reads just the records it needs.
The answers are those of `ReplayPages`: redirects followed the same way, and of several captures
of one URL, or several redirects of it (two WARC files that disagree), the smallest record id.
"""

import contextlib
import os
import sqlite3
from collections.abc import Iterable

from webtext.crawl.replay import (
    NOT_ARCHIVED,
    STAGE,
    read_warc_at,
    resolve_redirects,
    response_at,
    response_to_result,
)
from webtext.records import DamagedFileError, DamagedInput, Drop, FetchResult, Link
from webtext.urls import canonical_url

_SCHEMA = ("CREATE TABLE responses (key TEXT, record_id TEXT, path TEXT, offset INTEGER)",
           "CREATE TABLE redirects (key TEXT PRIMARY KEY, target TEXT, record_id TEXT)",
           "CREATE TABLE damaged (path TEXT, offset INTEGER, error TEXT, records INTEGER)")


_ADD_REDIRECT = (
    "INSERT INTO redirects VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET target = excluded.target, "
    "record_id = excluded.record_id WHERE (excluded.record_id, excluded.target) < (record_id, target)"
)


def index_file(path: str) -> tuple[list, list, list]:
    """One WARC file's rows for the index: (responses as (key, record id, path, offset), redirects as
    (key, target key, record id), the file's damaged stretches). A run in units makes them in its workers,
    one file each; what a damaged file held around the damage is indexed all the same. Bodies are not read
    here."""
    responses, redirects, damaged = [], [], []
    try:
        for offset, response in read_warc_at(path, max_body_bytes=0):
            if isinstance(response, DamagedInput):
                damaged.append(tuple(response))
                continue
            key = canonical_url(response.target_uri)
            if key and response.location:
                redirects.append((key, canonical_url(response.location), response.record_id))
            elif key:
                responses.append((key, response.record_id, path, offset))
    except DamagedFileError as error:
        damaged.append(tuple(error.damaged))
    return responses, redirects, damaged


def build_index(warc_paths: Iterable[str], index_path: str, indexed: Iterable[tuple] | None = None) -> None:
    """Index every response of the WARC files into a new SQLite file at `index_path` (written beside it,
    then renamed: a killed build leaves no index), with the files that could not be read to their end.
    `indexed`: each file's `index_file` rows; made here by default. Of several redirects of one URL the
    one with the smallest record id stands, whatever the files' order (as in `ReplayPages`)."""
    partial = f"{index_path}.partial-{os.getpid()}"
    if os.path.exists(partial):
        os.remove(partial)
    with contextlib.closing(sqlite3.connect(partial)) as db, db:
        for statement in _SCHEMA:
            db.execute(statement)
        for responses, redirects, damaged in indexed if indexed is not None else map(index_file, warc_paths):
            db.executemany("INSERT INTO responses VALUES (?, ?, ?, ?)", responses)
            db.executemany(_ADD_REDIRECT, redirects)
            db.executemany("INSERT INTO damaged VALUES (?, ?, ?, ?)", damaged)
        db.execute("CREATE INDEX responses_by_key ON responses (key, record_id, path)")
    os.replace(partial, index_path)


class _RedirectTable:
    """The index's redirects, as much of a mapping as `resolve_redirects` asks of one."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def _row(self, key: str):
        return self._db.execute("SELECT target FROM redirects WHERE key = ?", (key,)).fetchone()

    def __contains__(self, key: str) -> bool:
        return self._row(key) is not None

    def __getitem__(self, key: str) -> str:
        return self._row(key)[0]


class WarcIndex:
    """Read-only lookups in an index `build_index` wrote: one per worker process."""

    def __init__(self, index_path: str, max_body_bytes: int | None = None):
        self._db = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
        self._max_body_bytes = max_body_bytes  # a replayed body is capped as a fetched one is
        self._redirects = _RedirectTable(self._db)

    def _where(self, link: Link) -> tuple[str, int] | None:
        """(WARC file, offset) of the link's response, redirects followed; None when there is none."""
        return self._db.execute(
            "SELECT path, offset FROM responses WHERE key = ? ORDER BY record_id, path LIMIT 1",
            (resolve_redirects(link.url, self._redirects),),
        ).fetchone()

    def where(self, url: str) -> tuple[str, int] | None:
        """(WARC file, offset) of the response for a canonical URL, redirects followed; None if none."""
        return self._where(Link(url, url, 0, (), (), (), 0))

    def holds(self, link: Link) -> bool:
        """Whether replay has a response for the link (not read: a lookup only)."""
        return self._where(link) is not None

    def replay(self, link: Link) -> FetchResult | Drop:
        """The link's archived response as a fetch result, or the drop `ReplayPages` would give it."""
        row = self._where(link)
        if row is None:
            return Drop(STAGE, NOT_ARCHIVED, link.url)
        return response_to_result(link, response_at(*row, self._max_body_bytes))

    def damaged(self) -> list[DamagedInput]:
        """The WARC files that could not be read to their end, in the order they were indexed."""
        return [DamagedInput(*row) for row in self._db.execute("SELECT * FROM damaged ORDER BY rowid")]

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
