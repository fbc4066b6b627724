"""Functions for the extraction sandbox tests; importable by the child process."""

import os
import time


def sleep_then_echo(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def crash(_html: str) -> None:
    os._exit(3)  # dies the way a segfaulting C extension would: no exception, no answer


def echo_or_crash(value: str) -> str:
    if value == "crash":
        os._exit(3)
    return value
