"""Archived copies of a page as of when it was posted: the Wayback Machine and Common Crawl.

Each configured archive is asked, through its CDX index, for captures of the URL
within `archive_window_days` of the link's first Reddit submission; the usable
capture (HTTP 200, a text type) closest to that moment wins, ties going to the
earlier capture and then to the archive listed first. Wayback serves a capture raw
with the `id_` flag (the page's own bytes: no banner, no rewritten links); Common
Crawl by a ranged read of the WARC record its index points to.

Every request goes through the crawler's session, so archive answers get the same
address checks, timeouts, byte caps and retries as live pages, and through one
rate limit per archive host shared by the worker's threads.

Why not cdx_toolkit: it makes its own HTTP requests, outside the session that
enforces those checks, and has no rate limit shared between threads.
"""

import io
import json
import re
import threading
import time
import zlib
from datetime import date, datetime, timezone
from typing import NamedTuple
from urllib.parse import urlencode

from warcio.archiveiterator import ArchiveIterator

from webtext.crawl.fetch import (
    Fetched,
    FetchFailure,
    content_type_of,
    fetch_configured,
    is_text_type,
    status_reason,
)
from webtext.crawl.ratelimit import RateLimiter
from webtext.crawl.settings import FetchSettings
from webtext.records import Link
from webtext.urls import host_of

INDEX_LIMIT = 1000  # captures read per index query; Wayback's are collapsed to one a day
DAY_S = 86400


class Capture(NamedTuple):
    archive: str  # "wayback" or "commoncrawl"
    timestamp: str  # 14 digits, UTC, as the CDX index writes it
    original: str
    mime: str
    status: str
    filename: str = ""  # Common Crawl: the WARC file, and where in it the record is
    offset: int = 0
    length: int = 0


def cdx_timestamp(utc: int) -> str:
    return datetime.fromtimestamp(utc, timezone.utc).strftime("%Y%m%d%H%M%S")


def timestamp_utc(timestamp: str) -> int:
    """A CDX timestamp (4 to 14 digits; a short one means the start of that year, month, ...) in Unix time."""
    padded = timestamp[:14] + "0101000000"[min(10, max(0, len(timestamp) - 4)):]
    return int(datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc).timestamp())


def iso_utc(utc: int) -> str:
    return datetime.fromtimestamp(utc, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def post_time(link: Link, undated_as_of: int | None) -> int:
    """When the page should be seen as of: its first submission, else (a URL list) `undated_as_of` (the
    link rules' cut-off), else now."""
    return link.first_seen_utc or undated_as_of or int(time.time())


def valid_timestamp(timestamp: str) -> bool:
    try:
        return timestamp.isdigit() and 4 <= len(timestamp) <= 14 and timestamp_utc(timestamp) >= 0
    except ValueError:  # 20171399..., month 13
        return False


def usable(capture: Capture) -> bool:
    """An HTTP 200 text capture with a real date (and, for Common Crawl, a real place in its file):
    index rows from a strange or broken server that are not are passed over, not trusted."""
    if capture.archive == "commoncrawl" and (
        capture.offset < 0 or capture.length <= 0 or not capture.filename
    ):
        return False
    return capture.status == "200" and is_text_type(capture.mime) and valid_timestamp(capture.timestamp)


def closest_first(captures: list[Capture], when: int, archives: tuple[str, ...]) -> list[Capture]:
    """Usable captures, nearest to `when` first; ties: the earlier one, then the archive listed first."""
    order = {name: i for i, name in enumerate(archives)}
    return sorted(
        (c for c in captures if usable(c)),
        key=lambda c: (abs(timestamp_utc(c.timestamp) - when), c.timestamp, order.get(c.archive, 99)),
    )


def _unreadable(archive: str, detail: str) -> FetchFailure:
    return FetchFailure("archive_error", f"{archive} index: {detail}"[:300])


WAYBACK_FIELDS = (("timestamp", "timestamp"), ("original", "original"), ("mime", "mimetype"),
                  ("status", "statuscode"))  # Capture field, CDX field


def parse_wayback_index(body: bytes) -> list[Capture]:
    """Wayback CDX `output=json`: a header row naming the fields, then one row per capture ([] for none)."""
    try:
        rows = json.loads(body or b"[]")
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ValueError("not a list of rows")
        if not rows:
            return []
        columns = {name: rows[0].index(field) for name, field in WAYBACK_FIELDS}
        return [Capture("wayback", **{name: str(row[i]) for name, i in columns.items()}) for row in rows[1:]]
    except (ValueError, IndexError) as error:
        raise _unreadable("wayback", f"unreadable answer ({error})") from error


def parse_cc_index(body: bytes) -> list[Capture]:
    """Common Crawl's index (pywb) `output=json`: one JSON object per line."""
    captures = []
    try:
        for line in body.splitlines():
            if line.strip():
                row = json.loads(line)
                captures.append(
                    Capture(
                        "commoncrawl",
                        str(row["timestamp"]),
                        str(row["url"]),
                        str(row.get("mime", "")),
                        str(row.get("status", "")),
                        str(row["filename"]),
                        int(row["offset"]),
                        int(row["length"]),
                    )
                )
    except (ValueError, TypeError, KeyError) as error:
        raise _unreadable("commoncrawl", f"unreadable answer ({error})") from error
    return captures


def crawl_start_utc(collection_id: str) -> int | None:
    """When a Common Crawl crawl ran, from its id: CC-MAIN-2017-51 is ISO week 51 of 2017."""
    if match := re.fullmatch(r"CC-MAIN-(\d{4})-(\d{2})", collection_id):
        try:
            day = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            return None
        return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
    if match := re.match(r"CC-MAIN-(\d{4})", collection_id):
        return int(datetime(int(match[1]), 1, 1, tzinfo=timezone.utc).timestamp())
    return None


def collections_near(collinfo: list[dict], when: int, window_days: int, most: int) -> list[tuple[str, str]]:
    """(crawl id, its CDX API URL) of the crawls nearest `when`, at most `most`, within the window
    (widened by a month: a crawl's captures spread over the weeks after its start)."""
    near = []
    for entry in collinfo:
        start = crawl_start_utc(str(entry.get("id", "")))
        if start is not None and abs(start - when) <= (window_days + 31) * DAY_S and entry.get("cdx-api"):
            near.append((abs(start - when), entry["id"], entry["cdx-api"]))
    return [(crawl, api) for _, crawl, api in sorted(near)[:most]]


def read_cc_record(data: bytes, max_bytes: int) -> tuple[int, list[tuple[str, str]], bytes]:
    """(HTTP status, headers, body) of the gzipped WARC record a ranged read returned.

    Both the record and its HTTP body are inflated under `max_bytes`: a record that
    decompresses without end is too_large, like a live compression bomb.
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(data, max_bytes + 65536)
    except zlib.error as error:
        raise FetchFailure("archive_error", f"commoncrawl record: not gzip ({error})") from error
    if inflater.unconsumed_tail:
        raise FetchFailure("too_large", f"commoncrawl record inflates past {max_bytes} bytes")
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(raw))))
    except StopIteration:
        raise FetchFailure("archive_error", "commoncrawl record: no WARC record") from None
    except Exception as error:  # warcio raises bare ArchiveLoadFailed and friends on a broken record
        raise FetchFailure("archive_error", f"commoncrawl record: {error}"[:300]) from error
    if record.rec_type != "response" or record.http_headers is None:
        raise FetchFailure("archive_error", f"commoncrawl record is a {record.rec_type}, not a response")
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        raise FetchFailure("too_large", f"> {max_bytes} bytes")
    return int(record.http_headers.get_statuscode() or 0), list(record.http_headers.headers), body


class ArchiveClient:
    """Finds and downloads the archived copy of a link closest to its post date, as a `Fetched`.

    One per worker, shared by its fetch threads (the rate limiter and the list of
    Common Crawl crawls are shared; the session is thread-safe for requests).
    """

    def __init__(self, session, config: FetchSettings, sleep=time.sleep, undated_as_of: int | None = None):
        self._session, self._config, self._sleep = session, config, sleep
        self._undated_as_of = undated_as_of
        self._limiter = RateLimiter(config.archive_requests_per_s, sleep=sleep)
        self._collinfo: list[dict] | None = None
        self._collinfo_lock = threading.Lock()

    def _get(self, url: str, *, text_only: bool = False, **fetch_options) -> Fetched:
        """One request under the archive's rate limit; `fetch_options` as fetch_configured takes them."""
        self._limiter.wait(host_of(url))
        return fetch_configured(self._session, url, self._config, sleep=self._sleep, text_only=text_only,
                                **fetch_options)

    def _index(self, archive: str, url: str) -> bytes:
        """An index answer; a failure to get one is `archive_error` (the archive, not the page, failed)."""
        try:
            return self._get(url).body
        except FetchFailure as failure:
            if failure.reason == "http_4xx" and failure.detail == "404" and archive == "commoncrawl":
                return b""  # pywb answers "No Captures found" with a 404
            raise FetchFailure("archive_error", f"{archive} index: {failure.reason} {failure.detail}"[:300]) \
                from failure

    def _window(self, when: int) -> dict[str, str]:
        """The CDX `from`/`to` parameters: `archive_window_days` either side of `when`."""
        window = self._config.archive_window_days * DAY_S
        return {"from": cdx_timestamp(max(0, when - window)), "to": cdx_timestamp(when + window)}

    def wayback_captures(self, url: str, when: int) -> list[Capture]:
        query = urlencode({"url": url, "output": "json", "fl": "timestamp,original,mimetype,statuscode",
                           "filter": "statuscode:200", "collapse": "timestamp:8", "limit": INDEX_LIMIT,
                           **self._window(when)})
        return parse_wayback_index(
            self._index("wayback", f"{self._config.wayback_url}/cdx/search/cdx?{query}")
        )

    def _crawls(self, when: int) -> list[tuple[str, str]]:
        config = self._config
        if config.cc_collections:
            return [(crawl, f"{config.cc_index_url}/{crawl}-index") for crawl in config.cc_collections]
        with self._collinfo_lock:  # read once per worker
            if self._collinfo is None:
                try:
                    collinfo = json.loads(self._index("commoncrawl", f"{config.cc_index_url}/collinfo.json"))
                except ValueError as error:
                    raise _unreadable("commoncrawl", f"collinfo.json ({error})") from error
                self._collinfo = [entry for entry in collinfo if isinstance(entry, dict)] \
                    if isinstance(collinfo, list) else []
        return collections_near(self._collinfo, when, config.archive_window_days, config.cc_max_collections)

    def commoncrawl_captures(self, url: str, when: int) -> list[Capture]:
        query = urlencode({"url": url, "output": "json", "limit": INDEX_LIMIT, **self._window(when)})
        captures, errors = [], []
        for _, api in self._crawls(when):  # one crawl's index failing does not lose the others' captures
            try:
                captures += parse_cc_index(self._index("commoncrawl", f"{api}?{query}"))
            except FetchFailure as failure:
                errors.append(failure)
        if errors and not captures:
            raise errors[0]
        return captures

    def download(self, capture: Capture, link: Link) -> Fetched:
        """The capture's bytes as a Fetched under the link's URL (so replay finds it), with provenance."""
        config = self._config
        if capture.archive == "wayback":
            archive_url = f"{config.wayback_url}/web/{capture.timestamp}id_/{capture.original}"
            fetched = self._get(archive_url, text_only=True)
            # Wayback may answer from a neighbouring capture: the final URL says which.
            served = re.search(r"/web/(\d{14})id_/", fetched.url)
            timestamp = served[1] if served and valid_timestamp(served[1]) else capture.timestamp
            return fetched._replace(
                url=link.fetch_url,
                redirects=(),
                source="wayback",
                archive_url=fetched.url,
                captured_at=iso_utc(timestamp_utc(timestamp)),
            )
        if capture.length > config.max_body_bytes:
            raise FetchFailure("too_large", f"commoncrawl record of {capture.length} bytes")
        data_url = f"{config.cc_data_url}/{capture.filename.lstrip('/')}"
        end = capture.offset + capture.length - 1
        try:
            fetched = self._get(
                data_url, max_bytes=capture.length, headers={"Range": f"bytes={capture.offset}-{end}"}
            )
        except FetchFailure as failure:
            if failure.reason == "too_large":  # the whole file, not the asked-for range
                raise FetchFailure(
                    "archive_error", "commoncrawl data server did not honour the range"
                ) from failure
            raise
        if fetched.status != 206 or len(fetched.body) != capture.length:
            raise FetchFailure("archive_error", f"commoncrawl range read answered {fetched.status} with "
                                                f"{len(fetched.body)} of {capture.length} bytes")
        status, headers, body = read_cc_record(fetched.body, config.max_body_bytes)
        if not 200 <= status < 300:
            raise FetchFailure(status_reason(status), f"commoncrawl capture {status}")
        content_type = content_type_of(headers)
        if not is_text_type(content_type):
            raise FetchFailure("content_type", content_type[:100])
        return Fetched(
            link.fetch_url,
            status,
            headers,
            body,
            "HTTP/1.1",
            (),
            fetched.request_headers,
            source="commoncrawl",
            archive_url=f"{data_url}#offset={capture.offset}&length={capture.length}",
            captured_at=iso_utc(timestamp_utc(capture.timestamp)),
        )

    def fetch(self, link: Link) -> Fetched:
        """The closest usable capture, trying up to `archive_tries` of them; FetchFailure when none works:
        `no_capture` (no archive holds one in the window), `archive_error`, or a safety reason."""
        config, when = self._config, post_time(link, self._undated_as_of)
        captures, errors = [], []
        for archive in config.archives:
            try:
                found = self.wayback_captures if archive == "wayback" else self.commoncrawl_captures
                captures += found(link.fetch_url, when)
            except FetchFailure as failure:
                errors.append(failure)
        ordered = closest_first(captures, when, config.archives)
        if not ordered:
            if errors:
                raise errors[0]
            raise FetchFailure("no_capture", f"{len(captures)} captures, none usable within "
                                             f"{config.archive_window_days} days of {iso_utc(when)}")
        failure = None
        for capture in ordered[:config.archive_tries]:
            try:
                return self.download(capture, link)
            except FetchFailure as error:
                failure = error
        raise failure
