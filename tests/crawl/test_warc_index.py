"""Replay by lookup in the on-disk WARC index answers as ReplayPages' join does: redirects followed, the
smallest record id of several captures, the same drops; a damaged file is named with what it held."""

import io
import os

from warcio.warcwriter import WARCWriter

from helpers.warc_records import link_to as link
from helpers.warc_records import write_response as record
from webtext.crawl.replay import match_replay, read_warc
from webtext.crawl.warc_index import WarcIndex, build_index
from webtext.records import Drop
from webtext.urls import canonical_url


def test_lookups_answer_as_the_join(tmp_path):
    warc = tmp_path / "pages.warc.gz"
    with open(warc, "wb") as raw:
        writer = WARCWriter(raw, gzip=True)
        record(writer, "https://a.example/x", "200 OK", b"<p>second</p>", record_id="<urn:uuid:2>")
        record(writer, "https://a.example/x", "200 OK", b"<p>first</p>", record_id="<urn:uuid:1>")
        record(writer, "https://b.example/old", "301 Moved", location="https://a.example/x")
        record(writer, "https://c.example/gone", "404 Not Found")
    build_index([str(warc)], str(tmp_path / "index.sqlite"))
    responses = list(read_warc(str(warc)))
    with WarcIndex(str(tmp_path / "index.sqlite")) as index:
        a, b, c, d = (index.replay(link(u)) for u in ("https://a.example/x", "https://b.example/old",
                                                      "https://c.example/gone", "https://d.example/never"))
        assert index.damaged() == []
    [expected] = match_replay([link("https://a.example/x")], [r for r in responses if r.target_uri.startswith(
        "https://a.example")])
    assert a == expected and a.html == "<p>first</p>" and a.origin == "replay:<urn:uuid:1>"
    assert b.html == "<p>first</p>" and b.link.url == canonical_url("https://b.example/old")
    assert c == Drop("fetch", "http_4xx", canonical_url("https://c.example/gone"), "404")
    assert d == Drop("fetch", "not_archived", canonical_url("https://d.example/never"))


def test_a_truncated_warc_is_indexed_up_to_its_damage_and_named(tmp_path):
    whole = io.BytesIO()
    writer = WARCWriter(whole, gzip=True)
    for i in range(4):
        record(writer, f"https://a.example/{i}", "200 OK", b"<p>" + b"text " * 200 + b"</p>")
    warc = tmp_path / "cut.warc.gz"
    warc.write_bytes(whole.getvalue()[:int(len(whole.getvalue()) * 0.7)])
    build_index([str(warc)], str(tmp_path / "index.sqlite"))
    with WarcIndex(str(tmp_path / "index.sqlite")) as index:
        [damaged] = index.damaged()
        kept = [index.replay(link(f"https://a.example/{i}")) for i in range(4)]
    assert damaged.path == str(warc) and damaged.records == 2
    assert [isinstance(k, Drop) for k in kept] == [False, False, True, True]


def test_two_warc_files_that_disagree_on_a_redirect_give_the_same_page_in_either_order_and_engine(tmp_path):
    """The smallest record id's redirect stands, as the smallest record id's capture of a page does: in the
    index in either file order, and in ReplayPages' join (whose side input once took whichever came last)."""
    import apache_beam as beam
    from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
    from apache_beam.testing.util import assert_that, equal_to

    from webtext.crawl.transforms import ReplayPages

    first, second = tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"
    for path, target, record_id in ((first, "https://a.example/z", "<urn:uuid:9>"),
                                    (second, "https://a.example/y", "<urn:uuid:3>")):
        with open(path, "wb") as raw:
            writer = WARCWriter(raw, gzip=True)
            record(writer, "https://a.example/old", "301 Moved", location=target, record_id=record_id)
            page_id = f"<urn:uuid:{target[-1]}>"
            record(writer, target, "200 OK", f"<p>{target}</p>".encode(), record_id=page_id)
    answers = []
    for order in ([first, second], [second, first]):
        build_index([str(p) for p in order], str(tmp_path / "index.sqlite"))
        with WarcIndex(str(tmp_path / "index.sqlite")) as index:
            answers.append(index.replay(link("https://a.example/old")).html)
        os.remove(tmp_path / "index.sqlite")
    assert answers == ["<p>https://a.example/y</p>"] * 2
    for order in ([first, second], [second, first]):
        with BeamTestPipeline(runner="FnApiRunner") as p:
            replayed = p | beam.Create([link("https://a.example/old")]) | ReplayPages([str(x) for x in order])
            assert_that(replayed.results | beam.Map(lambda r: r.html), equal_to(answers[:1]))
