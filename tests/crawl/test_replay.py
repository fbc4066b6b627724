"""Replay: WARC responses joined to links by canonical URL, each outcome with its reason."""

from webtext.crawl.replay import ArchivedResponse, match_replay, read_warc
from webtext.records import Drop, FetchResult, Link
from webtext.sample.paths import sample_warc

LINK = Link("https://example.com/a", "https://www.example.com/a/", 5, ("s1",), (5,), ("news",), 100)


def response(record_id="<urn:1>", status=200, content_type="text/html", body=b"<p>hi</p>"):
    return ArchivedResponse("https://www.example.com/a/", status, content_type, body, record_id, "x.warc.gz")


def test_archived_page_becomes_a_fetch_result():
    [result] = match_replay([LINK], [response()])
    assert isinstance(result, FetchResult)
    assert (result.html, result.final_url, result.origin) == (
        "<p>hi</p>",
        "https://www.example.com/a/",
        "replay:<urn:1>",
    )


def test_missing_error_and_binary_responses_are_dropped_with_reasons():
    assert match_replay([LINK], []).__next__().reason == "not_archived"
    assert next(match_replay([LINK], [response(status=404)])).reason == "http_4xx"
    assert next(match_replay([LINK], [response(status=503)])).reason == "http_5xx"
    assert next(match_replay([LINK], [response(content_type="image/png")])).reason == "content_type"


def test_several_captures_pick_one_regardless_of_order():
    a, b = response("<urn:a>", body=b"A"), response("<urn:b>", body=b"B")
    assert (
        [r.html for r in match_replay([LINK], [b, a])]
        == [r.html for r in match_replay([LINK], [a, b])]
        == ["A"]
    )


def test_sample_warc_reads_every_response():
    responses = list(read_warc(sample_warc()))
    assert len(responses) > 30 and all(isinstance(r.body, bytes) for r in responses)


def test_shared_warc_has_110_pages(shared_data):
    responses = list(read_warc(str(shared_data / "pages.warc.gz")))
    assert len(responses) == 110
    assert all(not isinstance(r, Drop) and r.status == 200 for r in responses)


def test_archived_redirects_are_followed_and_loops_end():
    from webtext.crawl.replay import resolve_redirects

    hops = {"https://a.com/old": "https://a.com/new", "https://a.com/new": "https://a.com/final",
            "https://loop.com/1": "https://loop.com/2", "https://loop.com/2": "https://loop.com/1"}
    assert resolve_redirects("https://a.com/old", hops) == "https://a.com/final"
    assert resolve_redirects("https://b.com/", hops) == "https://b.com/"
    assert resolve_redirects("https://loop.com/1", hops) in ("https://loop.com/1", "https://loop.com/2")
