"""Named points where a test may kill the running process (SIGKILL), to prove that a kill there loses
nothing: `WEBTEXT_KILL_AT=<name>` in the environment of a run. Unset, a point costs one dict lookup."""

import os
import signal


def kill_point(name: str) -> None:
    if os.environ.get("WEBTEXT_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
