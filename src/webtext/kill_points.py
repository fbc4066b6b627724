"""Named points where a test may stop the running process, to prove that a kill there loses nothing
(`WEBTEXT_KILL_AT=<name>`: SIGKILL), or hold it there while something else happens
(`WEBTEXT_HOLD_AT=<name>`: it waits, at most two minutes, until the file `WEBTEXT_HOLD_UNTIL` names exists).
Unset, a point costs two dict lookups."""

import os
import signal
import time


def kill_point(name: str) -> None:
    if os.environ.get("WEBTEXT_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("WEBTEXT_HOLD_AT") == name:
        deadline = time.monotonic() + 120
        while not os.path.exists(os.environ["WEBTEXT_HOLD_UNTIL"]) and time.monotonic() < deadline:
            time.sleep(0.05)
