"""Whether the corpus a run made has replaced the previous one yet: what a Ctrl-C then means.

Until then, an interrupted run leaves the previous corpus as it was. From then on, the new corpus is
whole and in place, and an interrupt can only stop what follows it (the report, the summary).
"""

import threading

_in_place = threading.Event()


def started() -> None:
    """A corpus run begins: nothing of it is in place."""
    _in_place.clear()


def corpus_in_place() -> None:
    _in_place.set()


def is_corpus_in_place() -> bool:
    return _in_place.is_set()
