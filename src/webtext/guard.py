"""One record never ends a run: an exception while a stage handles it becomes a drop with a reason.

Pure (no Beam): the stages' own functions use it where they handle records one by one inside a
batch, and `stagekit.classify` around every per-record function.
"""

import logging
from collections.abc import Callable
from typing import Any

from webtext.reasons import error_reason
from webtext.records import Drop

logger = logging.getLogger(__name__)


def item_name(element) -> str:
    """What a drop's `item` says of a record: its URL, doc id or id, or the key of a keyed record."""
    for attribute in ("url", "doc_id", "id"):
        value = getattr(element, attribute, None)
        if isinstance(value, str):
            return value
    if isinstance(element, str):  # a key: a URL or doc id itself (repr would quote it)
        return element[:200]
    if isinstance(element, tuple) and element:
        return item_name(element[0])
    return repr(element)[:200]


def stage_errors(stages: dict) -> dict[str, tuple[int, int]]:
    """(error drops, records in) of each stage, in a manifest's `stages`, that had any."""
    errors = {}
    for stage, entry in stages.items():
        if n := entry["dropped"].get(error_reason(stage), 0):
            errors[stage] = (n, entry["in"])
    return errors


def error_drop(stage: str, item: str, error: Exception) -> Drop:
    logger.debug("%s: %s raised on %s", stage, type(error).__name__, item, exc_info=error)
    return Drop(stage, error_reason(stage), item, f"{type(error).__name__}: {error}"[:300])


def guarded(stage: str, fn: Callable[[Any], Any], element, many: bool = False,
            members: Callable[[Any], list[str]] | None = None) -> list:
    """`fn(element)`'s outcomes as a list; an exception becomes error drops instead of failing the run:
    one for the element, or one per name `members(element)` gives (a group of records counts each)."""
    try:
        outcome = fn(element)
        return list(outcome) if many else [outcome]
    except Exception as error:  # one record must never end a run; error_reason counts it apart
        names = members(element) if members is not None else [item_name(element)]
        return [error_drop(stage, name, error) for name in names]
