"""The extraction time limit: slow pages, crashing pages and pathological markup never hang a worker."""

import time

import pytest

from webtext.extract.extractor import extract_document
from webtext.extract.sandbox import ExtractTimeout, SandboxedCall
from webtext.records import Document, Drop, FetchResult, Link

SLOW, CRASH = "helpers.slow_targets:sleep_then_echo", "helpers.slow_targets:crash"
LINK = Link("https://example.com/a", "https://example.com/a", 7, ("s1",), (7,), ("news",), 1400000000)


def result(html: str) -> FetchResult:
    return FetchResult(LINK, 200, "https://example.com/a", "text/html", "utf-8", html, "replay:<urn:x>")


def test_slow_call_times_out_and_the_next_call_works():
    sandbox = SandboxedCall(SLOW, timeout_s=1.0)
    try:
        assert sandbox(0.0, "warm") == "warm"  # the child is up
        started = time.monotonic()
        with pytest.raises(ExtractTimeout):
            sandbox(30.0, "slow")
        assert time.monotonic() - started < 5
        assert sandbox(0.0, "after") == "after"  # a fresh child took over
    finally:
        sandbox.close()


def test_slow_page_is_dropped_as_extract_timeout():
    sandbox = SandboxedCall(SLOW, timeout_s=0.5)
    try:
        drop = extract_document(result("<p>x</p>"), lambda html, url: sandbox(10.0, html))
        assert isinstance(drop, Drop) and drop.reason == "extract_timeout"
    finally:
        sandbox.close()


def test_a_crashing_child_is_an_extract_error_not_a_dead_worker():
    sandbox = SandboxedCall(CRASH, timeout_s=5.0)
    try:
        drop = extract_document(result("<p>x</p>"), lambda html, url: sandbox(html))
        assert drop.reason == "extract_error"
    finally:
        sandbox.close()


def test_deeply_nested_markup_finishes_within_the_limit():
    html = "<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>"
    sandbox = SandboxedCall("webtext.extract.extractor:run_trafilatura", timeout_s=60.0)
    try:
        started = time.monotonic()
        outcome = extract_document(result(html), sandbox)
        assert isinstance(outcome, (Document, Drop)) and time.monotonic() - started < 60
    finally:
        sandbox.close()
