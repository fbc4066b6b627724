"""Bytes from inputs reach the terminal with their control characters escaped."""

from webtext.printable import printable
from webtext.show.find import format_dropped


def test_control_characters_are_escaped_and_lines_kept_only_when_asked():
    hostile = "title\x1b]0;owned\x07 \x1b[2J\u202egnp.exe\rover"
    assert printable(hostile) == "title\\x1b]0;owned\\x07 \\x1b[2J\\u202egnp.exe\\x0dover"
    assert printable("a\nb\tc\x00", keep_lines=True) == "a\nb\tc\\x00"
    assert printable("a\nb") == "a\\x0ab"


def test_show_prints_a_dropped_records_url_and_detail_escaped():
    record = {"stage": "fetch", "reason": "http_4xx", "meaning": "a 4xx answer",
              "item": "https://evil.example/\x1b[31mred", "detail": "Server: \x1b]2;title\x07", "link": None,
              "warc": None}
    shown = format_dropped(record)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "https://evil.example/\\x1b[31mred" in shown
