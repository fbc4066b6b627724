"""One deadline per fetch attempt, over everything the attempt waits for.

Socket timeouts bound each wait, not their sum: a server that sends one header byte every
2 s never trips a 10 s read timeout. Here an attempt's deadline is known to the thread that
makes it; the connection (safety.py) connects to each resolved address with only what is left
of it, and hands its socket over to be watched: when the deadline passes, a timer shuts the
socket down, which ends whatever read is blocked on it (status line, headers or body).
"""

import socket
import threading
import time

_current = threading.local()


class Deadline:
    """`with Deadline(at):` makes `at` (time.monotonic()) this thread's deadline for the sockets it opens."""

    def __init__(self, at: float):
        self.at = at
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, at - time.monotonic()), self._expire)
        self._timer.daemon = True

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
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self):
        # Nested (robots.txt read for a redirect hop, within the page's attempt): the inner one rules
        # until it ends, then the outer one again.
        self._outer = current_deadline()
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        _current.deadline = self._outer
        return False


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # closed meanwhile: nothing left to stop
        pass


def current_deadline() -> Deadline | None:
    return getattr(_current, "deadline", None)
