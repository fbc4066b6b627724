"""A minimum interval between requests to one service, shared by a worker's fetch threads."""

import threading
import time


class RateLimiter:
    """`wait(key)` returns when the next request to `key` may start: at most `per_s` a second each.

    Threads reserve their start time under the lock and sleep outside it, so waiting
    threads queue up in order instead of waking together.
    """

    def __init__(self, per_s: float, clock=time.monotonic, sleep=time.sleep):
        self._interval = 1.0 / per_s
        self._clock, self._sleep = clock, sleep
        self._next_start: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start.get(key, now))
            self._next_start[key] = start + self._interval
        if start > now:
            self._sleep(start - now)
