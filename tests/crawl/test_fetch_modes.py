"""Fetch modes: live, archive, live-then-archive, archive-then-live; with the loopback web and archives."""

import pytest

from helpers import servers
from helpers.fake_archives import Archive, Snapshot, fake_archives
from helpers.loopback_server import OTHER, PAGE, Handler, loopback_server
from helpers.servers import free_port
from webtext.crawl.archives import ArchiveClient, timestamp_utc
from webtext.crawl.deadpage import dead_page_reason
from webtext.crawl.fetch import make_session
from webtext.crawl.host_fetch import fetch_host
from webtext.crawl.ratelimit import RateLimiter
from webtext.crawl.settings import FetchSettings
from webtext.crawl.warc_out import WarcBundleWriter
from webtext.records import FetchResult, Link

POSTED = timestamp_utc("20170615000000")
ARCHIVED = "<html><head><title>As it was</title></head><body><p>The 2017 story.</p></body></html>"


@pytest.fixture(scope="module")
def web():
    with loopback_server() as base:
        yield base


def outcomes(web_base: str, paths: list[str], mode: str, archived_paths=(), tmp_path=None, **changes) -> dict:
    """{path: outcome} for links to `paths` on the loopback web, fetched by `mode`; the archive
    holds a 2017 copy of each of `archived_paths`."""
    links = [Link(web_base + p, web_base + p, 5, ("t3_a",), (5,), ("r",), POSTED) for p in paths]
    archive = Archive(wayback={web_base + p: [Snapshot("20170616000000", ARCHIVED.encode())]
                               for p in archived_paths})
    with fake_archives(archive) as archive_base, make_session("t", (web_base, archive_base)) as session:
        config = FetchSettings(mode=mode, delay_s=0.0, retries=1,
                              backoff_s=0.01, archives=("wayback",), wayback_url=f"{archive_base}/wb",
                              archive_requests_per_s=1000.0, **changes)
        client = ArchiveClient(session, config, sleep=lambda s: None)
        warc = WarcBundleWriter(str(tmp_path))
        results = list(fetch_host(session, links, config, warc, client))
        warc.close()
        found = {}
        for result in results:
            path = (result.link.url if isinstance(result, FetchResult) else result.item).removeprefix(
                web_base
            )
            found[path] = (
                (result.source, result.html) if isinstance(result, FetchResult) else (result.reason,)
            )
    return found


def test_live_then_archive_falls_back_only_for_pages_that_are_gone(web, tmp_path):
    paths = ["/page", "/missing", "/gone", "/always503", "/parked", "/soft404", "/moved-home/story",
             "/private/page", "/pdf"]
    found = outcomes(web, paths, "live-then-archive", archived_paths=paths, tmp_path=tmp_path)
    assert found["/page"] == ("live", PAGE)
    for gone in ("/missing", "/gone", "/always503", "/parked", "/soft404", "/moved-home/story"):
        assert found[gone] == ("wayback", ARCHIVED), gone
    # Not gone, just not ours to take: robots.txt said no, or it is not a text page.
    assert found["/private/page"] == ("robots",) and found["/pdf"] == ("content_type",)


def test_a_dead_link_no_archive_holds_is_no_capture(web, tmp_path):
    assert outcomes(web, ["/missing"], "live-then-archive", tmp_path=tmp_path) == {
        "/missing": ("no_capture",)
    }
    assert outcomes(web, ["/missing"], "live", tmp_path=tmp_path) == {"/missing": ("http_4xx",)}


def test_a_host_that_is_down_falls_back_to_the_archive(tmp_path):
    dead_host = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    found = outcomes(dead_host, ["/story"], "live-then-archive", archived_paths=["/story"], tmp_path=tmp_path)
    assert found == {"/story": ("wayback", ARCHIVED)}


def test_archive_mode_never_contacts_the_site(web, tmp_path):
    before = dict(Handler.hits)
    found = outcomes(web, ["/flaky503-archive-only", "/other"], "archive", archived_paths=["/other"],
                     tmp_path=tmp_path)
    assert found == {"/other": ("wayback", ARCHIVED), "/flaky503-archive-only": ("no_capture",)}
    assert Handler.hits == before  # not even robots.txt


def test_archive_then_live_goes_live_only_without_a_capture(web, tmp_path):
    found = outcomes(
        web, ["/page", "/other"], "archive-then-live", archived_paths=["/page"], tmp_path=tmp_path
    )
    assert found == {"/page": ("wayback", ARCHIVED), "/other": ("live", OTHER)}


def test_parked_and_soft_404_pages_are_recognised_cheaply():
    assert (
        dead_page_reason("http://a.example/x", "http://a.example/x", b"<h1>Buy this domain</h1>") == "parked"
    )
    assert dead_page_reason("http://a.example/x", "https://www.sedoparking.com/a.example", b"") == "parked"
    assert dead_page_reason("http://a.example/x", "http://a.example/x",
                            b"<title>404 - Not Found</title>") == "soft_404"
    assert dead_page_reason("http://a.example/2017/story", "http://a.example/", b"<p>home</p>") == "soft_404"
    # A real article, even one that talks about 404s and domains for sale in its body text.
    article = PAGE.encode() + b"<p>the error 404 is common; is this domain for sale? we asked.</p>"
    assert dead_page_reason("http://a.example/x", "http://a.example/x", article) is None
    assert dead_page_reason("http://a.example/", "http://a.example/", b"<p>home</p>") is None


def test_the_rate_limiter_spaces_requests_per_archive_host():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=sleep)
    for key in ("wayback", "wayback", "commoncrawl", "wayback"):
        limiter.wait(key)
    assert waits == [0.5, 0.5]  # wayback at 0, 0.5, 1.0; commoncrawl at once, on its own budget


def test_archive_copies_are_written_to_warc_with_their_provenance(web, tmp_path):
    from webtext.crawl.replay import read_warc

    outcomes(web, ["/missing"], "live-then-archive", archived_paths=["/missing"], tmp_path=tmp_path)
    (path,) = tmp_path.glob("*.warc.gz")
    (record,) = list(read_warc(str(path)))
    assert record.target_uri == web + "/missing" and record.source == "wayback"
    assert record.warc_date == "2017-06-16T00:00:00Z" and "/wb/web/20170616000000id_/" in record.archive_url
    assert record.body == ARCHIVED.encode()


class _SlowRobots(servers.Handler):
    def do_GET(self):
        if self.path == "/robots.txt":
            return self.send(200, b"User-agent: *\nCrawl-delay: 2\n", "text/plain")
        return self.send(200, PAGE.encode(), "text/html")


def test_robots_crawl_delay_is_waited_between_requests_to_a_host(tmp_path):
    waits = []
    with servers.serving(_SlowRobots) as base, make_session("t", (base,)) as session:
        links = [Link(f"{base}/{i}", f"{base}/{i}", 5, ("s",), (5,), ("r",), POSTED) for i in range(3)]
        config = FetchSettings(mode="live", delay_s=0.5)
        outcomes = list(
            fetch_host(session, links, config, WarcBundleWriter(str(tmp_path)), sleep=waits.append)
        )
    assert all(isinstance(o, FetchResult) for o in outcomes)
    assert waits == [2, 2]  # robots.txt asked for more than --delay_s; none before the first request
