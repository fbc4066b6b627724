"""Whether Ctrl-C was pressed, and whether the corpus a run made has replaced the previous one yet: what a
Ctrl-C then means.

Until then, an interrupted run leaves the previous corpus as it was. From then on, the new corpus is
whole and in place, and an interrupt can only stop what follows it (the report, the summary). The swap
between the two is a few renames: a Ctrl-C during it is held until it is done (`deferred`).
"""

import signal
import threading
from contextlib import contextmanager

_in_place = threading.Event()
_out: list[str | None] = [None]
_seen = threading.Event()


def on_sigint(signum, frame):
    """The command's SIGINT handler (entry.py): remembered, then raised as KeyboardInterrupt."""
    _seen.set()
    raise KeyboardInterrupt


def interrupted() -> bool:
    """Whether Ctrl-C was pressed: Beam re-raises a KeyboardInterrupt inside a stage as a RuntimeError."""
    return _seen.is_set()


def started(out: str | None = None) -> None:
    """A corpus run into `out` begins: nothing of it is in place."""
    _in_place.clear()
    _out[0] = out


def corpus_in_place() -> None:
    _in_place.set()


def is_corpus_in_place() -> bool:
    return _in_place.is_set()


def out_dir() -> str | None:
    """The --out of the corpus run under way, if one is, for the interrupt's message."""
    return _out[0]


@contextmanager
def deferred():
    """SIGINT within is held, and delivered to the handler that was in place once the block is done (in
    the main thread; elsewhere signals cannot be handled, and the block runs as it is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = []
    handler = signal.signal(signal.SIGINT, lambda signum, frame: held.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        if held:
            if callable(handler):
                handler(signal.SIGINT, held[0])
            elif handler == signal.SIG_DFL:
                raise KeyboardInterrupt
