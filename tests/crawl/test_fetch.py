"""Live fetching against a real loopback HTTP server: each kind of response gets its outcome."""

import pytest
import requests

from webtext.crawl.fetch import FetchFailure, fetch_url, robots_for
from webtext.crawl.safety import BlockedAddress, check_url_target

from helpers.loopback_server import loopback_server


@pytest.fixture(scope="module")
def base():
    with loopback_server() as url:
        yield url


def fetch(url, **kw):
    options = dict(timeout_s=2.0, max_bytes=100_000, allow_loopback=True)
    options.update(kw)
    with requests.Session() as session:
        return fetch_url(session, url, **options)


def reason(url, **kw) -> str:
    with pytest.raises(FetchFailure) as failure:
        fetch(url, **kw)
    return failure.value.reason


def test_page_is_fetched(base):
    fetched = fetch(base + "/page")
    assert fetched.status == 200 and b"<article>" in fetched.body and fetched.url == base + "/page"


def test_redirect_is_followed(base):
    assert fetch(base + "/redirect").url == base + "/page"


def test_each_failure_has_its_reason(base):
    assert reason(base + "/missing") == "http_status"
    assert reason(base + "/pdf") == "content_type"
    assert reason(base + "/big") == "too_large"
    assert reason(base + "/loop") == "too_many_redirects"
    assert reason(base + "/to-metadata") == "blocked_address"


def test_slow_drip_hits_the_total_deadline(base):
    assert reason(base + "/drip", timeout_s=0.5) == "timeout"


def test_loopback_is_blocked_unless_allowed(base):
    assert reason(base + "/page", allow_loopback=False) == "blocked_address"


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://169.254.169.254/", "http://100.64.0.1/",
                                 "http://[::1]/", "http://192.168.1.1/", "http://0.0.0.0/", "file:///etc/passwd"])
def test_private_and_metadata_addresses_are_refused(url):
    with pytest.raises(BlockedAddress):
        check_url_target(url)


def test_robots_txt_is_honoured(base):
    with requests.Session() as session:
        robots = robots_for(session, base + "/page", timeout_s=2.0, allow_loopback=True)
    assert robots.can_fetch(base + "/page", "webtext") and not robots.can_fetch(base + "/private/x", "webtext")
