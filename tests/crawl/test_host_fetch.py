"""HostFetcher, the fetch driver of both engines, against the loopback server: a round's outcomes come
back with their host's tag, every thread's host accounted for; a round called off (a Beam bundle that
failed part-way, to be retried whole) hands on nothing more of its own, and the next round is whole."""

import time

from helpers.loopback_server import loopback_server
from helpers.warc_records import link_to as link
from webtext.crawl.host_fetch import HostFetcher
from webtext.crawl.settings import FetchSettings
from webtext.records import Drop, FetchResult


def settings(base: str) -> FetchSettings:
    return FetchSettings(mode="live", delay_s=0.0, retries=1, backoff_s=0.01, fetch_threads=2,
                         allow_origins=(base,))


def test_a_round_hands_on_each_outcome_with_its_hosts_tag_then_ends(tmp_path):
    with loopback_server() as base:
        fetcher = HostFetcher(settings(base))
        fetcher.begin(str(tmp_path))
        fetcher.add_host([link(f"{base}/slow/{i}") for i in range(3)], tag="first")
        fetcher.add_host([link(f"{base}/missing")], tag="second")
        assert fetcher.busy  # two threads, two hosts
        taken = []
        while fetcher.hosts_running:
            taken += fetcher.take(64, wait=True)
        fetcher.end()
        fetcher.close()
    by_tag = {tag: [o for o, t in taken if t == tag] for tag in ("first", "second")}
    assert [type(o) for o in by_tag["first"]] == [FetchResult] * 3
    assert [o.reason for o in by_tag["second"] if isinstance(o, Drop)] == ["http_4xx"]
    assert len(list(tmp_path.glob("*.warc.gz"))) >= 1  # the round's pages, in whole WARC files


def test_a_round_called_off_hands_on_nothing_more_and_the_next_round_is_whole(tmp_path):
    with loopback_server() as base:
        fetcher = HostFetcher(settings(base))
        fetcher.begin(str(tmp_path / "failed"))
        fetcher.add_host([link(f"{base}/slow/{i}") for i in range(20)], tag="failed")  # 3 s of pages
        time.sleep(0.4)  # a page or two in: then the bundle fails, and is retried
        fetcher.begin(str(tmp_path / "retried"))
        fetcher.add_host([link(f"{base}/slow/{i}") for i in range(3)], tag="retried")
        started, taken = time.monotonic(), []
        while fetcher.hosts_running:
            taken += fetcher.take(64, wait=True)
        fetcher.end()
        fetcher.close()  # the called-off thread stops at its next page: no waiting out its 20
        assert time.monotonic() - started < 2.5
    assert {tag for _, tag in taken} == {"retried"} and len(taken) == 3
