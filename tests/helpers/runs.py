"""`webtext` as a separate process, for tests that kill it, hold it at a point, or read what it printed."""

import os
import subprocess
import sys


def webtext(*args: str, env: dict | None = None, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "webtext", *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
