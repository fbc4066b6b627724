"""Replay: responses read back from WARC files instead of the network.

A replayed run is the offline, byte-for-byte repeatable twin of a live run:
the live crawler writes every response it keeps to WARC, and replay reads
those files (or anyone else's WARC files) by canonical URL.
"""

from collections.abc import Iterable, Iterator
from typing import NamedTuple
from urllib.parse import urljoin

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from warcio.archiveiterator import ArchiveIterator

from webtext.crawl.charset import decode_html
from webtext.crawl.fetch import MAX_REDIRECTS, is_text_type, status_reason
from webtext.crawl.warc_out import ARCHIVE_URL_HEADER, SOURCE_HEADER, whole_members
from webtext.records import DamagedFileError, Drop, FetchResult, Link
from webtext.reasons import FETCH

STAGE = FETCH
NOT_ARCHIVED = "not_archived"  # the one fetch drop that is no fetch at all (a gap in the WARCs)


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


def read_warc(path: str) -> Iterator[ArchivedResponse]:
    """Every HTTP response record of a WARC file (gzip per record, or plain).

    A file that is no WARC, or that ends inside a record (cut short by a crash or a copy), raises
    DamagedFileError after the responses read before that point: never taken silently as whole."""
    return (response for _, response in read_warc_at(path))


def read_warc_at(path: str) -> Iterator[tuple[int, ArchivedResponse]]:
    """(the record's byte offset in the file, response) for every response, as `read_warc` reads them."""
    raw = FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    with raw:
        responses, last, end = 0, 0, 0  # the last whole record's offset; where the next record starts
        try:
            records = ArchiveIterator(raw)
            for record in records:
                response = _response(record, path)  # its content is read before anything else asks
                record.raw_stream.read()  # the rest of the record, which the iterator would skip anyway
                if getattr(record.raw_stream, "limit", 0) > 0:  # its declared length is not in the file
                    raise EOFError("the file ends inside a record")
                last = records.get_record_offset()
                end = last + records.get_record_length()
                if response is not None:
                    responses += 1
                    yield last, response
            if not end:
                raise EOFError("no WARC record in the file")
            if path.endswith(".gz") and not _tail_is_whole(raw, last):
                raise EOFError("the file ends inside a record's gzip member")
            if not path.endswith(".gz") and not _ends_a_record(raw):
                raise EOFError("the file ends inside a record (a WARC record ends with two CRLFs)")
        except Exception as error:  # whatever a damaged file makes warcio raise: a named damaged input
            raise DamagedFileError(path, end, f"{type(error).__name__}: {error}"[:200], responses) from error


def response_at(path: str, offset: int) -> ArchivedResponse:
    """The response record that starts at `offset` of a WARC file (an offset `read_warc_at` gave)."""
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as raw:
        raw.seek(offset)
        response = _response(next(iter(ArchiveIterator(raw))), path)
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
        yield response.target_uri, decode_html(response.body, response.content_type)[0]


def _response(record, path: str) -> ArchivedResponse | None:
    """The record as an ArchivedResponse, if it is an HTTP response."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    target = record.rec_headers.get_header("WARC-Target-URI") or ""
    status = int(record.http_headers.get_statuscode() or 0)
    location = record.http_headers.get_header("Location") or ""
    return ArchivedResponse(
        target_uri=target,
        status=status,
        content_type=record.http_headers.get_header("Content-Type") or "",
        body=record.content_stream().read(),
        record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
        warc_path=path,
        location=urljoin(target, location) if 300 <= status < 400 and location else "",
        warc_date=record.rec_headers.get_header("WARC-Date") or "",
        source=record.rec_headers.get_header(SOURCE_HEADER) or "live",
        archive_url=record.rec_headers.get_header(ARCHIVE_URL_HEADER) or "",
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
    if not 200 <= response.status < 300:
        return Drop(STAGE, status_reason(response.status), link.url, str(response.status))
    if response.content_type and not is_text_type(response.content_type):
        return Drop(STAGE, "content_type", link.url, response.content_type[:100])
    html, encoding = decode_html(response.body, response.content_type)
    return FetchResult(link=link, status=response.status, final_url=response.target_uri,
                       content_type=response.content_type, encoding=encoding, html=html,
                       origin=f"replay:{response.record_id}", fetched_at=response.warc_date,
                       source=response.source, archive_url=response.archive_url)


def match_replay(links: Iterable[Link], responses: Iterable[ArchivedResponse]) -> Iterator[FetchResult | Drop]:
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
