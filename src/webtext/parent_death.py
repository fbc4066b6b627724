"""A child process that dies with its parent (Linux's PR_SET_PDEATHSIG): a worker whose launching process
is killed (SIGKILL, the OOM killer), and the extraction child of that worker, go at once rather than
work on for nobody, or wait for input forever. Elsewhere, the pools' own checks are all there is."""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent ends


def die_with_parent() -> None:
    """SIGKILL to this process when its parent ends; exit now if it has ended already."""
    if sys.platform != "linux":
        return
    parent = os.getppid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the call
        os._exit(1)
