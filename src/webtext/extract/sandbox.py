"""trafilatura in a child process, so that one page can never hang or kill a worker.

Signals only work in a process's main thread, and Beam runs DoFns in worker
threads on most runners, so the time limit is enforced from outside: the page
goes to a child process over a pipe; if no answer comes within the limit, the
child is killed and a fresh one started. A crash of the child (lxml on
pathological markup) costs the same restart. datatrove keeps trafilatura in
check the same way.

The child is a plain `python -m webtext.extract.sandbox TARGET` subprocess, not
a multiprocessing one: multiprocessing's spawn re-imports the parent's
`__main__`, which on a Beam worker, in a notebook or in an unguarded script is
not safe to run again. Messages are length-prefixed pickles over stdin/stdout
(the child is our own code, so pickle is not an exposure).
"""

import importlib
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from collections.abc import Callable

_HEADER = struct.Struct("<Q")


class ExtractTimeout(Exception):
    pass


class ExtractCrash(Exception):
    pass


def _write(stream, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exactly(stream, n: int) -> bytes:
    data = stream.read(n)
    if len(data) != n:
        raise EOFError("the other side closed the pipe")
    return data


def _read(stream):
    (length,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    return pickle.loads(_read_exactly(stream, length))


def resolve(target: str) -> Callable:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


class SandboxedCall:
    """Calls TARGET ("module:function") in a child process, with a time limit per call."""

    def __init__(self, target: str, timeout_s: float):
        self._target, self._timeout_s = target, timeout_s
        self._process: subprocess.Popen | None = None
        self._deadline = 0.0

    def _start(self) -> None:
        # The child can import whatever this process can: same interpreter, same sys.path.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._process = subprocess.Popen([sys.executable, "-m", "webtext.extract.sandbox", self._target],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def __call__(self, *args):
        self.submit(*args)
        return self.collect()

    def submit(self, *args) -> None:
        """Send a call to the child without waiting (one call in flight at a time)."""
        if self._process is None or self._process.poll() is not None:
            self.close(kill=True)
            self._start()
        try:
            _write(self._process.stdin, args)
        except (BrokenPipeError, OSError):
            self.close(kill=True)  # collect() reports the crash
        self._deadline = time.monotonic() + self._timeout_s

    def collect(self):
        """The result of the call in flight; ExtractTimeout once its time limit has passed since submit()."""
        if self._process is None:
            raise ExtractCrash("the extraction process died")
        remaining = max(0.0, self._deadline - time.monotonic())
        ready, _, _ = select.select([self._process.stdout], [], [], remaining)
        if not ready:
            self.close(kill=True)
            raise ExtractTimeout(f"no result within {self._timeout_s:g} s")
        try:
            status, value = _read(self._process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            self.close(kill=True)
            raise ExtractCrash(f"the extraction process died: {error}") from error
        if status == "error":
            raise RuntimeError(value)
        return value

    def close(self, kill: bool = False) -> None:
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
    while True:
        try:
            args = _read(stdin)
        except EOFError:
            return
        try:
            _write(stdout, ("ok", target(*args)))
        except Exception as error:  # reported to the parent as extract_error
            _write(stdout, ("error", f"{type(error).__name__}: {error}"[:300]))


if __name__ == "__main__":
    _serve(resolve(sys.argv[1]))
