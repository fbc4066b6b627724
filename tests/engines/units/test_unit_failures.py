"""A failed unit says what failed: the operating system's error or the signal that killed its worker, never
"a bug in webtext?" for either."""

import errno
import os
import signal
from concurrent.futures import ProcessPoolExecutor

import pytest

from webtext.engines.units.pool import UnitFailed


def _killed_by(sig: int) -> None:
    os.kill(os.getpid(), sig)


def _full_disk(path: str) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)


def _failure_of(fn, *args) -> UnitFailed:
    with ProcessPoolExecutor(1) as pool:
        future = pool.submit(fn, *args)
        processes = list(pool._processes.values())  # as run_units keeps them
        with pytest.raises(Exception) as raised:
            future.result(timeout=60)
        return UnitFailed("fetch units", "/x/out.staging/_units/fetched/p00000-c00001", raised.value,
                          processes)


def test_a_worker_killed_by_a_signal_is_named_with_its_signal():
    message = str(_failure_of(_killed_by, signal.SIGKILL))
    assert "p00000-c00001 failed: its worker process died (killed by SIGKILL" in message
    assert "bug" not in message and "/x/out.staging" in message


def test_a_workers_full_disk_is_named_with_its_path_and_errno():
    failure = _failure_of(_full_disk, "/x/out.staging/_units/fetched/p00000-c00001.partial/docs.pickle")
    assert "failed: No space left on device (ENOSPC) writing /x/out.staging/_units/fetched/" in str(failure)
    assert failure.os_error.errno == errno.ENOSPC and "bug" not in str(failure)


def test_an_exception_is_still_called_what_it_may_be():
    failure = UnitFailed("fetch units", "/x/out.staging/_units/fetched/p1", KeyError("min"))
    assert "KeyError: 'min' (an exception: perhaps a bug in webtext; -v shows the traceback)" in str(failure)
