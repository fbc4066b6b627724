"""Counts by key on disk (SQLite), for keys whose number grows with the corpus: a WebText-sized
corpus has hundreds of thousands of domains, which the report counts without holding them."""

import os
import sqlite3
import tempfile
from collections import Counter


class DiskCounts:
    """Counters by kind ("domain", "subreddit"), kept in a temporary SQLite file in `directory` (default:
    the system's temporary folder, $TMPDIR) that closing removes. Use as a context manager."""

    def __init__(self, directory: str | None = None):
        handle, self.path = tempfile.mkstemp(prefix=".report-counts-", suffix=".sqlite", dir=directory)
        os.close(handle)
        self.db = sqlite3.connect(self.path)
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;"
                              "CREATE TABLE counts (kind TEXT, key TEXT, n INTEGER, PRIMARY KEY (kind, key))")

    def add(self, kind: str, counts: Counter) -> None:
        self.db.executemany(
            "INSERT INTO counts VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET n = n + excluded.n",
            ((kind, key, n) for key, n in counts.items()),
        )

    def most_common(self, kind: str, top: int) -> list[tuple[str, int]]:
        """The `top` largest counts, ties by key."""
        return [(key, n) for key, n in self.db.execute(
            "SELECT key, n FROM counts WHERE kind = ? ORDER BY n DESC, key LIMIT ?", (kind, top))]

    def __enter__(self) -> "DiskCounts":
        return self

    def __exit__(self, *_) -> None:
        self.db.close()
        os.remove(self.path)
