"""The extraction time limit: slow pages, crashing pages and pathological markup never hang a worker."""

import time

import pytest

from webtext.extract.extractor import extract_document
from webtext.extract.sandbox import ExtractCrash, ExtractTimeout, SandboxedCall
from webtext.records import Document, Drop, FetchResult, Link

SLOW, CRASH = "helpers.slow_targets:sleep_then_echo", "helpers.slow_targets:crash"
ECHO_OR_CRASH = "helpers.slow_targets:echo_or_crash"
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


def test_in_a_batch_a_slow_call_times_out_and_the_calls_after_it_still_run():
    sandbox = SandboxedCall(SLOW, timeout_s=1.0)
    try:
        sandbox.submit_batch([(0.0, "a"), (30.0, "slow"), (0.0, "b"), (0.0, "c")])
        assert sandbox.collect() == "a"
        started = time.monotonic()
        with pytest.raises(ExtractTimeout):
            sandbox.collect()
        assert time.monotonic() - started < 5
        assert [sandbox.collect(), sandbox.collect()] == ["b", "c"]  # sent again, to a fresh child
    finally:
        sandbox.close()


def test_in_a_batch_a_crash_costs_only_its_own_call():
    sandbox = SandboxedCall(ECHO_OR_CRASH, timeout_s=5.0)
    try:
        sandbox.submit_batch([("a",), ("crash",), ("b",), ("crash",)])
        assert sandbox.collect() == "a"
        with pytest.raises(ExtractCrash):
            sandbox.collect()
        assert sandbox.collect() == "b"
        with pytest.raises(ExtractCrash):
            sandbox.collect()
        assert sandbox("c") == "c"
    finally:
        sandbox.close()


def test_each_call_of_a_batch_has_the_whole_limit():
    """Three calls of 0.6 s under a 1 s limit: 1.8 s for the batch, and none times out."""
    sandbox = SandboxedCall(SLOW, timeout_s=1.0)
    try:
        assert sandbox(0.0, "warm") == "warm"
        sandbox.submit_batch([(0.6, "a"), (0.6, "b"), (0.6, "c")])
        assert [sandbox.collect() for _ in range(3)] == ["a", "b", "c"]
    finally:
        sandbox.close()


def test_a_batch_waits_until_the_last_one_is_collected():
    sandbox = SandboxedCall(SLOW, timeout_s=5.0)
    try:
        sandbox.submit_batch([(0.0, "a")])
        with pytest.raises(RuntimeError, match="collect"):
            sandbox.submit_batch([(0.0, "b")])
        assert sandbox.collect() == "a"
        with pytest.raises(RuntimeError, match="no call"):
            sandbox.collect()
    finally:
        sandbox.close()


def test_a_fresh_childs_start_up_is_not_counted_against_the_page():
    sandbox = SandboxedCall("helpers.slow_import:echo", timeout_s=0.5)  # the import alone takes 1.5 s
    try:
        assert sandbox("x") == "x"
    finally:
        sandbox.close()


def test_start_returns_while_the_child_imports_and_the_first_call_waits_for_it():
    """A unit worker starts its child at warm-up and goes on with a read unit meanwhile."""
    sandbox = SandboxedCall("helpers.slow_import:echo", timeout_s=0.5)  # the import alone takes 1.5 s
    try:
        started = time.monotonic()
        sandbox.start()
        assert time.monotonic() - started < 1.0
        assert sandbox.pid() is not None
        assert sandbox("x") == "x"  # the import's time is not the call's: no timeout
        assert time.monotonic() - started >= 1.5
    finally:
        sandbox.close()


def test_a_child_that_cannot_start_is_an_extract_crash_for_each_call():
    sandbox = SandboxedCall("helpers.no_such_module:echo", timeout_s=5.0)
    try:
        started = time.monotonic()
        for _ in range(2):
            with pytest.raises(ExtractCrash):
                sandbox("x")
        assert time.monotonic() - started < 10
    finally:
        sandbox.close()


def test_results_that_arrive_together_are_each_collected_at_once():
    """Small results of one batch reach the pipe together; none may wait for the time limit."""
    sandbox = SandboxedCall(SLOW, timeout_s=3.0)
    try:
        sandbox.submit_batch([(0.0, "a"), (0.0, "b"), (0.0, "c")])
        time.sleep(0.5)  # all three answers are in the pipe by now
        started = time.monotonic()
        assert [sandbox.collect() for _ in range(3)] == ["a", "b", "c"]
        assert time.monotonic() - started < 1
    finally:
        sandbox.close()


@pytest.mark.parametrize("target", ["helpers.slow_targets:crash", "helpers.slow_import:echo"])
def test_a_child_whose_parent_is_gone_before_it_is_ready_exits_quietly(target):
    """Ctrl-C ends the parent while children still import: their "ready" meets a closed pipe, and the
    user's terminal must not fill with their tracebacks (CI saw two under an interrupted rerun)."""
    import os
    import subprocess
    import sys

    tests_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests_dir, os.environ.get("PYTHONPATH", "")])}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the parent is gone before the child says a word
    child = subprocess.run(
        [sys.executable, "-m", "webtext.extract.sandbox", target],
        stdin=subprocess.DEVNULL,
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env=env,
    )
    os.close(write_end)
    assert "Traceback" not in child.stderr and child.returncode == 0, child.stderr
