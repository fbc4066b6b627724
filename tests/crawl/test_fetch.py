"""Live fetching against a real loopback HTTP server: each kind of response gets its outcome,
and nothing waits past its deadline."""

import time

import pytest

from helpers.loopback_server import loopback_server
from webtext.crawl.charset import decode_html
from webtext.crawl.fetch import FetchFailure, fetch_url, fetch_with_retries, make_session, robots_for
from webtext.crawl.safety import BlockedAddress, check_url_target


@pytest.fixture(scope="module")
def base():
    with loopback_server() as url:
        yield url


@pytest.fixture(scope="module")
def session(base):
    with make_session("webtext-tests", (base,)) as s:
        yield s


def fetch(session, url, **kw):
    options = dict(timeout_s=2.0, max_bytes=100_000)
    options.update(kw)
    return fetch_url(session, url, **options)


def reason(session, url, **kw) -> str:
    with pytest.raises(FetchFailure) as failure:
        fetch(session, url, **kw)
    return failure.value.reason


def retried(session, url, **kw):
    options = dict(retries=3, backoff_s=0.05, max_retry_after_s=5, timeout_s=2.0, max_bytes=100_000)
    options.update(kw)
    return fetch_with_retries(session, url, **options)


def test_page_is_fetched_and_redirects_followed(session, base):
    fetched = fetch(session, base + "/page")
    assert fetched.status == 200 and b"<article>" in fetched.body and fetched.url == base + "/page"
    redirected = fetch(session, base + "/redirect")
    assert redirected.url == base + "/page" and [r.status for r in redirected.redirects] == [302]
    assert dict(redirected.request_headers)["User-Agent"] == "webtext-tests"
    chained = fetch(session, base + "/chain/3")
    assert chained.url == base + "/page" and len(chained.redirects) == 3
    assert reason(session, base + "/chain/6") == "redirect_loop"  # more hops than the cap


def test_each_failure_has_its_reason(session, base):
    assert reason(session, base + "/missing") == "http_4xx"
    assert reason(session, base + "/gone") == "http_4xx"
    assert reason(session, base + "/always503") == "http_5xx"
    assert reason(session, base + "/pdf") == "content_type"
    assert reason(session, base + "/big") == "too_large"
    assert reason(session, base + "/loop") == "redirect_loop"
    assert reason(session, base + "/to-metadata") == "ssrf"
    assert reason(session, base + "/reset") == "connection_error"


def test_compression_bomb_stops_at_the_cap_quickly(session, base):
    started = time.monotonic()
    assert reason(session, base + "/bomb", max_bytes=1_000_000) == "too_large"
    assert time.monotonic() - started < 5


def test_empty_200_is_fetched_with_an_empty_body(session, base):
    assert fetch(session, base + "/empty").body == b""


def test_mislabelled_charset_is_decoded_right(session, base):
    fetched = fetch(session, base + "/mislabelled")
    text, _ = decode_html(fetched.body, dict(fetched.headers)["Content-Type"])
    assert "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e" in text


def test_slow_drip_hits_the_total_deadline(session, base):
    started = time.monotonic()
    assert reason(session, base + "/drip", timeout_s=0.5) == "timeout"
    assert time.monotonic() - started < 3


def test_429_waits_for_retry_after_then_succeeds(session, base):
    started = time.monotonic()
    assert retried(session, base + "/flaky429-a").status == 200
    assert time.monotonic() - started >= 1.0


def test_5xx_is_retried_and_404_is_final(session, base):
    assert retried(session, base + "/flaky503-a").status == 200
    sleeps = []
    with pytest.raises(FetchFailure) as failure:
        retried(session, base + "/missing", sleep=sleeps.append)
    assert failure.value.reason == "http_4xx" and sleeps == []


def test_retries_give_up_with_the_last_reason(session, base):
    sleeps = []
    with pytest.raises(FetchFailure) as failure:
        retried(session, base + "/always503", sleep=sleeps.append)
    assert failure.value.reason == "http_5xx" and len(sleeps) == 3
    assert sleeps == sorted(sleeps)  # backing off


def test_a_retry_after_beyond_the_cap_drops_instead_of_waiting(session, base):
    started = time.monotonic()
    with pytest.raises(FetchFailure) as failure:
        retried(session, base + "/long429")
    assert failure.value.reason == "http_429" and time.monotonic() - started < 2


def test_loopback_is_blocked_unless_its_origin_is_allowed(base):
    with make_session("webtext-tests") as strict:
        assert reason(strict, base + "/page") == "ssrf"
    other_port = base.rsplit(":", 1)[0] + ":1"  # the same loopback address, another origin
    with make_session("webtext-tests", (other_port,)) as elsewhere:
        assert reason(elsewhere, base + "/page") == "ssrf"
    with make_session("webtext-tests", (base,)) as allowed:
        assert fetch(allowed, base + "/page").status == 200
        assert reason(allowed, base + "/to-loopback-elsewhere") == "ssrf"  # a redirect away is checked again
        assert reason(allowed, base + "/to-metadata") == "ssrf"


def test_the_connection_itself_refuses_unchecked_addresses(base):
    """Even if a caller skipped the pre-check, the adapter connects only to checked addresses."""
    with make_session("webtext-tests") as strict:
        with pytest.raises(BlockedAddress):
            strict.get(base + "/page", timeout=2)


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://169.254.169.254/", "http://100.64.0.1/",
                                 "http://[::1]/", "http://192.168.1.1/", "http://0.0.0.0/", "file:///etc/passwd",
                                 "http://[fd00::1]/", "http://224.0.0.1/"])
def test_private_metadata_and_multicast_addresses_are_refused(url):
    with pytest.raises(BlockedAddress):
        check_url_target(url)


def test_robots_txt_is_honoured(session, base):
    robots = robots_for(session, base + "/page", timeout_s=2.0)
    assert robots.can_fetch(base + "/page", "webtext") and not robots.can_fetch(
        base + "/private/x", "webtext"
    )


def test_a_host_fetch_reads_robots_once_and_gives_every_link_one_outcome(base, tmp_path):
    from helpers.loopback_server import Handler
    from webtext.crawl.host_fetch import fetch_host
    from webtext.crawl.settings import FetchSettings
    from webtext.crawl.warc_out import WarcBundleWriter
    from webtext.records import Drop, FetchResult, Link

    config = FetchSettings(mode="live", delay_s=0.0, retries=1, backoff_s=0.01)
    paths = ["/page", "/private/page", "/missing", "/pdf", "/other", "/flaky503-host"]
    links = [Link(base + p, base + p, 5, ("s",), (5,), ("r",), 1) for p in paths]
    robots_before = Handler.hits.get("/robots.txt", 0)
    with make_session("webtext-tests", (base,)) as session:
        outcomes = list(fetch_host(session, links, config, WarcBundleWriter(str(tmp_path))))
    assert len(outcomes) == len(links)
    fetched = sorted(o.link.url.rsplit("/", 1)[-1] for o in outcomes if isinstance(o, FetchResult))
    assert fetched == ["flaky503-host", "other", "page"]
    reasons = sorted(o.reason for o in outcomes if isinstance(o, Drop))
    assert reasons == ["content_type", "http_4xx", "robots"]
    assert Handler.hits.get("/robots.txt", 0) - robots_before <= 1


def _raw_server(answer):
    """A loopback socket server that reads a request and hands the connection to `answer`; its origin."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                try:
                    answer(connection)
                except OSError:
                    pass
    threading.Thread(target=serve, daemon=True).start()
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}"


ARTICLE = b"<html><body>" + b"<p>An article that must not end early. " * 400 + b"</body></html>"


def _short_content_length(connection):
    connection.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(ARTICLE)
        + ARTICLE[:5000]
    )


def _chunked_cut(connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                       + b"%x\r\n" % 5000 + ARTICLE[:5000] + b"\r\n")


def _drip_then_stop(connection):
    """Headers, then a byte of the article every 0.3 s: slower than the deadline allows; it never ends."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
    for i in range(40):
        connection.sendall(ARTICLE[i:i + 1])
        time.sleep(0.3)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_short_content_length, "connection_error"),
        (_chunked_cut, "connection_error"),
        (_drip_then_stop, "timeout"),
    ],
)
def test_a_body_cut_short_is_never_a_page(answer, expected):
    """Closed before its Content-Length, before the last chunk, or cut by the attempt's deadline (whose
    watchdog's shut socket reads as an end of file): a drop, never a truncated article kept."""
    listener, origin = _raw_server(answer)
    with listener, make_session("webtext-tests", (origin,)) as session:
        with pytest.raises(FetchFailure) as failure:
            fetch_url(session, origin + "/article", timeout_s=0.5, max_bytes=1_000_000)
    assert failure.value.reason == expected
