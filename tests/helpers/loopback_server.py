"""A real HTTP server on 127.0.0.1 with the routes the crawler tests need."""

import gzip
import random
import threading
import time

from helpers import servers
from webtext.sample import prose


def _page(title: str, seed: int) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in prose.article(random.Random(seed), 4))
    head = f"<head><title>{title}</title></head>"
    return f"<html>{head}<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"


PAGE = _page("Loopback page", 7)
BOMB = gzip.compress(b"<p>" + b"a" * (50 << 20), compresslevel=9)
OTHER = _page("Another page", 8)


class Handler(servers.Handler):
    hits: dict[str, int] = {}  # requests per path, for the routes that fail first and then succeed
    lock = threading.Lock()

    def _count(self, path: str) -> None:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    def _first_time(self, path: str) -> bool:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path] == 1

    def _send(self, status, body: bytes, content_type="text/html; charset=utf-8", extra=()):
        self.send(status, body, content_type, extra)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            self._first_time(path)  # counted, so tests can see robots.txt is read once per host
            return self._send(200, b"User-agent: *\nDisallow: /private\n", "text/plain")
        if path in ("/page", "/private/page"):
            return self._send(200, PAGE.encode())
        if path == "/other":
            return self._send(200, OTHER.encode())
        if path == "/latin1":
            return self._send(200, "<html><body><p>caf\u00e9 cr\u00e8me</p></body></html>".encode("latin-1"),
                              "text/html; charset=iso-8859-1")
        if path == "/pdf":
            return self._send(200, b"%PDF-1.4", "application/pdf")
        if path == "/missing":
            return self._send(404, b"not here")
        if path == "/big":
            return self._send(200, b"<p>" + b"a" * 200_000 + b"</p>")
        if path == "/redirect":
            return self._send(302, b"", extra=[("Location", "/page")])
        if path.startswith("/slow/"):  # a distinct article per number, answered after 150 ms
            self._count(path)
            time.sleep(0.15)
            return self._send(200, _page(f"Slow page {path}", 1000 + int(path.rsplit("/", 1)[1])).encode())
        if path.startswith("/chain/"):  # /chain/3 -> /chain/2 -> /chain/1 -> /page
            left = int(path.rsplit("/", 1)[1])
            return self._send(302, b"", extra=[("Location", f"/chain/{left - 1}" if left > 1 else "/page")])
        if path == "/loop":
            return self._send(302, b"", extra=[("Location", "/loop")])
        if path == "/to-loopback-elsewhere":  # the same loopback address, another port: another origin
            return self._send(302, b"", extra=[("Location", "http://127.0.0.1:1/secret")])
        if path == "/to-metadata":
            return self._send(302, b"", extra=[("Location", "http://169.254.169.254/latest/meta-data/")])
        if path.startswith("/flaky429"):
            if self._first_time(path):
                return self._send(429, b"slow down", extra=[("Retry-After", "1")])
            return self._send(200, PAGE.encode())
        if path.startswith("/flaky503"):
            if self._first_time(path):
                return self._send(503, b"busy")
            return self._send(200, PAGE.encode())
        if path == "/always503":
            return self._send(503, b"busy")
        if path == "/long429":
            return self._send(429, b"come back tomorrow", extra=[("Retry-After", "86400")])
        if path == "/gone":
            return self._send(410, b"gone")
        if path == "/empty":
            return self._send(200, b"")
        if path == "/mislabelled":
            return self._send(
                200,
                "<html><body><p>caf\u00e9 cr\u00e8me br\u00fbl\u00e9e</p></body></html>".encode(),
                "text/html; charset=iso-8859-1",
            )
        if path == "/bomb":  # 10 KiB of gzip that inflates to 50 MiB
            return self._send(200, BOMB, extra=[("Content-Encoding", "gzip")])
        if path == "/parked":
            return self._send(
                200, b"<html><title>story.example</title><h1>This domain is for sale!</h1></html>"
            )
        if path == "/soft404":
            return self._send(
                200, b"<html><head><title>Page Not Found | Site</title></head><body>Sorry</body></html>"
            )
        if path == "/moved-home/story":  # an old article that now sends everyone to the home page
            return self._send(301, b"", extra=[("Location", "/")])
        if path == "/":
            return self._send(200, OTHER.encode())
        if path == "/reset":
            return self.reset_connection()
        if path == "/drip":
            return self.drip(100)
        return self._send(404, b"no route")


def loopback_server():
    """The catalogue above on a free loopback port, for a `with` block."""
    return servers.serving(Handler)
