"""robots.txt as RFC 9309 scopes it (scheme + host + port), on every redirect hop, with Crawl-delay capped;
and a crawler that carries no cookies or ambient proxies."""

import pytest

from helpers import servers
from webtext.crawl.fetch import FetchFailure, make_session
from webtext.crawl.modes import LiveHost
from webtext.crawl.safety import allowed_address
from webtext.crawl.settings import FetchSettings
from webtext.records import Link

PAGE = b"<html><body><p>fine</p></body></html>"
CONFIG = FetchSettings(mode="live", delay_s=0.0, timeout_s=2.0, retries=0,
                      max_crawl_delay_s=0.5)


def site(robots: bytes, redirects: dict[str, str] | None = None):
    """A loopback origin with this robots.txt; `redirects` maps a path to a Location; the rest is PAGE."""
    class Site(servers.Handler):
        requests: list = []

        def do_GET(self):
            Site.requests.append((self.path, self.headers.get("Cookie")))
            if self.path == "/robots.txt":
                return self.send(200, robots, "text/plain")
            if redirects and self.path in redirects:
                return self.send(302, b"", "text/html", [("Location", redirects[self.path])])
            return self.send(200, PAGE, "text/html", [("Set-Cookie", f"origin={self.server.server_port}")])
    return servers.serving(Site), Site


def link(url: str) -> Link:
    return Link(url, url, 5, ("s",), (5,), ("r",), 1)


def outcome(host: LiveHost, url: str) -> str:
    try:
        host.fetch(link(url))
        return "fetched"
    except FetchFailure as failure:
        return failure.reason


def test_each_port_of_one_host_name_has_its_own_robots_txt():
    closed, _ = site(b"User-agent: *\nDisallow: /\n")
    opened, opened_handler = site(b"User-agent: *\nAllow: /\n")
    with closed as a, opened as b, make_session("t", (a, b)) as session:
        host = LiveHost(session, CONFIG)
        assert [outcome(host, a + "/page"), outcome(host, b + "/page"), outcome(host, a + "/other")] == \
               ["robots", "fetched", "robots"]
    assert [path for path, _ in opened_handler.requests].count("/robots.txt") == 1


def test_a_redirect_into_a_disallowed_path_is_refused_here_and_on_another_origin():
    target, target_handler = site(b"User-agent: *\nDisallow: /private/\n")
    with target as b:
        source, _ = site(
            b"User-agent: *\nDisallow: /private/\n",
            {"/public/go": "/private/secret", "/elsewhere": b + "/private/x", "/fine": b + "/ok"},
        )
        with source as a, make_session("t", (a, b)) as session:
            host = LiveHost(session, CONFIG)
            assert outcome(host, a + "/public/go") == "robots"
            assert outcome(host, a + "/elsewhere") == "robots"
            assert outcome(host, a + "/fine") == "fetched"
    assert ("/private/x", None) not in target_handler.requests  # never asked for


def test_crawl_delay_is_honoured_up_to_the_cap():
    server, _ = site(b"User-agent: *\nCrawl-delay: 86400\n")
    waits = []
    with server as a, make_session("t", (a,)) as session:
        host = LiveHost(session, CONFIG, sleep=waits.append)
        assert [outcome(host, a + p) for p in ("/1", "/2", "/3")] == ["fetched"] * 3
    assert waits == [0.5, 0.5]


def test_a_robots_txt_past_500_kib_is_read_on_its_first_500_kib():
    server, _ = site(b"User-agent: *\nDisallow: /no/\n" + b"# padding\n" * 100_000 + b"Disallow: /\n")
    with server as a, make_session("t", (a,)) as session:
        host = LiveHost(session, CONFIG)
        assert [outcome(host, a + "/no/1"), outcome(host, a + "/yes")] == ["robots", "fetched"]


def test_no_cookie_is_kept_or_sent():
    first, _ = site(b"")
    second, second_handler = site(b"")
    with first as a, second as b, make_session("t", (a, b)) as session:
        host = LiveHost(session, CONFIG)
        assert (
            outcome(host, a + "/set")
            == outcome(host, b + "/page")
            == outcome(host, b + "/again")
            == "fetched"
        )
        assert len(session.cookies) == 0
    assert all(cookie is None for _, cookie in second_handler.requests)


def test_proxy_settings_in_the_environment_are_not_used(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there: a used proxy would fail
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    server, _ = site(b"")
    with server as a, make_session("t", (a,)) as session:
        assert outcome(LiveHost(session, CONFIG), a + "/page") == "fetched"


@pytest.mark.parametrize("address, allowed", [
    ("64:ff9b:1::a00:1", False),  # NAT64 (local prefix) to 10.0.0.1
    ("64:ff9b::a9fe:a9fe", False),  # NAT64 to 169.254.169.254
    ("2002:a00:1::", False),  # 6to4 wrapping 10.0.0.1
    ("::127.0.0.1", False),  # IPv4-compatible loopback
    ("::ffff:192.168.1.1", False),  # IPv4-mapped private
    ("64:ff9b::808:808", True),  # NAT64 to a public address
    ("2606:4700::1111", True),
])
def test_ipv6_forms_are_judged_by_the_ipv4_address_they_carry(address, allowed):
    assert allowed_address(address) is allowed


def test_a_host_past_its_time_budget_drops_its_remaining_links_instead_of_stalling(tmp_path):
    from dataclasses import replace

    from webtext.crawl.host_fetch import fetch_host
    from webtext.crawl.warc_out import WarcBundleWriter
    from webtext.records import Drop

    server, handler = site(b"User-agent: *\nCrawl-delay: 20\n")
    now, waits = [0.0], []

    def sleep(seconds):  # a clock the waits move on, so the test does not wait them
        waits.append(seconds)
        now[0] += seconds

    config = replace(CONFIG, max_crawl_delay_s=30.0, host_budget_s=50.0)
    with server as a, make_session("t", (a,)) as session:
        links = [link(f"{a}/{i}") for i in range(5)]
        outcomes = list(fetch_host(session, links, config, WarcBundleWriter(str(tmp_path)), sleep=sleep,
                                   clock=lambda: now[0]))
    reasons = ["fetched" if not isinstance(o, Drop) else o.reason for o in outcomes]
    # Pages at 0, 20 and 40 s fit in the 50 s; the next would start at 60: it and the last are dropped at
    # once.
    assert waits == [20.0, 20.0] and reasons == ["fetched"] * 3 + ["host_budget"] * 2
    assert [path for path, _ in handler.requests if path != "/robots.txt"] == ["/0", "/1", "/2"]


def test_an_explicit_proxy_carries_the_requests_and_its_own_address_is_checked():
    from webtext.crawl.fetch import fetch_url
    from webtext.crawl.safety import BlockedAddress

    class Proxy(servers.Handler):
        asked: list = []

        def do_GET(self):
            Proxy.asked.append(self.path)  # a proxy is asked for the absolute URL
            self.send(200, PAGE, "text/html")

    with servers.serving(Proxy) as proxy:
        with pytest.raises(BlockedAddress):  # a loopback proxy is refused unless its origin is allowed
            make_session("t", proxy=proxy)
        with make_session("t", (proxy,), proxy=proxy) as session:
            page = fetch_url(session, "http://story.example/page", timeout_s=2.0, max_bytes=10_000)
    assert page.body == PAGE and Proxy.asked == ["http://story.example/page"]


def test_a_proxy_that_drips_is_cut_at_the_deadline_and_its_connections_are_used_once():
    """A proxy's pools are the session's safe ones: one deadline over the whole attempt (a plain
    GET and an HTTPS CONNECT tunnel alike) and a fresh connection per request."""
    import time

    from webtext.crawl.fetch import fetch_url

    class DrippingProxy(servers.Handler):
        clients: list = []

        def do_GET(self):
            DrippingProxy.clients.append(self.client_address[1])
            if self.path.endswith("/slow"):
                return self.drip_head()
            self.send(200, PAGE, "text/html")

        def do_CONNECT(self):  # the tunnel's answer never completes
            self.drip_head()

        def drip_head(self):
            # One status-line byte every 0.3 s: each read ends within the 0.5 s socket timeout,
            # so only the attempt's deadline (3 x 0.5 s) can stop it.
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 100:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.3)

    with servers.serving(DrippingProxy) as proxy, make_session("t", (proxy,), proxy=proxy) as session:
        for url in ("http://story.example/slow", "https://story.example/slow"):
            started = time.monotonic()
            with pytest.raises(FetchFailure) as failure:
                fetch_url(session, url, timeout_s=0.5, max_bytes=10_000)
            assert failure.value.reason == "timeout" and time.monotonic() - started < 3
        for _ in range(2):
            assert (
                fetch_url(session, "http://story.example/page", timeout_s=2.0, max_bytes=10_000).body == PAGE
            )
    assert len(DrippingProxy.clients[1:]) == 2 and len(set(DrippingProxy.clients)) == 3  # one connection each
