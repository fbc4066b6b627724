"""One polite, capped HTTP fetch with `requests`.

Limits: connect/read timeouts plus a total deadline (a slow drip cannot hold a
worker), a byte cap on the body, a redirect cap with the address check on each
hop, a content-type allow-list checked before the body is read, TLS verified,
robots.txt honoured (protego, cached per host by the caller).
"""

import time
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from protego import Protego

from webtext.crawl.safety import BlockedAddress, check_url_target

MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 500_000
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


class Fetched(NamedTuple):
    url: str  # final URL after redirects
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str  # "HTTP/1.1"
    redirects: tuple = ()  # the 3xx responses on the way, as Fetched values with empty bodies


class FetchFailure(Exception):
    """A fetch that failed; `reason` is the drop reason code."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def _read_capped(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """The decompressed body, stopping at `max_bytes` (so gzip bombs stop too) or at the deadline.

    `read1` returns whatever has arrived, so a server that drips one byte at a
    time is checked against the deadline between drips, not after 64 KiB.
    """
    chunks, size = [], 0
    while chunk := response.raw.read1(65536, decode_content=True):
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailure("too_large", f"> {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise FetchFailure("timeout", "total deadline passed")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_url(session: requests.Session, url: str, *, timeout_s: float, max_bytes: int,
              allow_loopback: bool = False, text_only: bool = True) -> Fetched:
    """GET `url` following redirects by hand; raise FetchFailure with a reason code."""
    deadline = time.monotonic() + 3 * timeout_s
    redirects = []
    for _ in range(MAX_REDIRECTS + 1):
        try:
            check_url_target(url, allow_loopback)
            response = session.get(url, stream=True, allow_redirects=False, verify=True,
                                   timeout=(timeout_s, timeout_s))
        except BlockedAddress as error:
            raise FetchFailure("blocked_address", str(error)) from error
        except requests.exceptions.SSLError as error:
            raise FetchFailure("tls_error", str(error)[:200]) from error
        except requests.exceptions.Timeout as error:
            raise FetchFailure("timeout", str(error)[:200]) from error
        except (requests.exceptions.RequestException, ConnectionError) as error:
            raise FetchFailure("connection_error", str(error)[:200]) from error
        with response:
            if response.is_redirect and "location" in response.headers:
                redirects.append(Fetched(url, response.status_code, list(response.raw.headers.items()), b"", "HTTP/1.1"))
                url = urljoin(url, response.headers["location"])
                continue
            if not 200 <= response.status_code < 300:
                raise FetchFailure("http_status", str(response.status_code))
            content_type = response.headers.get("content-type", "")
            if text_only and content_type.split(";")[0].strip().lower() not in TEXT_TYPES:
                raise FetchFailure("content_type", content_type[:100])
            try:
                body = _read_capped(response, max_bytes, deadline)
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as error:
                reason = "timeout" if "timed out" in str(error) else "connection_error"
                raise FetchFailure(reason, str(error)[:200]) from error
            headers = list(response.raw.headers.items())
            return Fetched(url, response.status_code, headers, body, "HTTP/1.1", tuple(redirects))
    raise FetchFailure("too_many_redirects", url[:200])


def robots_for(session: requests.Session, url: str, *, timeout_s: float, allow_loopback: bool) -> Protego | None:
    """The host's robots.txt rules; None means everything is allowed, a 5xx disallows all."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        fetched = fetch_url(session, robots_url, timeout_s=timeout_s, max_bytes=ROBOTS_MAX_BYTES,
                            allow_loopback=allow_loopback, text_only=False)
    except FetchFailure as failure:
        if failure.reason == "http_status" and failure.detail.startswith("5"):
            return Protego.parse("User-agent: *\nDisallow: /")
        return None
    return Protego.parse(fetched.body.decode("utf-8", errors="replace"))
