"""What each kind of dump line becomes: a Submission, or a Drop with its reason."""

import json

import pytest

from webtext.records import Drop, Submission
from webtext.sources.submissions import parse_submission, parse_url_line

GOOD = {"id": "abc", "url": "https://example.com/a", "score": 12, "created_utc": 1400000000,
        "subreddit": "news", "is_self": False, "over_18": False}


def line(**changes) -> bytes:
    return json.dumps({**GOOD, **changes}).encode()


def test_good_line_gives_submission():
    sub = parse_submission(line(), "f:1")
    assert sub == Submission("abc", "https://example.com/a", 12, 1400000000, "news", False, False, "f:1")


@pytest.mark.parametrize("raw", [line() + b"\r", b"\xef\xbb\xbf" + line(), b"\x00\x00" + line()])
def test_benign_framing_is_repaired(raw):
    assert isinstance(parse_submission(raw, "f:1"), Submission)


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty_line"),
        (b"   ", "empty_line"),
        (line()[:30], "malformed_json"),
        (line() + line(), "malformed_json"),
        (b'{"id": "x", "url": "https://caf\xe9.example/"}', "invalid_utf8"),
        (b"[1, 2]", "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b'{"id":"a","score":1,"score":5,"url":"https://e.com","created_utc":1}', "duplicate_key"),
        (line(id=None), "missing_id"),
        (line(url=None), "missing_url"),
        (line(score=None), "missing_score"),
        (line(score="lots"), "bad_score"),
        (line(score=True), "bad_score"),
        (line(score=1.5), "bad_score"),
        (line(created_utc=None), "missing_created_utc"),
        (line(created_utc="yesterday"), "bad_created_utc"),
        (b'{"id":"a","url":"https://e.com/\\ud83d","score":1,"created_utc":1}', "invalid_url_text"),
        # Limits of the input, not bugs: nesting past the stack, a number past int's digit limit, dates no
        # Reddit submission has, a score past any real one.
        (b'{"id":"a","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "malformed_json"),
        (
            b'{"id":"a","url":"https://e.com","score":' + b"9" * 5000 + b',"created_utc":1400000000}',
            "malformed_json",
        ),
        (line(created_utc=-1e300), "created_utc_out_of_range"),
        (line(created_utc=1e300), "created_utc_out_of_range"),
        (line(created_utc=0), "created_utc_out_of_range"),
        (line(created_utc=4102444800), "created_utc_out_of_range"),
        (line(score=-1e300), "bad_score"),
    ],
)
def test_bad_line_is_dropped_with_reason(raw, reason):
    result = parse_submission(raw, "f:7")
    assert isinstance(result, Drop)
    assert (result.stage, result.reason, result.item) == ("read", reason, "f:7")


def test_numeric_strings_and_integral_floats_are_numbers():
    sub = parse_submission(line(score="12", created_utc=1400000000.0), "f:1")
    assert (sub.score, sub.created_utc) == (12, 1400000000)


def test_missing_subreddit_is_not_fatal():
    record = dict(GOOD)
    del record["subreddit"]
    assert parse_submission(json.dumps(record).encode(), "f:1").subreddit == ""


def test_url_list_lines():
    sub = parse_url_line(b"https://example.com/x\r", "list.txt:3")
    assert sub.url == "https://example.com/x" and sub.source == "urls:list.txt:3"
    assert parse_url_line(b"# a comment", "list.txt:1").reason == "empty_line"
    assert parse_url_line(b"\xff", "list.txt:2").reason == "invalid_utf8"


# What each labelled malformed line of ../shared/data gets. Framing damage is repaired;
# numbers written as numeric strings are read; a lone surrogate outside the URL does
# not matter to the pipeline; everything else is dropped with its reason.
SHARED_MALFORMED_OUTCOME = {
    "empty_line": "empty_line", "truncated": "malformed_json", "two_objects_one_line": "malformed_json",
    "missing_url": "missing_url", "url_null": "missing_url", "missing_score": "missing_score",
    "score_null": "missing_score", "missing_created_utc": "missing_created_utc",
    "invalid_utf8_bytes": "invalid_utf8", "latin1_bytes": "invalid_utf8", "duplicate_key": "duplicate_key",
    "not_object": "not_an_object", "score_string": "kept", "created_utc_string": "kept", "crlf": "kept",
    "nul_prefix": "kept", "utf8_bom": "kept", "lone_surrogate": "kept",
}


def test_shared_dump_lines_get_their_expected_outcome(shared_data):
    truth = [json.loads(t) for t in (shared_data / "submissions_truth.jsonl").read_text().splitlines()]
    raw_lines = (shared_data / "submissions.jsonl").read_bytes().split(b"\n")[: len(truth)]
    for number, (label, raw) in enumerate(zip(truth, raw_lines), 1):
        result = parse_submission(raw, f"s:{number}")
        expected = SHARED_MALFORMED_OUTCOME[label["malformed"]] if label.get("malformed") else "kept"
        outcome = result.reason if isinstance(result, Drop) else "kept"
        assert outcome == expected, (number, label.get("malformed"))
