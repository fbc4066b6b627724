"""Archived copies: closest capture to the post date, both archives' protocols, failures and safety.

Against loopback fakes of the Wayback Machine and Common Crawl (helpers/fake_archives.py).
"""

import pytest

from helpers.fake_archives import Archive, Snapshot, fake_archives
from helpers.loopback_server import OTHER, PAGE
from webtext.crawl.archives import (
    ArchiveClient,
    Capture,
    closest_first,
    collections_near,
    crawl_start_utc,
    parse_cc_index,
    parse_wayback_index,
    timestamp_utc,
)
from webtext.crawl.fetch import FetchFailure, make_session
from webtext.crawl.settings import FetchSettings
from webtext.records import Link
from webtext.sources.settings import WEBTEXT_CUTOFF_UTC

POSTED = timestamp_utc("20170615120000")
URL = "http://news.example.com/2017/06/story"


def link(url=URL, posted=POSTED) -> Link:
    return Link(url, url, 5, ("t3_a",), (5,), ("news",), posted)


def config_for(base: str, **changes) -> FetchSettings:
    settings = dict(
        mode="archive",
        allow_origins=(base,),
        wayback_url=f"{base}/wb",
        cc_index_url=f"{base}/cc-index",
        cc_data_url=f"{base}/cc-data",
        archive_requests_per_s=1000.0,
        retries=2,
        backoff_s=0.01,
        timeout_s=5.0,
    )
    return FetchSettings(**{**settings, **changes})


def fetch(archive: Archive, the_link: Link = None, undated_as_of=None, **changes):
    with fake_archives(archive) as base, make_session("webtext-tests", (base,)) as session:
        client = ArchiveClient(
            session, config_for(base, **changes), sleep=lambda s: None, undated_as_of=undated_as_of
        )
        return client.fetch(the_link or link())


def snap(timestamp: str, body: str = PAGE, **kw) -> Snapshot:
    return Snapshot(timestamp, body.encode(), **kw)


# -- choosing the capture (pure functions) --

def test_the_closest_usable_capture_wins_whichever_side_of_the_post_date():
    captures = [Capture("wayback", "20170601000000", URL, "text/html", "200"),  # 14.5 days before
                Capture("wayback", "20170620000000", URL, "text/html", "200"),  # 4.5 days after
                Capture("wayback", "20170616000000", URL, "application/pdf", "200"),  # closest, not text
                # not a 200
                Capture("commoncrawl", "20170615130000", URL, "text/html", "404", "a.warc.gz", 0, 9)]
    assert [c.timestamp for c in closest_first(captures, POSTED, ("wayback",))] == ["20170620000000",
                                                                                     "20170601000000"]


def test_ties_go_to_the_earlier_capture_then_to_the_archive_listed_first():
    before = Capture("commoncrawl", "20170614120000", URL, "text/html", "200", "a.warc.gz", 0, 100)
    after = Capture("wayback", "20170616120000", URL, "text/html", "200")
    same_cc = Capture("commoncrawl", "20170616120000", URL, "text/html", "200", "b.warc.gz", 0, 100)
    ordered = closest_first([after, same_cc, before], POSTED, ("wayback", "commoncrawl"))
    assert ordered == [before, after, same_cc]


def test_crawl_ids_are_dated_and_the_nearest_crawls_asked():
    assert crawl_start_utc("CC-MAIN-2017-26") == timestamp_utc("20170626")
    assert crawl_start_utc("CC-MAIN-2013-20") == timestamp_utc("20130513")
    assert crawl_start_utc("CC-MAIN-2012") == timestamp_utc("2012")
    assert crawl_start_utc("not-a-crawl") is None and crawl_start_utc("CC-MAIN-2017-60") is None
    collinfo = [
        {"id": c, "cdx-api": f"api/{c}"}
        for c in (
            "CC-MAIN-2019-04",
            "CC-MAIN-2017-26",
            "CC-MAIN-2017-22",
            "CC-MAIN-2017-30",
            "CC-MAIN-2016-50",
        )
    ]
    assert [c for c, _ in collections_near(collinfo, POSTED, 365, 2)] == [
        "CC-MAIN-2017-26",
        "CC-MAIN-2017-22",
    ]
    assert [c for c, _ in collections_near(collinfo, POSTED, 30, 9)] == ["CC-MAIN-2017-26", "CC-MAIN-2017-22",
                                                                         "CC-MAIN-2017-30"]


@pytest.mark.parametrize("body", [b"{", b"[[\"timestamp\"], 5]", b"{\"a\": 1}"])
def test_an_unreadable_wayback_index_is_an_archive_error(body):
    with pytest.raises(FetchFailure) as failure:
        parse_wayback_index(body)
    assert failure.value.reason == "archive_error"


@pytest.mark.parametrize("body", [b"not json\n", b"{\"timestamp\": \"2017\"}\n", b"[1, 2]\n"])
def test_an_unreadable_common_crawl_index_is_an_archive_error(body):
    with pytest.raises(FetchFailure) as failure:
        parse_cc_index(body)
    assert failure.value.reason == "archive_error"


# -- the Wayback Machine --

def test_wayback_gives_the_raw_capture_closest_to_the_post_date():
    archive = Archive(wayback={URL: [snap("20161001000000", OTHER), snap("20170618093000"),
                                     snap("20170901000000", OTHER)]})
    fetched = fetch(archive, archives=("wayback",))
    assert fetched.body == PAGE.encode() and fetched.url == URL
    assert fetched.source == "wayback" and fetched.captured_at == "2017-06-18T09:30:00Z"
    assert fetched.archive_url.endswith(f"/wb/web/20170618093000id_/{URL}")
    asked = next(r for r in archive.requests if r.startswith("/wb/cdx"))
    assert "from=20160615120000" in asked and "to=20180615120000" in asked  # the +-365 day window


def test_a_capture_outside_the_window_is_not_used():
    archive = Archive(wayback={URL: [snap("20150101000000")]})
    with pytest.raises(FetchFailure) as failure:
        fetch(archive, archives=("wayback",))
    assert failure.value.reason == "no_capture"
    assert fetch(archive, archives=("wayback",), archive_window_days=1000).source == "wayback"


def test_wayback_answering_from_a_neighbouring_capture_records_the_time_it_served():
    archive = Archive(wayback={URL: [snap("20170620000000")]})
    with fake_archives(archive) as base, make_session("t", (base,)) as session:
        client = ArchiveClient(session, config_for(base), sleep=lambda s: None)
        capture = Capture("wayback", "20170619000000", URL, "text/html", "200")
        fetched = client.download(capture, link())
    assert fetched.captured_at == "2017-06-20T00:00:00Z" and "20170620000000id_" in fetched.archive_url


def test_a_failing_capture_makes_way_for_the_next_closest():
    archive = Archive(wayback={URL: [snap("20170615000000"), snap("20170701000000", OTHER)]})
    archive.fail("/wb/web/20170615000000", 500, 500, 500)  # every retry of the closest fails
    fetched = fetch(archive, archives=("wayback",))
    assert fetched.body == OTHER.encode() and fetched.captured_at == "2017-07-01T00:00:00Z"


def test_rate_limited_and_busy_indexes_are_retried():
    archive = Archive(wayback={URL: [snap("20170615000000")]})
    archive.fail("/wb/cdx", 429, 503)  # Retry-After: 0, then a 5xx; the third try answers
    assert fetch(archive, archives=("wayback",)).source == "wayback"
    assert sum(r.startswith("/wb/cdx") for r in archive.requests) == 3


def test_an_index_that_stays_down_is_an_archive_error_not_a_missing_capture():
    archive = Archive(wayback={URL: [snap("20170615000000")]})
    archive.fail("/wb/cdx", 503, 503, 503)
    with pytest.raises(FetchFailure) as failure:
        fetch(archive, archives=("wayback",))
    assert failure.value.reason == "archive_error" and "503" in failure.value.detail


# -- safety rules hold for archive answers too --

def test_an_archive_redirect_to_a_private_address_is_refused():
    archive = Archive(wayback={URL: [snap("20170615000000", location="http://169.254.169.254/latest/meta-data")]})
    with pytest.raises(FetchFailure) as failure:
        fetch(archive, archives=("wayback",))
    assert failure.value.reason == "ssrf"


def test_an_oversized_capture_is_too_large():
    archive = Archive(wayback={URL: [snap("20170615000000", "<p>" + "a" * 300_000)]})
    with pytest.raises(FetchFailure) as failure:
        fetch(archive, archives=("wayback",), max_body_bytes=100_000)
    assert failure.value.reason == "too_large"


def test_a_capture_that_is_not_text_is_refused_even_if_the_index_said_html():
    archive = Archive(wayback={URL: [snap("20170615000000", "%PDF-1.4", mime="application/pdf")]})
    with fake_archives(archive) as base, make_session("t", (base,)) as session:
        client = ArchiveClient(session, config_for(base), sleep=lambda s: None)
        with pytest.raises(FetchFailure) as failure:
            client.download(Capture("wayback", "20170615000000", URL, "text/html", "200"), link())
    assert failure.value.reason == "content_type"


def test_a_common_crawl_record_that_inflates_without_end_is_too_large():
    archive = Archive(crawls={"CC-MAIN-2017-26": {URL: [snap("20170620000000", mime="bomb")]}})
    with pytest.raises(FetchFailure) as failure:
        fetch(archive, archives=("commoncrawl",), max_body_bytes=1_000_000)
    assert failure.value.reason == "too_large"


# -- Common Crawl --

def test_common_crawl_finds_the_nearest_crawls_and_reads_the_record_by_range():
    archive = Archive(
        crawls={
            "CC-MAIN-2017-26": {URL: [snap("20170625101010")]},
            "CC-MAIN-2016-07": {URL: [snap("20160210000000", OTHER)]},
            "CC-MAIN-2017-04": {"http://elsewhere.example/": [snap("20170120000000", OTHER)]},
        }
    )
    fetched = fetch(archive, archives=("commoncrawl",))
    assert fetched.body == PAGE.encode() and fetched.source == "commoncrawl"
    assert fetched.captured_at == "2017-06-25T10:10:10Z"
    assert "/cc-data/crawl-data/CC-MAIN-2017-26/" in fetched.archive_url and "#offset=" in fetched.archive_url
    assert not any("CC-MAIN-2016-07-index" in r for r in archive.requests)  # outside the window: not asked


def test_common_crawl_saying_no_captures_is_no_capture():
    archive = Archive(crawls={"CC-MAIN-2017-26": {"http://elsewhere.example/": [snap("20170620000000")]}})
    with pytest.raises(FetchFailure) as failure:
        fetch(archive, archives=("commoncrawl",))
    assert failure.value.reason == "no_capture"


def test_configured_crawls_are_asked_without_reading_collinfo():
    archive = Archive(crawls={"CC-MAIN-2017-26": {URL: [snap("20170625000000")]}})
    assert (
        fetch(archive, archives=("commoncrawl",), cc_collections=("CC-MAIN-2017-26",)).source == "commoncrawl"
    )
    assert not any("collinfo" in r for r in archive.requests)


def test_a_data_server_that_ignores_the_range_is_an_archive_error():
    archive = Archive(crawls={"CC-MAIN-2017-26": {URL: [snap("20170625000000"), snap("20170626000000")]}},
                      honour_ranges=False)
    with pytest.raises(FetchFailure) as failure:
        fetch(archive, archives=("commoncrawl",))
    assert failure.value.reason == "archive_error" and "range" in failure.value.detail


def test_both_archives_the_closest_capture_of_either_wins():
    archive = Archive(wayback={URL: [snap("20170701000000", OTHER)]},
                      crawls={"CC-MAIN-2017-26": {URL: [snap("20170616000000")]}})
    assert fetch(archive).source == "commoncrawl"
    archive = Archive(wayback={URL: [snap("20170615130000", OTHER)]},
                      crawls={"CC-MAIN-2017-26": {URL: [snap("20170616000000")]}})
    assert fetch(archive).source == "wayback"


def test_one_archive_down_the_other_still_answers():
    archive = Archive(crawls={"CC-MAIN-2017-26": {URL: [snap("20170616000000")]}})
    archive.fail("/wb/cdx", 503, 503, 503)
    assert fetch(archive).source == "commoncrawl"


def test_a_link_without_a_post_date_is_seen_as_of_the_cut_off():
    archive = Archive(wayback={URL: [snap("20171220000000"), snap("20150101000000", OTHER)]})
    # a URL-list link, seen as of the link rules' cut-off, which the pipeline hands the fetch stage
    fetched = fetch(archive, link(posted=0), undated_as_of=WEBTEXT_CUTOFF_UTC, archives=("wayback",))
    assert fetched.captured_at == "2017-12-20T00:00:00Z"


def test_requests_to_an_archive_wait_their_turn():
    archive = Archive(wayback={URL: [snap("20170615000000")]})
    waits = []
    with fake_archives(archive) as base, make_session("t", (base,)) as session:
        config = config_for(base, archives=("wayback",), archive_requests_per_s=2.0)
        ArchiveClient(session, config, sleep=waits.append).fetch(link())  # index query, then the capture
    assert len(archive.requests) == 2 and len(waits) == 1 and 0.4 < waits[0] <= 0.5


def test_index_rows_that_make_no_sense_are_passed_over():
    rows = [Capture("wayback", "2017139912", URL, "text/html", "200"),  # month 13
            Capture("wayback", "yesterday", URL, "text/html", "200"),
            Capture("commoncrawl", "20170616000000", URL, "text/html", "200", "f.warc.gz", -5, 100),
            Capture("commoncrawl", "20170616000000", URL, "text/html", "200", "f.warc.gz", 10, 0),
            Capture("commoncrawl", "20170616000000", URL, "text/html", "200", "", 10, 100),
            Capture("wayback", "20170620", URL, "text/html", "200")]
    assert closest_first(rows, POSTED, ("wayback", "commoncrawl")) == rows[-1:]


def test_one_crawl_index_down_the_other_crawls_still_answer():
    archive = Archive(crawls={"CC-MAIN-2017-26": {URL: [snap("20170625000000")]},
                              "CC-MAIN-2017-22": {URL: [snap("20170530000000", OTHER)]}})
    archive.fail("/cc-index/CC-MAIN-2017-26-index", 503, 503, 503)
    fetched = fetch(archive, archives=("commoncrawl",))
    assert fetched.body == OTHER.encode() and fetched.captured_at == "2017-05-30T00:00:00Z"
