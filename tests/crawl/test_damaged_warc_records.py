"""One bad WARC record costs that record, never the rest of its file: a record whose HTTP part is unreadable
is a warc_record_damaged drop (file and error in the detail); a stretch the reader cannot parse (garbage
between records, a wrong Content-Length, a gzip member cut short inside the file) is skipped to the next
record and named as a damaged input; the records after it are read. Replayed bodies are capped by
--max_body_bytes as fetched ones are. Both readers (the WARC index of a run in units, and ReplayPages'
join) answer the same."""

import gzip
import io

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from helpers.warc_records import link_to as link
from webtext.crawl.replay import ArchivedResponse, match_replay, read_warc_at
from webtext.crawl.warc_index import WarcIndex, build_index
from webtext.records import DamagedInput, Drop, FetchResult

PAGES = 6


def records(gz: bool, statuses: dict[int, str] = {}, bodies: dict[int, bytes] = {}) -> list[bytes]:
    """Each page's WARC record's bytes: `statuses` and `bodies` replace page i's status line or body."""
    out = []
    for i in range(PAGES):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=gz)
        http = StatusAndHeaders(statuses.get(i, "200 OK"), [("Content-Type", "text/html; charset=utf-8")],
                                protocol="HTTP/1.1")
        body = bodies.get(i, f"<p>page {i}</p>".encode())
        writer.write_record(writer.create_warc_record(f"https://a.example/{i}", "response",
                                                      payload=io.BytesIO(body), http_headers=http))
        out.append(buffer.getvalue())
    return out


def both_readers(path, tmp_path, max_body_bytes=None) -> tuple[list, list, list]:
    """(every page's outcome by the index, by the join, the damaged inputs the index names)."""
    build_index([str(path)], str(tmp_path / "index.sqlite"))
    with WarcIndex(str(tmp_path / "index.sqlite"), max_body_bytes) as index:
        by_index = [index.replay(link(f"https://a.example/{i}")) for i in range(PAGES)]
        damaged = index.damaged()
    items = [item for _, item in read_warc_at(str(path), max_body_bytes)]
    responses = [r for r in items if isinstance(r, ArchivedResponse)]
    by_join = [next(match_replay([link(f"https://a.example/{i}")],
                                 [r for r in responses if r.target_uri == f"https://a.example/{i}"]))
               for i in range(PAGES)]
    assert [d for d in items if isinstance(d, DamagedInput)] == damaged
    return by_index, by_join, damaged


def kept(outcomes) -> list[int]:
    return [i for i, o in enumerate(outcomes) if isinstance(o, FetchResult)]


@pytest.mark.parametrize("gz", [True, False])
def test_a_malformed_status_line_is_one_counted_drop(tmp_path, gz):
    path = tmp_path / ("pages.warc.gz" if gz else "pages.warc")
    path.write_bytes(b"".join(records(gz, statuses={2: "2OO OK"})))
    by_index, by_join, damaged = both_readers(path, tmp_path)
    assert by_index == by_join and damaged == []
    assert kept(by_index) == [0, 1, 3, 4, 5]
    drop = by_index[2]
    assert isinstance(drop, Drop) and drop.reason == "warc_record_damaged" and str(path) in drop.detail


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("damage", ["garbage_between", "long_content_length", "cut_member"])
def test_an_unparseable_stretch_is_skipped_to_the_next_record(tmp_path, gz, damage):
    parts = records(gz)
    if damage == "garbage_between":
        parts[2] = b"\x00junk that is no record\r\n" * 20 + parts[2]
        lost = []
    elif damage == "long_content_length":  # record 2 claims more bytes than it has
        text = gzip.decompress(parts[2]) if gz else parts[2]
        head, rest = text.split(b"Content-Length: ", 1)
        length, rest = rest.split(b"\r\n", 1)
        text = head + b"Content-Length: " + str(int(length) + 5000).encode() + b"\r\n" + rest
        parts[2] = gzip.compress(text) if gz else text
        lost = [2]
    else:  # record 2's gzip member (or plain bytes) cut short inside the file
        parts[2] = parts[2][:len(parts[2]) // 2]
        lost = [2]
    path = tmp_path / ("pages.warc.gz" if gz else "pages.warc")
    path.write_bytes(b"".join(parts))
    by_index, by_join, damaged = both_readers(path, tmp_path)
    assert by_index == by_join
    assert kept(by_index) == [i for i in range(PAGES) if i not in lost]
    assert damaged and all(d.path == str(path) for d in damaged)
    # where the damage begins (a plain WARC's record length leaves out its closing CRLFs)
    assert sum(len(p) for p in parts[:2]) - (0 if gz else 4) == damaged[0].offset


def test_a_replayed_body_past_max_body_bytes_is_too_large(tmp_path):
    path = tmp_path / "pages.warc.gz"
    path.write_bytes(b"".join(records(True, bodies={1: b"<p>" + b"x" * 200_000 + b"</p>"})))
    by_index, by_join, _ = both_readers(path, tmp_path, max_body_bytes=100_000)
    assert by_index == by_join
    assert kept(by_index) == [0, 2, 3, 4, 5] and by_index[1].reason == "too_large"
