"""A live crawl's figures as it goes, shared by the worker processes with the launching one: pages done,
bytes of HTML, hosts finished and hosts each worker is fetching now. A unit's tally arrives only when the
unit ends (minutes for a big host); these move with every page, for a progress line that can be watched.
They never feed an output."""

import time


class LiveCounts:
    PAGES, BYTES, HOSTS_DONE = 0, 1, 2
    _FIXED = 3  # then one slot a worker: the hosts it is fetching now
    _NEXT_SLOT = -1  # last: the next worker's slot number

    def __init__(self, context, workers: int):
        self._array = context.Array("q", self._FIXED + workers + 1)
        self._slot = None

    def take_slot(self) -> None:
        """In a worker process, once: which of the per-worker slots is its own."""
        with self._array.get_lock():
            self._slot = self._FIXED + self._array[self._NEXT_SLOT]
            self._array[self._NEXT_SLOT] += 1

    def add(self, pages: int, html_bytes: int, hosts_running: int, hosts_done: int = 0) -> None:
        with self._array.get_lock():
            self._array[self.PAGES] += pages
            self._array[self.BYTES] += html_bytes
            self._array[self.HOSTS_DONE] += hosts_done
            if self._slot is not None:
                self._array[self._slot] = hosts_running

    def snapshot(self) -> dict:
        with self._array.get_lock():
            values = list(self._array)
        return {"pages": values[self.PAGES], "bytes": values[self.BYTES],
                "hosts_done": values[self.HOSTS_DONE],
                "hosts_running": sum(values[self._FIXED:self._NEXT_SLOT])}


class CrawlView:
    """What the progress line shows of a crawl: pages done of those its unfinished units hold, the rate
    since the crawl began, bytes, hosts in flight and done, an ETA; read from LiveCounts every time it is
    drawn."""

    def __init__(self, counts: LiveCounts, pages_total: int):
        self._counts, self._pages_total = counts, pages_total
        self._started = time.monotonic()

    def figures(self) -> dict:
        now = self._counts.snapshot()
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = now["pages"] / elapsed
        left = max(self._pages_total - now["pages"], 0)
        return {**now, "pages_total": self._pages_total, "pages_per_s": rate,
                "eta_s": left / rate if rate > 0 else None}
