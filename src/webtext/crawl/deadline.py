"""One deadline per fetch attempt, over everything the attempt waits for.

Socket timeouts bound each wait, not their sum: a server that sends one header byte every
2 s never trips a 10 s read timeout. Here an attempt's deadline is known to the thread that
makes it; the connection (safety.py) connects to each resolved address with only what is left
of it, and hands its socket over to be watched: when the deadline passes, the process's watchdog
thread shuts the socket down, which ends whatever read is blocked on it (status line, headers or body).
"""

import heapq
import itertools
import os
import socket
import threading
import time

_current = threading.local()


class Deadline:
    """`with Deadline(at):` makes `at` (time.monotonic()) this thread's deadline for the sockets it opens."""

    def __init__(self, at: float):
        self.at = at
        self.expired = False
        self.ended = False  # the attempt is over: nothing left to shut down
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down when the deadline passes (at once, if it has)."""
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            if self.ended:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self):
        # Nested (robots.txt read for a redirect hop, within the page's attempt): the inner one rules
        # until it ends, then the outer one again.
        self._outer = current_deadline()
        _current.deadline = self
        _watchdog().watch(self)
        return self

    def __exit__(self, *exc):
        with self._lock:
            self.ended = True
        _watchdog().ended()
        _current.deadline = self._outer
        return False


class _Watchdog:
    """One thread a process that expires every deadline whose time has come.

    A timer thread an attempt (threading.Timer) cost a thread's start and end at every request: in a
    crawler whose cores are busy, starting one waits for the new thread to get the GIL, a few
    milliseconds each time, and a host's next request waits behind it (measured: ~14 ms on top of a
    75 ms answer). Here a deadline is an entry in a heap; the thread wakes only for the earliest."""

    def __init__(self):
        self._wake = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()  # ties on `at` never compare two Deadlines
        self._live = 0  # deadlines in the heap not yet ended
        threading.Thread(target=self._run, name="deadline-watchdog", daemon=True).start()

    def watch(self, deadline: Deadline) -> None:
        with self._wake:
            self._live += 1
            if len(self._heap) > 2 * self._live + 1024:  # ended ones, dropped before they pile up
                self._heap = [entry for entry in self._heap if not entry[2].ended]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._heap[0][2] is deadline:  # sooner than what the thread waits for
                self._wake.notify()

    def ended(self) -> None:
        with self._wake:
            self._live -= 1

    def _run(self) -> None:
        while True:
            with self._wake:
                due = []
                while self._heap and (self._heap[0][2].ended or self._heap[0][0] <= time.monotonic()):
                    due.append(heapq.heappop(self._heap)[2])
                if not due:
                    self._wake.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
            for deadline in due:
                deadline._expire()


_the_watchdog: _Watchdog | None = None
_watchdog_lock = threading.Lock()


def _watchdog() -> _Watchdog:
    global _the_watchdog
    if _the_watchdog is None:
        with _watchdog_lock:
            if _the_watchdog is None:
                _the_watchdog = _Watchdog()
    return _the_watchdog


def _forget_watchdog() -> None:
    """In a forked child: the parent's watchdog thread did not come along (a new one starts at first use)."""
    global _the_watchdog, _watchdog_lock
    _the_watchdog, _watchdog_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_watchdog)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # closed meanwhile: nothing left to stop
        pass


def current_deadline() -> Deadline | None:
    return getattr(_current, "deadline", None)
