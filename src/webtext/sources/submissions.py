"""Parse one dump line into a `Submission`, or say exactly why not.

Dumps contain every kind of damage: truncated JSON, invalid UTF-8, Latin-1
lines, NUL padding, BOMs, duplicate keys, strings where numbers belong. Benign
framing (CRLF, a BOM, leading NULs) is repaired; anything that changes what a
record means is dropped with a reason code.
"""

import json

from webtext.reasons import READ
from webtext.records import Drop, Submission

STAGE = READ


class _DuplicateKey(ValueError):
    pass


def _object_without_duplicate_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


# Reddit began in June 2005; a time before 2005 or from 2100 on is a damaged or made-up record, not a date.
FIRST_PLAUSIBLE_UTC, LAST_PLAUSIBLE_UTC = 1_104_537_600, 4_102_444_800  # 2005-01-01, 2100-01-01 (UTC)
MAX_SCORE = 10**12  # past any real score, and well inside the int64 every later stage stores karma in


def _as_int(value) -> int | None:
    """An integer from an int, an integral float or a decimal string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def _valid_text(value) -> bool:
    """A str that encodes to UTF-8 (no lone surrogates from `\\ud83d` escapes)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _decode(raw: bytes, source: str) -> dict | Drop:
    line = raw.rstrip(b"\r").lstrip(b"\x00")
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if not line.strip():
        return Drop(STAGE, "empty_line", source)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return Drop(STAGE, "invalid_utf8", source, str(error)[:200])
    try:
        obj = json.loads(text, object_pairs_hook=_object_without_duplicate_keys)
    except _DuplicateKey as error:
        return Drop(STAGE, "duplicate_key", source, f"key {error}")
    except RecursionError:  # nested past the interpreter's stack: no submission is shaped so
        return Drop(STAGE, "malformed_json", source, "nested too deeply")
    except ValueError as error:  # JSONDecodeError, and a number past int's digit limit (4,300)
        return Drop(STAGE, "malformed_json", source, str(error)[:200])
    if not isinstance(obj, dict):
        return Drop(STAGE, "not_an_object", source, type(obj).__name__)
    return obj


def parse_submission(raw: bytes, source: str) -> Submission | Drop:
    """A `Submission` from one raw dump line; `source` is "<file>:<line>"."""
    obj = _decode(raw, source)
    if isinstance(obj, Drop):
        return obj
    sub_id = obj.get("id")
    if not _valid_text(sub_id) or not sub_id:
        return Drop(STAGE, "missing_id", source)
    is_self = obj.get("is_self") is True
    url = obj.get("url")
    if url is None and not is_self:
        return Drop(STAGE, "missing_url", source, sub_id)
    if url is not None and not _valid_text(url):
        return Drop(STAGE, "invalid_url_text", source, sub_id)
    if obj.get("score") is None:
        return Drop(STAGE, "missing_score", source, sub_id)
    score = _as_int(obj["score"])
    if score is None or abs(score) > MAX_SCORE:
        return Drop(STAGE, "bad_score", source, f"{sub_id}: {obj['score']!r}"[:200])
    if obj.get("created_utc") is None:
        return Drop(STAGE, "missing_created_utc", source, sub_id)
    created = _as_int(obj["created_utc"])
    if created is None:
        return Drop(STAGE, "bad_created_utc", source, f"{sub_id}: {obj['created_utc']!r}"[:200])
    if not FIRST_PLAUSIBLE_UTC <= created < LAST_PLAUSIBLE_UTC:
        return Drop(STAGE, "created_utc_out_of_range", source, f"{sub_id}: {created}"[:200])
    subreddit = obj.get("subreddit")
    # Eras differ: removal is `removed_by_category` (2019+), `removed`/`banned_by` (API), or a
    # "[deleted]" author (all eras). One flag here; the link rules decide what it means.
    removed = (obj.get("removed_by_category") is not None or obj.get("author") == "[deleted]"
               or obj.get("removed") is True or bool(obj.get("banned_by")))
    return Submission(
        id=sub_id,
        url=url,
        score=score,
        created_utc=created,
        subreddit=subreddit if _valid_text(subreddit) else "",
        is_self=is_self,
        over_18=obj.get("over_18") is True,
        source=source,
        removed=removed,
    )


def parse_url_line(raw: bytes, source: str) -> Submission | Drop:
    """A line of a plain URL list, as a submission with no Reddit metadata.

    URL lists carry no karma or date: they are the user's own selection, so
    the link rules exempt submissions whose source starts with "urls:" from
    the karma and cut-off rules instead of inventing a score.
    """
    line = raw.rstrip(b"\r").strip()
    if not line or line.startswith(b"#"):
        return Drop(STAGE, "empty_line", source)
    try:
        url = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return Drop(STAGE, "invalid_utf8", source, str(error)[:200])
    return Submission(id=f"url:{source}", url=url, score=0, created_utc=0, subreddit="",
                      is_self=False, over_18=False, source=f"urls:{source}")
