"""Write fetched responses to WARC files so a live run can be replayed offline."""

import io
import threading
import uuid
from http import HTTPStatus
from urllib.parse import urlsplit

from apache_beam.io.filesystems import FileSystems
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from webtext.atomic import write_atomically
from webtext.crawl.fetch import Fetched

SOURCE_HEADER = "WebText-Source"  # "wayback" or "commoncrawl" on an archived copy's record
ARCHIVE_URL_HEADER = "WebText-Archive-URL"


class WarcBundleWriter:
    """Collects fetched pages in memory and writes them as .warc.gz files of at most `pages_per_file`.

    A file appears under its final name only when complete (temporary name, then
    rename), so a crash or a retried bundle never leaves half a file behind, and
    a crash loses at most one unwritten file's pages: a rerun replays the rest.
    """

    def __init__(self, directory: str, pages_per_file: int = 50):
        self._directory = directory
        self._pages_per_file = pages_per_file
        self._lock = threading.Lock()
        self._new_buffer()

    def _new_buffer(self) -> None:
        self._buffer = io.BytesIO()
        self._writer = WARCWriter(self._buffer, gzip=True)
        self._count = 0

    def add(self, fetched: Fetched) -> tuple[str, str]:
        """Append the redirect hops and the final response; return the final record's (WARC-Record-ID, WARC-Date).

        The hops are kept, in the same file, so that replay follows the same redirects offline.
        """
        with self._lock:  # fetch threads share one writer; a page's records stay together
            for hop in fetched.redirects:
                self._add_record(hop)
            ids = self._add_record(fetched)
            self._count += 1
            if self._count >= self._pages_per_file:
                self._flush()
        return ids

    def _add_record(self, fetched: Fetched) -> tuple[str, str]:
        """A request record (what was sent) and the response record it got, concurrent-to each other.

        An archived copy is one response record under the page's original URL, dated when the
        archive captured it, with where it came from in WebText-Source / WebText-Archive-URL:
        replay then gives the same document with the same provenance.
        """
        reason = HTTPStatus(fetched.status).phrase if fetched.status in HTTPStatus._value2member_map_ else "Unknown"
        http_headers = StatusAndHeaders(f"{fetched.status} {reason}", fetched.headers, protocol=fetched.protocol)
        archived = {}
        if fetched.source != "live":
            archived = {"WARC-Date": fetched.captured_at, SOURCE_HEADER: fetched.source,
                        ARCHIVE_URL_HEADER: fetched.archive_url}
        response = self._writer.create_warc_record(fetched.url, "response", payload=io.BytesIO(fetched.body),
                                                   http_headers=http_headers, warc_headers_dict=archived)
        if archived:
            self._writer.write_record(response)
            return response.rec_headers.get_header("WARC-Record-ID"), response.rec_headers.get_header("WARC-Date")
        parts = urlsplit(fetched.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = StatusAndHeaders(f"GET {target} {fetched.protocol}", list(fetched.request_headers),
                                           is_http_request=True)
        request = self._writer.create_warc_record(fetched.url, "request", http_headers=request_headers)
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        self._writer.write_record(request)
        self._writer.write_record(response)
        return response.rec_headers.get_header("WARC-Record-ID"), response.rec_headers.get_header("WARC-Date")

    def _flush(self) -> str | None:
        if not self._count:
            return None
        final = FileSystems.join(self._directory, f"crawl-{uuid.uuid4().hex}.warc.gz")
        write_atomically(final, self._buffer.getvalue())
        self._new_buffer()
        return final

    def close(self) -> str | None:
        """Write what is left; return the file's path (None when there was nothing)."""
        with self._lock:
            return self._flush()
