"""A process pool's results in the order of their inputs, with a bounded number in flight: what a
step that merges results in a fixed order (for the same bytes from any number of processes) needs,
without holding every finished result that waits behind a slow one."""

from collections import deque
from collections.abc import Callable, Iterable, Iterator


def in_order(pool, fn: Callable, items: Iterable, window: int) -> Iterator:
    """fn(item) for each item, computed in `pool` (an Executor), yielded in the items' order; at most
    `window` submitted and not yet yielded."""
    pending = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
