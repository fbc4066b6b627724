"""Replay: responses read back from WARC files instead of the network.

A replayed run is the offline, byte-for-byte repeatable twin of a live run:
the live crawler writes every response it keeps to WARC, and replay reads
those files (or anyone else's WARC files) by canonical URL.
"""

import zlib
from collections.abc import Iterable, Iterator
from typing import NamedTuple
from urllib.parse import urljoin

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from warcio.archiveiterator import ArchiveIterator

from webtext.crawl.charset import decode_html
from webtext.crawl.fetch import MAX_REDIRECTS, is_text_type, status_reason
from webtext.crawl.warc_out import ARCHIVE_URL_HEADER, SOURCE_HEADER, whole_members
from webtext.reasons import FETCH
from webtext.records import DamagedFileError, DamagedInput, Drop, FetchResult, Link

STAGE = FETCH
NOT_ARCHIVED = "not_archived"  # the one fetch drop that is no fetch at all (a gap in the WARCs)
WARC_RECORD_DAMAGED = "warc_record_damaged"


class ArchivedResponse(NamedTuple):
    target_uri: str
    status: int
    content_type: str
    body: bytes
    record_id: str
    warc_path: str
    location: str = ""  # the absolute redirect target of a 3xx response
    warc_date: str = ""  # when the response was captured
    source: str = "live"  # WebText-Source of a record our crawler wrote from an archive
    archive_url: str = ""
    problem: str = ""  # "damaged: ..." (its HTTP part unreadable) or "too_large: ...": replay drops it


def _tail_is_whole(raw, offset: int) -> bool:
    """Whether the file from `offset` (where a .warc.gz's last record read starts) to its end is whole
    gzip members: a member cut short there is a record the iterator never saw, not the end of the file."""
    raw.seek(offset)
    tail = raw.read()  # the last record read, and what follows it: one record's bytes
    return whole_members(tail) == len(tail)


def _ends_a_record(raw) -> bool:
    raw.seek(0, 2)
    if raw.tell() < 4:
        return False
    raw.seek(-4, 2)
    return raw.read(4) == b"\r\n\r\n"


def read_warc(path: str, max_body_bytes: int | None = None) -> Iterator[ArchivedResponse]:
    """Every HTTP response record of a WARC file (gzip per record, or plain); `read_warc_at` also says
    which stretches of it could not be read."""
    return (item for _, item in read_warc_at(path, max_body_bytes) if isinstance(item, ArchivedResponse))


def read_warc_at(
    path: str, max_body_bytes: int | None = None
) -> Iterator[tuple[int, ArchivedResponse | DamagedInput]]:
    """(the record's byte offset in the file, response) for every response record.

    One bad record costs that record, not the file: a record whose WARC headers are readable but whose
    HTTP part is not (a status line "HTTP/1.1 2OO OK") is a response with its `problem` said, which
    replay drops as warc_record_damaged; a stretch the reader cannot parse at all (garbage between
    records, a wrong Content-Length, a gzip member cut short inside the file) is skipped to the next
    record start, and comes out as a DamagedInput (where it began, why) once the file is read. A file
    that is no WARC, or that ends inside a record, raises DamagedFileError after everything read
    before that point: never taken silently as whole. Bodies past `max_body_bytes` are not read (the
    response's problem says too_large); with 0, no body is read."""
    raw = FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    skipped: list[tuple[int, str]] = []
    with raw:
        raw.seek(0, 2)
        size = raw.tell()
        responses, start, last, end = 0, 0, 0, 0  # where this pass began; the last record read; the next
        while True:
            try:
                raw.seek(start)
                records = ArchiveIterator(raw)
                for record in records:
                    response = _response(record, path, max_body_bytes)
                    _drain(record.raw_stream)
                    if getattr(record.raw_stream, "limit", 0) > 0:  # its declared length is not in the file
                        raise EOFError("a record's Content-Length runs past its end")
                    here = records.get_record_offset()  # from the file's start (warcio asks it where it is)
                    if not path.endswith(".gz") and not _wrapped(raw, here, record.length):
                        raise EOFError("a record's Content-Length does not end where the record does")
                    last, end = here, here + records.get_record_length()
                    if response is not None:
                        responses += 1
                        yield last, response
                _check_end(raw, path, last, end)
                break
            except Exception as error:  # whatever a damaged stretch makes warcio raise
                restart = _next_record_start(raw, path, end + 1, size) if end < size else None
                if restart is None:
                    for damaged in _skipped_inputs(path, skipped, responses):
                        yield damaged[1], damaged
                    raise DamagedFileError(path, end, f"{type(error).__name__}: {error}"[:200],
                                           responses) from error
                skipped.append((end, f"skipped to byte {restart}: {type(error).__name__}: {error}"[:200]))
                start = last = end = restart
    for damaged in _skipped_inputs(path, skipped, responses):
        yield damaged[1], damaged


def _check_end(raw, path: str, last: int, end: int) -> None:
    """EOFError when the file does not end where its last record (at `last`) does."""
    if not end:
        raise EOFError("no WARC record in the file")
    if path.endswith(".gz") and not _tail_is_whole(raw, last):
        raise EOFError("the file ends inside a record's gzip member")
    if not path.endswith(".gz") and not _ends_a_record(raw):
        raise EOFError("the file ends inside a record (a WARC record ends with two CRLFs)")


def _wrapped(raw, start: int, content_length: int) -> bool:
    """Whether the plain WARC record at `start` is one record: the two CRLFs that close a record where
    its Content-Length says its content ends (a length that runs into the next record has not them),
    and one version line in its header block."""
    position = raw.tell()
    raw.seek(start)
    head = raw.read(1 << 16)
    block = head.find(b"\r\n\r\n")
    raw.seek(start + block + 4 + content_length)
    closing = raw.read(4)
    raw.seek(position)
    # a header block with a second version line is a record cut short and the next one's headers after it
    return block >= 0 and closing == b"\r\n\r\n" and b"WARC/1." not in head[1:block]


def _skipped_inputs(path: str, skipped: list[tuple[int, str]], responses: int) -> list[DamagedInput]:
    return [DamagedInput(path, offset, error, responses) for offset, error in skipped[:MAX_SKIPPED_NAMED]]


MAX_SKIPPED_NAMED = 1000  # damaged stretches named per file; past that the file is a damaged input anyway
_SCAN_BLOCK = 1 << 20


def _next_record_start(raw, path: str, offset: int, size: int) -> int | None:
    """The byte offset of the next record start at or after `offset`: a gzip member whose text begins
    "WARC/" in a .warc.gz, a version line ("WARC/1.0" and CRLF) in a plain WARC; None when there is none."""
    gzipped = path.endswith(".gz")
    # a plain record's version line may follow a cut-off line directly, with no newline before it
    marker = b"\x1f\x8b\x08" if gzipped else b"WARC/1."
    position = offset
    while position < size:
        raw.seek(position)
        block = raw.read(_SCAN_BLOCK + 16)
        found = block.find(marker)
        while found != -1 and found < _SCAN_BLOCK:
            candidate = position + found
            if _starts_a_warc_member(raw, candidate) if gzipped else block[found + 8:found + 10] == b"\r\n":
                return candidate
            found = block.find(marker, found + 1)
        position += _SCAN_BLOCK
    return None


def _starts_a_warc_member(raw, offset: int) -> bool:
    raw.seek(offset)
    try:
        return zlib.decompressobj(wbits=31).decompress(raw.read(4096), 8).startswith(b"WARC/")
    except zlib.error:
        return False


def _drain(stream) -> None:
    """The rest of a record, read and let go a MiB at a time (the iterator would skip it anyway)."""
    while stream.read(_SCAN_BLOCK):
        pass


def response_at(path: str, offset: int, max_body_bytes: int | None = None) -> ArchivedResponse:
    """The response record that starts at `offset` of a WARC file (an offset `read_warc_at` gave)."""
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as raw:
        raw.seek(offset)
        response = _response(next(iter(ArchiveIterator(raw))), path, max_body_bytes)
    if response is None:
        raise ValueError(f"{path} at byte {offset}: not a response record")
    return response


FETCH_OUTCOMES = {"live": "live", "wayback": "archived_wayback", "commoncrawl": "archived_cc"}


def fetch_outcome(result: FetchResult) -> str:
    """How a page was kept, for the accounting's kept_by: live, archived_wayback or archived_cc when
    fetched in this run; replayed_live, replayed_archived_wayback or replayed_archived_cc when read
    back from a WARC file."""
    kind = FETCH_OUTCOMES.get(result.source, result.source)
    return f"replayed_{kind}" if result.origin.startswith("replay:") else kind


def warc_html(path: str) -> Iterator[tuple[str, str]]:
    """(target URI, decoded HTML) of every response in a WARC file, decoded as a fetch decodes it."""
    from webtext.crawl.charset import decode_html

    for response in read_warc(path):
        if not response.problem:
            yield response.target_uri, decode_html(response.body, response.content_type)[0]


def _response(record, path: str, max_body_bytes: int | None = None) -> ArchivedResponse | None:
    """The record as an ArchivedResponse, if it is an HTTP response; its `problem` said when its HTTP part
    cannot be read or its body is past `max_body_bytes` (0: the body is not read)."""
    if record.rec_type != "response":
        return None
    target = record.rec_headers.get_header("WARC-Target-URI") or ""
    record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
    warc_date = record.rec_headers.get_header("WARC-Date") or ""
    if record.http_headers is None:
        return None
    try:
        status = int(record.http_headers.get_statuscode() or 0)
        content_type = record.http_headers.get_header("Content-Type") or ""
        location = record.http_headers.get_header("Location") or ""
        body, problem = b"", ""
        if max_body_bytes != 0:
            stream = record.content_stream()
            body = stream.read(max_body_bytes + 1) if max_body_bytes else stream.read()
            if max_body_bytes and len(body) > max_body_bytes:
                body, problem = b"", f"too_large: past {max_body_bytes} bytes"
    except Exception as error:  # noqa: BLE001 (a bad status line, bad headers, a broken body encoding)
        return ArchivedResponse(target_uri=target, status=0, content_type="", body=b"", record_id=record_id,
                                warc_path=path, warc_date=warc_date,
                                problem=f"damaged: {type(error).__name__}: {error}"[:200])
    return ArchivedResponse(
        target_uri=target,
        status=status,
        content_type=content_type,
        body=body,
        record_id=record_id,
        warc_path=path,
        location=urljoin(target, location) if 300 <= status < 400 and location else "",
        warc_date=warc_date,
        source=record.rec_headers.get_header(SOURCE_HEADER) or "live",
        archive_url=record.rec_headers.get_header(ARCHIVE_URL_HEADER) or "",
        problem=problem,
    )


def resolve_redirects(url_key: str, redirects: dict[str, str]) -> str:
    """Follow archived redirects from a canonical URL to the key of the page they end at."""
    for _ in range(MAX_REDIRECTS):
        if url_key not in redirects:
            break
        url_key = redirects[url_key]
    return url_key


def response_to_result(link: Link, response: ArchivedResponse) -> FetchResult | Drop:
    """A kept fetch result, or a Drop saying why the response cannot be used."""
    if response.problem.startswith("too_large"):
        return Drop(STAGE, "too_large", link.url, f"{response.warc_path}: {response.problem}"[:200])
    if response.problem:
        return Drop(STAGE, WARC_RECORD_DAMAGED, link.url, f"{response.warc_path}: {response.problem}"[:200])
    if not 200 <= response.status < 300:
        return Drop(STAGE, status_reason(response.status), link.url, str(response.status))
    if response.content_type and not is_text_type(response.content_type):
        return Drop(STAGE, "content_type", link.url, response.content_type[:100])
    html, encoding = decode_html(response.body, response.content_type)
    return FetchResult(link=link, status=response.status, final_url=response.target_uri,
                       content_type=response.content_type, encoding=encoding, html=html,
                       origin=f"replay:{response.record_id}", fetched_at=response.warc_date,
                       source=response.source, archive_url=response.archive_url)


def match_replay(
    links: Iterable[Link], responses: Iterable[ArchivedResponse]
) -> Iterator[FetchResult | Drop]:
    """Join one canonical URL's links with its archived responses.

    Several captures of one URL: the smallest record id wins, so the choice
    does not depend on file or worker order. An archived URL that no link
    asks for is not an input of this stage and is ignored.
    """
    responses = sorted(responses, key=lambda r: (r.record_id, r.warc_path))
    for link in links:
        if not responses:
            yield Drop(STAGE, NOT_ARCHIVED, link.url)
        else:
            yield response_to_result(link, responses[0])
