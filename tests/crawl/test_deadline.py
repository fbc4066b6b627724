"""The fetch attempts' deadlines, kept by one watchdog thread a process (crawl/deadline.py): a deadline
that passes shuts its sockets down, whatever order the deadlines came in; one that ended first leaves its
sockets alone; ended ones do not pile up; a forked child gets a watchdog of its own."""

import os
import signal
import socket
import threading
import time

from webtext.crawl import deadline as deadlines
from webtext.crawl.deadline import Deadline


def _shut_down(sock: socket.socket, within_s: float) -> bool:
    """Whether a read on `sock` ends (the watchdog shut it down) within `within_s`."""
    sock.settimeout(within_s)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False


def test_a_passing_deadline_shuts_its_socket_and_says_it_expired():
    ours, theirs = socket.socketpair()
    with ours, theirs, Deadline(time.monotonic() + 0.2) as deadline:
        deadline.watch(ours)
        started = time.monotonic()
        assert _shut_down(ours, within_s=5)
        assert 0.15 < time.monotonic() - started < 2
        assert deadline.expired


def test_a_sooner_deadline_made_after_a_later_one_is_kept_on_time():
    # The watchdog sleeps until the earliest deadline it holds; a new, sooner one must wake it.
    late_ours, late_theirs = socket.socketpair()
    soon_ours, soon_theirs = socket.socketpair()
    late = Deadline(time.monotonic() + 60)
    with late_ours, late_theirs, soon_ours, soon_theirs, late:
        late.watch(late_ours)
        done = threading.Event()

        def sooner():
            with Deadline(time.monotonic() + 0.2) as soon:
                soon.watch(soon_ours)
                assert _shut_down(soon_ours, within_s=5)
                done.set()

        thread = threading.Thread(target=sooner)
        thread.start()
        thread.join(10)
        assert done.is_set()
        assert not late.expired and not _shut_down(late_ours, within_s=0.05)


def test_a_deadline_already_past_shuts_at_once_and_an_ended_one_never():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        with Deadline(time.monotonic() + 0.2) as ended:
            ended.watch(ours)
        time.sleep(0.4)  # past its time, but the attempt was over
        assert not ended.expired and not _shut_down(ours, within_s=0.05)
        with Deadline(time.monotonic() - 1) as past:
            past.watch(ours)
            assert _shut_down(ours, within_s=5) and past.expired


def test_nested_deadlines_hand_back_the_outer_one():
    with Deadline(time.monotonic() + 60) as outer:
        with Deadline(time.monotonic() + 30) as inner:
            assert deadlines.current_deadline() is inner
        assert deadlines.current_deadline() is outer
    assert deadlines.current_deadline() is None


def test_ended_deadlines_do_not_pile_up():
    # A crawl makes hundreds of attempts a second, each with a deadline minutes away.
    for _ in range(20_000):
        with Deadline(time.monotonic() + 600):
            pass
    assert len(deadlines._watchdog()._heap) <= 2 * 1024 + 2


def test_a_forked_child_keeps_deadlines_with_a_watchdog_of_its_own():
    with Deadline(time.monotonic() + 60):
        pass  # the parent's watchdog thread is running now
    pid = os.fork()
    if pid == 0:  # the child: no thread came along with the fork
        code = 1
        signal.alarm(20)  # a child stuck on a lock the fork copied dies, and the test fails, not hangs
        try:
            ours, theirs = socket.socketpair()
            with Deadline(time.monotonic() + 0.1) as deadline:
                deadline.watch(ours)
                code = 0 if _shut_down(ours, within_s=5) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
