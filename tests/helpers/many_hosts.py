"""A loopback web of several hosts (127.0.0.2, 127.0.0.3, ...), each serving article pages after a set
latency, counting the requests for each path and the most it had in flight at once."""

import random
import threading
import time
import zlib
from collections import Counter
from contextlib import ExitStack, contextmanager

from helpers.servers import Handler, serving
from webtext.sample import prose


class Host:
    """What one host saw: requests per path, and the most requests it was answering at once."""

    def __init__(self):
        self.hits: Counter = Counter()
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()


def article_page(host: str, path: str) -> bytes:
    """The same page for the same host and path, every time."""
    rng = random.Random(zlib.crc32(f"{host}{path}".encode()))
    return prose.page_html(f"Article {path}", host, prose.article(rng, rng.randint(3, 6)), rng).encode()


def _handler_for(host: Host, latency_s: float):
    class PageHandler(Handler):
        def do_GET(self):
            with host.lock:
                host.hits[self.path] += 1
                host.in_flight += 1
                host.max_in_flight = max(host.max_in_flight, host.in_flight)
            body, kind = (b"User-agent: *\nAllow: /\n", "text/plain") if self.path == "/robots.txt" else \
                (article_page(self.headers["Host"].split(":")[0], self.path), "text/html; charset=utf-8")
            try:
                time.sleep(latency_s)
                self.send_head(200, kind, len(body))
                self.wfile.write(body[:-1])
                self.wfile.flush()
            finally:
                # Out of flight before the last byte goes: a client cannot have its answer, and send the
                # next request, while this one still counts (it could, and the test saw 2 at once).
                with host.lock:
                    host.in_flight -= 1
            self.wfile.write(body[-1:])
    return PageHandler


@contextmanager
def many_hosts(count: int, latency_s: float = 0.0):
    """Yield [(base URL, Host)] for `count` hosts."""
    with ExitStack() as stack:
        hosts = []
        for i in range(count):
            host = Host()
            hosts.append(
                (stack.enter_context(serving(_handler_for(host, latency_s), f"127.0.0.{2 + i}")), host)
            )
        yield hosts


def allow_flags(hosts) -> list[str]:
    return [flag for base, _ in hosts for flag in ("--allow_origin", base)]
