"""The typed values that flow between stages.

submission -> link -> fetch result -> document -> tokenized document, plus the
`Drop` every stage emits for an input it does not keep. NamedTuples pickle
small and compare by value, which Beam's tests and coders both like.
"""

import json
from typing import NamedTuple


class Submission(NamedTuple):
    """One Reddit submission, as read from a dump, praw or a URL list."""

    id: str
    url: str | None
    score: int
    created_utc: int
    subreddit: str
    is_self: bool
    over_18: bool
    source: str  # where it came from: "<file>:<line>", "praw:<listing>", "urls:<file>:<line>"
    removed: bool = False  # removed by moderators or deleted by its author (a policy flag)


class Link(NamedTuple):
    """A unique canonical URL with the karma and provenance of every submission of it."""

    url: str  # canonical URL: the key the pipeline deduplicates links on
    fetch_url: str  # the spelling to fetch: earliest submission's URL, cleaned
    karma: int  # highest (or, by policy, summed) score among its counted submissions
    submission_ids: tuple[str, ...]  # sorted
    scores: tuple[int, ...]  # aligned with submission_ids
    subreddits: tuple[str, ...]  # sorted, unique
    first_seen_utc: int  # earliest counted submission


class FetchResult(NamedTuple):
    """The HTTP response for one link, from the network or replayed from a WARC file."""

    link: Link
    status: int
    final_url: str
    content_type: str
    encoding: str  # the charset the body was decoded with
    html: str
    origin: str  # "live:<WARC record id>" or "replay:<WARC record id>"
    fetched_at: str = ""  # the response's WARC-Date (ISO 8601): when its bytes were captured
    source: str = "live"  # where the bytes came from: "live", "wayback" or "commoncrawl"
    archive_url: str = ""  # the archive's URL for those bytes (an archived copy only)


class Document(NamedTuple):
    """Extracted main text of one page, with its provenance."""

    doc_id: str
    url: str
    final_url: str
    domain: str
    title: str
    text: str
    karma: int
    submission_ids: tuple[str, ...]
    subreddits: tuple[str, ...]
    first_seen_utc: int
    language: str
    published: str = ""  # the page's own publication date, as trafilatura finds it
    sitename: str = ""
    fetched_at: str = ""
    scores: tuple[int, ...] = ()  # aligned with submission_ids
    page_canonical: str = ""  # the page's own <link rel="canonical"> (or og:url), as declared
    source: str = "live"  # FetchResult.source: "live", "wayback" or "commoncrawl"
    archive_url: str = ""


class Drop(NamedTuple):
    """An input a stage did not keep, and why. `item` names it (a URL, a doc id, a file:line)."""

    stage: str
    reason: str
    item: str
    detail: str = ""
    text: str = ""  # the dropped document's text: filter and dedup drops, with --keep_dropped_text


def with_text(outcome, doc: Document):
    """A drop of `doc` carrying the document's text (--keep_dropped_text); anything else as it is."""
    return outcome._replace(text=doc.text) if isinstance(outcome, Drop) else outcome


class DamagedInput(NamedTuple):
    """An input file that could not be read to its end: where reading stopped, and what it had given."""

    path: str
    offset: int  # bytes of the file read when it failed (-1: unknown)
    error: str
    records: int  # lines (a dump) or response records (a WARC) read before that


class DamagedFileError(Exception):
    """An input file (a dump, a WARC) that stopped being readable part-way: where and why."""

    def __init__(self, path: str, offset: int, error: str, records: int = 0):
        super().__init__(f"{path}: unreadable at byte {offset}: {error}")
        self.damaged = DamagedInput(path, offset, error, records)


def as_json(record: NamedTuple) -> str:
    """A record as one JSON line's text (links/ and rejects/): keys sorted, so reruns give the same bytes.
    A drop without text has no "text" key: rejects/ is as it was unless --keep_dropped_text asked."""
    fields = record._asdict()
    if isinstance(record, Drop) and not record.text:
        del fields["text"]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False)
