"""Write fetched responses to WARC files so a live run can be replayed offline."""

import io
import os
import threading
import uuid
import zlib
from http import HTTPStatus
from urllib.parse import urlsplit

from apache_beam.io.filesystems import FileSystems
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from webtext.atomic import write_atomically
from webtext.crawl.fetch import Fetched

SOURCE_HEADER = "WebText-Source"  # "wayback" or "commoncrawl" on an archived copy's record
ARCHIVE_URL_HEADER = "WebText-Archive-URL"


PARTIAL_PREFIX = ".partial-"  # a file still being written: `.partial-crawl-<id>.warc.gz`


class WarcBundleWriter:
    """Writes fetched pages to .warc.gz files of at most `pages_per_file`.

    A file appears under its final name only when complete (temporary name, then rename), so
    a retried bundle never leaves half a file behind. In a local directory every page is also
    written to the file's `.partial-` twin the moment it is added (one gzip member per record):
    a killed run loses at most the page being written, and `recover_partial_files` turns what a
    partial file holds into a complete file before the next run replays it. (On gs:// or s3://,
    which cannot append, a crash loses the pages of the file not yet written.)
    """

    def __init__(self, directory: str, pages_per_file: int = 50):
        self._directory = directory
        self._pages_per_file = pages_per_file
        self._lock = threading.Lock()
        self._local = "://" not in directory
        self._partial = None
        self._new_buffer()

    def _new_buffer(self) -> None:
        self._buffer = io.BytesIO()
        self._count = 0
        self._name = f"crawl-{uuid.uuid4().hex}.warc.gz"

    def add(self, fetched: Fetched) -> tuple[str, str]:
        """Append the redirect hops and the final response; return the final record's (WARC-Record-ID,
        WARC-Date).

        The hops are kept, in the same file, so that replay follows the same redirects offline.
        The records are made and compressed, and a full file written (and fsynced), outside the lock the
        fetch threads share: only the appending is under it. (All under it, a host's next request
        waited for every other host's gzip and for each file's fsync: 8 ms a page on average, measured
        with 20 hosts a worker.)
        """
        records = io.BytesIO()
        writer = WARCWriter(records, gzip=True)  # a gzip member a record, so files join by appending
        for hop in fetched.redirects:
            self._add_record(writer, hop)
        ids = self._add_record(writer, fetched)
        data = records.getvalue()
        with self._lock:  # a page's records stay together
            self._buffer.write(data)
            self._count += 1
            self._journal(data)
            full = self._detach() if self._count >= self._pages_per_file else None
        if full is not None:
            self._write(*full)
        return ids

    def _journal(self, data: bytes) -> None:
        """The page's records, appended to the partial file and handed to the OS at once."""
        if not self._local:
            return
        if self._partial is None:
            os.makedirs(self._directory, exist_ok=True)
            self._partial = open(os.path.join(self._directory, PARTIAL_PREFIX + self._name), "ab")
        self._partial.write(data)
        self._partial.flush()

    def _detach(self) -> tuple[str, bytes, object] | None:
        """The file being filled (its name, bytes and partial twin), taken out for writing; new pages go
        to a new one."""
        if not self._count:
            return None
        full = (self._name, self._buffer.getvalue(), self._partial)
        self._partial = None
        self._new_buffer()
        return full

    def _write(self, name: str, data: bytes, partial) -> str:
        final = FileSystems.join(self._directory, name)
        write_atomically(final, data)
        if partial is not None:  # only now: the complete file holds every page it had
            partial.close()
            os.remove(partial.name)
        return final

    @staticmethod
    def _add_record(writer: WARCWriter, fetched: Fetched) -> tuple[str, str]:
        """A request record (what was sent) and the response record it got, concurrent-to each other.

        An archived copy is one response record under the page's original URL, dated when the
        archive captured it, with where it came from in WebText-Source / WebText-Archive-URL:
        replay then gives the same document with the same provenance.
        """
        reason = (
            HTTPStatus(fetched.status).phrase
            if fetched.status in HTTPStatus._value2member_map_
            else "Unknown"
        )
        http_headers = StatusAndHeaders(
            f"{fetched.status} {reason}", fetched.headers, protocol=fetched.protocol
        )
        archived = {}
        if fetched.source != "live":
            archived = {"WARC-Date": fetched.captured_at, SOURCE_HEADER: fetched.source,
                        ARCHIVE_URL_HEADER: fetched.archive_url}
        response = writer.create_warc_record(fetched.url, "response", payload=io.BytesIO(fetched.body),
                                             http_headers=http_headers, warc_headers_dict=archived)
        if archived:
            writer.write_record(response)
            return response.rec_headers.get_header("WARC-Record-ID"), response.rec_headers.get_header(
                "WARC-Date"
            )
        parts = urlsplit(fetched.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = StatusAndHeaders(f"GET {target} {fetched.protocol}", list(fetched.request_headers),
                                           is_http_request=True)
        request = writer.create_warc_record(fetched.url, "request", http_headers=request_headers)
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        writer.write_record(request)
        writer.write_record(response)
        return response.rec_headers.get_header("WARC-Record-ID"), response.rec_headers.get_header("WARC-Date")

    def close(self) -> str | None:
        """Write what is left; return the file's path (None when there was nothing). Every `add` must
        have returned (the files it filled are written by then)."""
        with self._lock:
            full = self._detach()
        return self._write(*full) if full is not None else None


def whole_members(data: bytes) -> int:
    """How many leading bytes of `data` are whole gzip members (a partial file's complete records)."""
    end, view = 0, memoryview(data)
    while end < len(data):
        member = zlib.decompressobj(wbits=31)
        try:
            member.decompress(view[end:])
        except zlib.error:
            break
        if not member.eof:
            break
        end = len(data) - len(member.unused_data)
    return end


def recover_partial_files(directory: str) -> list[str]:
    """Before a run: each `.partial-` file a killed run left becomes a complete file of its whole
    records (the last, cut-off record dropped), under its final name; returns those files."""
    if "://" in directory or not os.path.isdir(directory):
        return []
    recovered = []
    for name in sorted(os.listdir(directory)):
        if not name.startswith(PARTIAL_PREFIX):
            continue
        path = os.path.join(directory, name)
        with open(path, "rb") as stream:
            data = stream.read()
        keep = whole_members(data)
        if keep:
            final = os.path.join(directory, name.removeprefix(PARTIAL_PREFIX))
            write_atomically(final, data[:keep])
            recovered.append(final)
        os.remove(path)
    return recovered
