"""A sandbox target whose module takes long to import, as trafilatura's does on a busy machine."""

import time

time.sleep(1.5)


def echo(value: str) -> str:
    return value
