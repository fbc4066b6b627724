"""One owner per `--out`: a run holds `OUT.lock` from its first step to its last (the swap and the report
included), and a second run on the same `--out` is refused at once with the holder's name.

The lock is `flock(2)` on a file beside `--out`: the kernel lets go of it when the holding process and
every process that inherited the descriptor (its forked workers) are gone, however they ended. So the
lock of a killed run is taken over safely, with no stale-PID guessing, and never while an orphaned
worker of the killed run could still write into the staging directory. The file's text (pid, command,
start time) is only for the message.

The lock is keyed by the real path of `--out` (a run through a symlink to OUT is excluded by a run on OUT),
and opened without following a symlink: a lock path that is a symlink, a FIFO or a folder is refused with
one line, never written through (a `corpus.lock` shipped beside a downloaded corpus could point anywhere).
Every command that writes into a corpus (`corpus`, `verify` when it finishes a swap, `card`, `report`,
`overlap`) takes it. Object stores (gs://, s3://) have no such lock: there, as on any
shared storage, one run per `--out` is the user's to keep.
"""

import errno
import fcntl
import json
import os
import stat
import sys
import time
from contextlib import contextmanager

from webtext.settings import ConfigError

_held: dict[str, int] = {}  # lock path -> descriptor, for the runs of this process that hold one


class OutInUse(ConfigError):
    """Another process holds this `--out`."""


class UnsafeLock(ConfigError):
    """The lock path is not a plain file webtext may write (a symlink, FIFO, folder)."""


def lock_path(out: str) -> str:
    """`OUT.lock` beside the real folder `out` names, however it is spelled (relative, through symlinks)."""
    return os.path.realpath(out.rstrip("/") or "/") + ".lock"


def _open_lock(path: str, out: str) -> int:
    """The lock file's descriptor: created if absent, never through a symlink, and only a regular file."""
    refused = f"--out {out}: its lock {path} is not a plain file webtext made"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            kind = "a symbolic link" if error.errno == errno.ELOOP else "a folder or a device"
            raise UnsafeLock(f"{refused} but {kind}: remove it (webtext will not write through it), "
                             "then run again") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeLock(f"{refused} but a FIFO or a device: remove it, then run again")
    return fd


# A killed run's workers die with it (PR_SET_PDEATHSIG), a moment after: their inherited copies of the lock
# go with them. A rerun started in that moment waits this long for them, rather than be refused.
ORPHANS_WAIT_S = 10.0


def _taken(fd: int) -> bool:
    """The lock taken: at once, or, when the run that wrote the lock file is gone and only its dying workers
    hold it, once they have let go."""
    deadline = time.monotonic() + ORPHANS_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if _holder_alive(fd) or time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def _holder_alive(fd: int) -> bool:
    """Whether the process the lock file names (the run that took it) still runs; an unreadable file is
    taken for a live holder."""
    info = _lock_info(fd)
    if info is None:
        return True
    try:
        os.kill(int(info["pid"]), 0)
    except ProcessLookupError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        return True
    return True


def _lock_info(fd: int) -> dict | None:
    """What the holder wrote in the lock file (pid, command, start time), or None where it cannot be read."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 65536).decode("utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _holder(fd: int) -> str:
    info = _lock_info(fd)
    try:
        return f"process {info['pid']} ({info['command']}, since {info['started']})"
    except (TypeError, KeyError):
        return "another process"


@contextmanager
def owning(out: str):
    """Hold `out`'s lock within; OutInUse (one line, what to do) when another process holds it. Re-entrant
    within one process: a run inside a command that already holds the lock goes on under it."""
    if "://" in out:
        yield
        return
    path = lock_path(out)
    if path in _held:
        yield
        return
    from webtext.run.staging import check_writable

    check_writable(out)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = _open_lock(path, out)
    if not _taken(fd):
        holder = _holder(fd)
        os.close(fd)
        raise OutInUse(f"--out {out} is in use by {holder}: wait for it to end, or stop it, then run again; "
                       f"a second run on one --out would mix their files") from None
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    command = " ".join(["webtext", *sys.argv[1:]])[:300]
    os.write(fd, json.dumps({"pid": os.getpid(), "command": command,
                             "started": time.strftime("%Y-%m-%d %H:%M:%S")}).encode("utf-8"))
    _held[path] = fd
    try:
        yield
    finally:
        del _held[path]
        os.close(fd)  # the workers' inherited copies are gone by now: the pool is shut down
