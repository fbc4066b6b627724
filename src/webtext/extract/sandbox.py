"""trafilatura in a child process, so that one page can never hang or kill a worker.

Signals only work in a process's main thread, and Beam runs DoFns in worker
threads on most runners, so the time limit is enforced from outside: pages go
to a child process over a pipe, a batch at a time, and come back one by one; if
a page's answer does not come within the limit, the child is killed and a fresh
one takes the pages after it. A crash of the child (lxml on pathological
markup) costs the same restart. datatrove keeps trafilatura in check the same
way.

The child is a plain `python -m webtext.extract.sandbox TARGET` subprocess, not
a multiprocessing one: multiprocessing's spawn re-imports the parent's
`__main__`, which on a Beam worker, in a notebook or in an unguarded script is
not safe to run again. Messages are length-prefixed pickles over stdin/stdout
(the child is our own code, so pickle is not an exposure).
"""

import importlib
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable

_HEADER = struct.Struct("<Q")
STARTUP_LIMIT_S = 120.0  # for a child to import its target; a hang there is not a page's fault

logger = logging.getLogger(__name__)


class ExtractTimeout(Exception):
    pass


class ExtractCrash(Exception):
    pass


def _write(stream, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    message = memoryview(_HEADER.pack(len(data)) + data)
    while message:  # an unbuffered stream may take part of it at a time
        message = message[stream.write(message):]
    stream.flush()


def _read_exactly(stream, n: int) -> bytes:
    """n bytes, from a buffered stream or from an unbuffered one, which may return fewer a time."""
    chunks = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read(stream):
    (length,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    return pickle.loads(_read_exactly(stream, length))


def resolve(target: str) -> Callable:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


class SandboxedCall:
    """Calls TARGET ("module:function") in a child process, with a time limit per call.

    Calls go to the child in batches, one message each, and their results come back one message
    per call, in order. Each call has the whole limit, counted from when the one before it was
    done (or from the batch's sending, for the first): the limit is never shorter than asked, and
    only a busy caller, collecting late, makes it longer. When a call runs out of time or kills the
    child, a fresh child takes the calls after it.
    """

    def __init__(self, target: str, timeout_s: float, die_with_parent: bool = False):
        """`die_with_parent`: the child is killed when the thread that started it ends (prctl's death
        signal follows the thread, not the process): for a process's main thread only, as a unit
        worker's, never a Beam worker's pooled threads."""
        self._target, self._timeout_s = target, timeout_s
        self._die_with_parent = die_with_parent
        self._process: subprocess.Popen | None = None
        self._pending: deque[tuple] = deque()  # sent and not yet collected, oldest first
        self._deadline = 0.0
        self._ready = False  # the child has said "ready" (it has imported TARGET)

    def _start(self) -> None:
        """Start a child and wait until it has imported TARGET."""
        self._launch()
        self._await_ready()

    def _launch(self) -> None:
        # The child can import whatever this process can: same interpreter, same sys.path.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        # Unbuffered (bufsize=0): select() sees the pipe, not a reader's buffer, so a buffered read
        # that took the next answer's bytes along would leave select() waiting for the time limit.
        flags = ["--die_with_parent"] if self._die_with_parent else []
        self._process = subprocess.Popen(
            [sys.executable, "-m", "webtext.extract.sandbox", self._target, *flags],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            bufsize=0,
        )
        self._ready = False

    def _await_ready(self) -> None:
        """Wait for the child's "ready": a page's time limit is for the page, not for a fresh interpreter
        importing trafilatura (a second or more on a busy machine)."""
        ready, _, _ = select.select([self._process.stdout], [], [], STARTUP_LIMIT_S)
        try:
            if ready and _read(self._process.stdout) == ("ready", None):
                self._ready = True
                return
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        logger.warning("the extraction process for %s did not start", self._target)
        self._stop(kill=True)  # the calls sent to it are reported as crashes

    def start(self) -> None:
        """Start the child now rather than at the first call, without waiting for it: it imports its
        target (a second or more) while this process goes on with other work; the first call waits
        for it to be ready."""
        if self._process is None:
            self._launch()

    def pid(self) -> int | None:
        """The child's process id, while one runs."""
        return self._process.pid if self._process is not None else None

    def __call__(self, *args):
        self.submit(*args)
        return self.collect()

    def submit(self, *args) -> None:
        """Send one call to the child without waiting."""
        self.submit_batch([args])

    def submit_batch(self, calls: list[tuple]) -> None:
        """Send calls to the child without waiting, once every call sent before has been collected.
        The child reads the whole batch before it answers any call of it, so neither side can
        block the other writing."""
        if self._pending:
            raise RuntimeError("collect every call sent before sending more")
        self._pending.extend(calls)
        if calls:
            self._send_pending()

    def _send_pending(self) -> None:
        if self._process is None or self._process.poll() is not None:
            self._stop(kill=True)
            self._start()
        elif not self._ready:  # started by start(), not yet heard from
            self._await_ready()
        if self._process is not None:  # else it did not start: collect() reports a crash
            try:
                _write(self._process.stdin, list(self._pending))
            except (BrokenPipeError, OSError):
                self._stop(kill=True)  # collect() reports the crash
        self._deadline = time.monotonic() + self._timeout_s

    def collect(self):
        """The result of the oldest call sent and not collected; ExtractTimeout once its time limit
        has passed, ExtractCrash when the child died on it."""
        if not self._pending:
            raise RuntimeError("no call to collect")
        try:
            return self._receive()
        finally:
            self._pending.popleft()
            self._deadline = time.monotonic() + self._timeout_s  # the next call's limit starts now
            if self._pending and self._process is None:  # the child was killed: a fresh one takes the rest
                self._send_pending()

    def _receive(self):
        if self._process is None:
            raise ExtractCrash("the extraction process died")
        remaining = max(0.0, self._deadline - time.monotonic())
        ready, _, _ = select.select([self._process.stdout], [], [], remaining)
        if not ready:
            self._stop(kill=True)
            raise ExtractTimeout(f"no result within {self._timeout_s:g} s")
        try:
            status, value = _read(self._process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            self._stop(kill=True)
            raise ExtractCrash(f"the extraction process died: {error}") from error
        if status == "error":
            raise RuntimeError(value)
        return value

    def close(self, kill: bool = False) -> None:
        """Stop the child; calls not collected are forgotten."""
        self._pending.clear()
        self._stop(kill)

    def _stop(self, kill: bool) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if not kill and process.poll() is None:
            try:
                process.stdin.close()  # end of input: the child exits on its own
                process.wait(2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if process.poll() is None:
            process.kill()
        process.wait(5)
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _serve(target: Callable) -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints from libraries must not corrupt the protocol
    _write(stdout, ("ready", None))
    while True:
        try:
            calls = _read(stdin)  # a batch: all of it is read before any answer is written
        except EOFError:
            return
        for args in calls:
            try:
                result = ("ok", target(*args))
            except Exception as error:  # reported to the parent as extract_error
                result = ("error", f"{type(error).__name__}: {error}"[:300])
            _write(stdout, result)


if __name__ == "__main__":
    import signal

    # A terminal's Ctrl-C reaches the whole process group: the parent decides what it means, and the child
    # ends when its input does (or with its parent), without a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if "--die_with_parent" in sys.argv[2:]:
        from webtext.parent_death import die_with_parent

        die_with_parent()
    try:
        _serve(resolve(sys.argv[1]))
    except BrokenPipeError:
        # The parent is gone (interrupted or killed), even before "ready": nobody is left to answer, and a
        # traceback would land in the terminal of a user who just pressed Ctrl-C. Python's own advice: point
        # stdout at /dev/null so that the flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
        sys.exit(0)
