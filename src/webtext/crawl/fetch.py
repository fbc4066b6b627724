"""One polite, capped, safe HTTP fetch with `requests`, and retries around it.

Limits: connect/read timeouts plus a total deadline (a slow drip cannot hold a
worker), a byte cap on the decompressed body (gzip/deflate/br bombs stop at the
cap), a redirect cap with the address check on every hop (safety.py), a
content-type allow-list checked before the body is read, TLS always verified.
Every failure is a FetchFailure whose `reason` is the drop reason code: a
Location header that is no URL is `bad_redirect`, and anything no code path
expected (an exception from deep in requests) is `fetch_error` with the
exception in the detail, counted as an error (guard.py), so one odd answer
never ends a run.
"""

import email.utils
import http.cookiejar
import random
import time
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from protego import Protego

from webtext.crawl.deadline import Deadline
from webtext.crawl.safety import BlockedAddress, DNSFailure, SafeHTTPAdapter, check_url_target
from webtext.crawl.settings import FetchSettings
from webtext.urls import origin_of

MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 500 * 1024
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
# Retried with backoff. Not timeouts (a slow server is slow again: each retry would cost a whole
# deadline), nor decode errors (the same bytes come back), nor anything final by its nature.
RETRYABLE = ("connection_error", "http_429", "http_5xx")
EMPTY_STATUSES = (204, 205)  # no content by definition: `http_empty`, not a page to extract


class Fetched(NamedTuple):
    url: str  # final URL after redirects
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str  # "HTTP/1.1"
    redirects: tuple = ()  # the 3xx responses on the way, as Fetched values with empty bodies
    request_headers: tuple = ()  # what was sent, for the WARC request record
    source: str = "live"  # "live", or the archive the bytes came from ("wayback", "commoncrawl")
    archive_url: str = ""  # an archived copy: where in the archive; `url` is then the page's original URL
    captured_at: str = ""  # an archived copy: when the archive captured it (ISO 8601)


class FetchFailure(Exception):
    """A fetch that failed; `reason` is the drop reason code."""

    def __init__(self, reason: str, detail: str = "", retry_after_s: float | None = None):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.retry_after_s = reason, detail, retry_after_s


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """A crawler keeps no cookies: one site's cookie is never sent to another, and none pile up."""

    def set_ok(self, cookie, request):
        return False

    def return_ok(self, cookie, request):
        return False


def check_proxy(proxy: str, allowed_origins: tuple[str, ...] = ()) -> None:
    """Raise BlockedAddress unless `proxy` is an http(s) URL whose address may be reached."""
    if origin_of(proxy) in {origin_of(o) for o in allowed_origins}:
        return
    try:
        check_url_target(proxy)
    except BlockedAddress as error:
        raise BlockedAddress(f"--proxy {proxy}: {error}, which is not public; --allow_origin "
                             f"{origin_of(proxy)} allows it") from error


class _HandFollowedRedirects(requests.Session):
    """A session that never looks at a Location itself: fetch_url follows redirects by hand, with
    its checks. (Even with allow_redirects=False, requests parses the Location of a 3xx to offer
    `response.next`, and a Location that is no URL raised a bare ValueError out of `send`.)"""

    def resolve_redirects(self, *args, **kwargs):
        return iter(())


def make_session(user_agent: str, allowed_origins: tuple[str, ...] = (), pool_size: int = 64,
                 proxy: str = "") -> requests.Session:
    """One connection pool per worker, shared by its fetch threads; connections only to checked addresses.

    Nothing ambient: no proxy or credentials from the environment or ~/.netrc (a proxy would connect
    to the addresses the check refused), and no cookies. An explicit `proxy` (http://host:port) is
    the user's choice: its own address is checked (unless its origin is allowed), and it then
    resolves and reaches the pages' hosts itself, so their addresses are the proxy's to police."""
    session = _HandFollowedRedirects()
    session.trust_env = False
    session.cookies.set_policy(_NoCookies())
    adapter = SafeHTTPAdapter(
        allowed_origins=allowed_origins, pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if proxy:
        check_proxy(proxy, allowed_origins)
        session.proxies = {"http": proxy, "https": proxy}
    session.headers["User-Agent"] = user_agent
    session.headers["Connection"] = "close"  # one request per connection (safety._OneRequestPerConnection)
    return session


def _read_capped(
    response: requests.Response, max_bytes: int, deadline: float, truncate: bool = False
) -> bytes:
    """The decompressed body, stopping at `max_bytes` (too_large, or the first max_bytes with
    `truncate`) or at the deadline.

    `read1` returns whatever has arrived, so a server that drips one byte at a
    time is checked against the deadline between drips, not after 64 KiB.
    """
    chunks, size = [], 0
    while chunk := response.raw.read1(65536, decode_content=True):
        size += len(chunk)
        if size > max_bytes:
            if truncate:
                chunks.append(chunk)
                return b"".join(chunks)[:max_bytes]
            raise FetchFailure("too_large", f"> {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise FetchFailure("timeout", "total deadline passed")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def content_type_of(headers: list[tuple[str, str]]) -> str:
    """The Content-Type of raw (name, value) header pairs, whatever the name's case (the last one
    when a server sends several); "" if none."""
    return next((value for name, value in reversed(headers) if name.lower() == "content-type"), "")


def is_text_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in TEXT_TYPES


def status_reason(code: int) -> str:
    """The drop reason of a non-2xx answer, live or replayed."""
    return ("http_429" if code == 429 else "http_5xx" if code >= 500 else "http_4xx" if code >= 400
            else "http_3xx")  # a redirect without a Location, or another non-2xx answer


def _status_failure(response: requests.Response) -> FetchFailure:
    return FetchFailure(status_reason(response.status_code), str(response.status_code),
                        _retry_after(response.headers.get("retry-after")))


def _get(session: requests.Session, url: str, timeout_s: float, headers: dict | None) -> requests.Response:
    try:
        return session.get(
            url,
            stream=True,
            allow_redirects=False,
            verify=True,
            timeout=(timeout_s, timeout_s),
            headers=headers,
        )
    except BlockedAddress as error:
        raise FetchFailure("ssrf", str(error)) from error
    except DNSFailure as error:
        raise FetchFailure("dns", str(error)) from error
    except requests.exceptions.SSLError as error:
        raise FetchFailure("tls", str(error)[:200]) from error
    except requests.exceptions.ConnectTimeout as error:  # no answer to the connection: the host is not there
        raise FetchFailure("connection_error", f"connect timeout: {error}"[:200]) from error
    except requests.exceptions.Timeout as error:
        raise FetchFailure("timeout", str(error)[:200]) from error
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
        cause = error.__context__ or error
        if isinstance(cause, (BlockedAddress, DNSFailure)):
            raise FetchFailure("ssrf" if isinstance(cause, BlockedAddress) else "dns", str(cause)) from error
        raise FetchFailure("connection_error", str(error)[:200]) from error
    except Exception as error:  # a URL or header requests cannot take (ValueError, LookupError, ...)
        raise unexpected(error) from error


def unexpected(error: Exception) -> FetchFailure:
    """What no rule foresaw, from one server's answer: a `fetch_error` drop naming the exception."""
    return FetchFailure("fetch_error", f"{type(error).__name__}: {error}"[:200])


def fetch_url(session: requests.Session, url: str, *, timeout_s: float, max_bytes: int,
              text_only: bool = True, headers: dict | None = None, truncate: bool = False,
              hop_check: Callable[[str], None] | None = None, deadline_at: float | None = None) -> Fetched:
    """GET `url` following redirects by hand; raise FetchFailure with a reason code.

    `headers` are sent with every hop (an archive's Range request). `hop_check(url)` is called for
    every redirect target before it is requested and raises FetchFailure to refuse it (robots.txt).
    Which addresses may be reached is the session's (make_session) to decide, at each connection.
    The attempt has one deadline, three timeouts from now or `deadline_at` if sooner, over every
    connect, status line, header and body byte of every hop (deadline.py): a server that drips is
    a `timeout`.
    """
    at = time.monotonic() + 3 * timeout_s
    with Deadline(min(at, deadline_at) if deadline_at is not None else at) as deadline:
        try:
            fetched = _follow(session, url, deadline.at, timeout_s=timeout_s, max_bytes=max_bytes,
                              text_only=text_only, headers=headers, truncate=truncate, hop_check=hop_check)
        except FetchFailure as failure:
            if deadline.expired:  # whatever came after the watchdog cut the connection is its doing
                raise FetchFailure("timeout", f"the deadline passed: {failure.detail}"[:200]) from failure
            raise
        # the watchdog shut the socket mid-body: the end of file it left is no end of page
        if deadline.expired:
            raise FetchFailure("timeout", f"the deadline cut the body short after {len(fetched.body)} bytes")
        return fetched


def _follow(session: requests.Session, url: str, deadline: float, *, timeout_s: float, max_bytes: int,
            text_only: bool, headers: dict | None, truncate: bool, hop_check) -> Fetched:
    """fetch_url's hops, within its deadline."""
    redirects = []
    for hop in range(MAX_REDIRECTS + 1):
        try:
            parts = urlsplit(url)
            hostname, _ = parts.hostname, parts.port
        except ValueError as error:  # a Location such as "http://[::1" or a port past 65535
            if hop:
                raise FetchFailure("bad_redirect", f"{type(error).__name__}: {error}: {url[:150]}") from error
            raise unexpected(error) from error
        if parts.scheme not in ("http", "https") or not hostname:
            raise FetchFailure("ssrf", f"not an http(s) URL: {url[:200]}")
        if hop and hop_check is not None:
            hop_check(url)
        # The address itself is resolved and checked by the session's adapter, once, where it connects.
        response = _get(session, url, timeout_s, headers)
        if time.monotonic() >= deadline:  # the headers were cut off by the deadline, not complete
            response.close()
            raise FetchFailure("timeout", "the attempt's deadline passed before the headers were in")
        with response:
            sent = tuple(response.request.headers.items())
            if response.is_redirect and "location" in response.headers:
                redirects.append(Fetched(url, response.status_code, list(response.raw.headers.items()), b"",
                                         "HTTP/1.1", (), sent))
                try:
                    url = urljoin(url, response.headers["location"])
                except ValueError as error:
                    raise FetchFailure("bad_redirect", f"{type(error).__name__}: {error}"[:200]) from error
                continue
            if not 200 <= response.status_code < 300:
                raise _status_failure(response)
            if response.status_code in EMPTY_STATUSES:
                raise FetchFailure("http_empty", str(response.status_code))
            content_type = response.headers.get("content-type", "")
            if text_only and not is_text_type(content_type):
                raise FetchFailure("content_type", content_type[:100])
            try:
                body = _read_capped(response, max_bytes, deadline, truncate)
            except urllib3.exceptions.DecodeError as error:  # a broken gzip/deflate/br stream
                raise FetchFailure("decode_error", str(error)[:200]) from error
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                reason = "timeout" if "timed out" in str(error) else "connection_error"
                raise FetchFailure(reason, str(error)[:200]) from error
            received = list(response.raw.headers.items())
            return Fetched(url, response.status_code, received, body, "HTTP/1.1", tuple(redirects), sent)
    raise FetchFailure("redirect_loop", url[:200])


def fetch_with_retries(session: requests.Session, url: str, *, retries: int, backoff_s: float,
                       max_retry_after_s: float, sleep=time.sleep, **fetch_options) -> Fetched:
    """fetch_url, retrying connection errors, 429 and 5xx with backoff and jitter.

    Retry-After is honoured up to `max_retry_after_s`; a server asking for longer gets the URL dropped.
    404, 410 and the other 4xx are final, and so are timeouts. A URL has two timeouts in all, its
    attempts and the waits between them together: each attempt's deadline ends within them.
    """
    budget_end = time.monotonic() + 2 * fetch_options["timeout_s"]
    for attempt in range(retries + 1):
        try:
            return fetch_url(session, url, deadline_at=budget_end, **fetch_options)
        except FetchFailure as failure:
            if failure.reason not in RETRYABLE or attempt == retries:
                raise
            wait = failure.retry_after_s
            if wait is None:
                wait = backoff_s * 2**attempt * (1 + random.random() / 2)
            if wait > max_retry_after_s or time.monotonic() + wait > budget_end:
                raise
            sleep(wait)
    raise AssertionError("unreachable")


def fetch_configured(session: requests.Session, url: str, config: FetchSettings, *, sleep=time.sleep,
                     **fetch_options) -> Fetched:
    """fetch_with_retries with the run's retry, timeout and body-size settings; a `max_bytes` given
    here replaces the configured cap (an archive's ranged read asks for exactly the record's length)."""
    fetch_options.setdefault("max_bytes", config.max_body_bytes)
    return fetch_with_retries(
        session,
        url,
        retries=config.retries,
        backoff_s=config.backoff_s,
        max_retry_after_s=config.max_retry_after_s,
        timeout_s=config.timeout_s,
        sleep=sleep,
        **fetch_options,
    )


# a robots.txt failure that says the host is not there
UNREACHABLE = ("dns", "connection_error", "tls", "ssrf")


def robots_for(session: requests.Session, url: str, *, timeout_s: float) -> Protego | None:
    """The host's robots.txt rules; None means everything is allowed (missing or 4xx robots.txt);
    a 5xx, a slow or an oversized robots.txt disallows everything for this run. A host that
    cannot be reached at all raises its FetchFailure (dns, connection_error, tls, ssrf): every
    link of it fails the same way, without trying again."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        # RFC 9309 2.5: a crawler must parse at least the first 500 KiB; the rest is left unread.
        fetched = fetch_url(session, robots_url, timeout_s=timeout_s, max_bytes=ROBOTS_MAX_BYTES,
                            text_only=False, truncate=True)
    except FetchFailure as failure:
        if failure.reason in UNREACHABLE:
            raise FetchFailure(failure.reason, f"robots.txt: {failure.detail}"[:200]) from failure
        if failure.reason in ("http_5xx", "http_429", "timeout", "fetch_error", "decode_error"):
            return Protego.parse("User-agent: *\nDisallow: /")
        return None
    return Protego.parse(fetched.body.decode("utf-8", errors="replace"))
