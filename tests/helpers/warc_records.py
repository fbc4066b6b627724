"""WARC response records and the links that ask for them, as the crawl tests and generated inputs write
them."""

import io
import uuid

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from webtext.records import Link
from webtext.urls import canonical_url


def link_to(url: str) -> Link:
    """A link to `url` (karma 5, one submission), keyed by its canonical URL as the links stage keys it."""
    return Link(canonical_url(url), url, 5, ("s1",), (5,), ("r",), 100)


def write_response(writer: WARCWriter, url: str, status: str, body: bytes = b"<p>page</p>",
                   location: str = "", record_id: str = "") -> None:
    """One HTML response record; `location` makes it a redirect. Without a `record_id`, one named after the
    URL and status, so that the bytes are the same at every run."""
    headers = [("Content-Type", "text/html; charset=utf-8")] + ([("Location", location)] if location else [])
    record_id = record_id or f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url + status)}>"
    writer.write_record(writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=StatusAndHeaders(status, headers, "HTTP/1.1"),
        warc_headers_dict={"WARC-Record-ID": record_id, "WARC-Date": "2017-12-30T12:00:00Z"}))
