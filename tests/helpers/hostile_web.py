"""A loopback web of nasty responses, each with the outcome the crawler + extractor must give it.

`CATALOGUE` maps a path to (what the server does, the expected outcome): "fetched" (a document
comes out), "extract_<reason>" / "filter" (fetched, then dropped later), or a fetch drop reason.
Everything is bounded in time: the slowest route answers within a few seconds.
"""

import gzip
import random
import socket
import time
import zlib

from helpers import servers
from webtext.sample import prose

ARTICLE = "".join(f"<p>{p}</p>" for p in prose.article(random.Random(77), 4))
GOOD = f"<html><head><title>Good</title></head><body><article>{ARTICLE}</article></body></html>".encode()


def _send(h, status, body=b"", ctype="text/html; charset=utf-8", extra=()):
    h.send(status, body, ctype, extra)


def _lying_length(h, length: int):
    """Content-Length says `length`; the body is GOOD, longer or shorter than that."""
    h.send_head(200, "text/html", length)
    h.wfile.write(GOOD)
    h.close_connection = True


def _header_drip(h):
    """Status line and headers one byte at a time, 0.25 s apart, for ever (until the client hangs up)."""
    try:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Slow: " + b"a" * 10_000:
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(0.25)
    except OSError:
        pass
    h.close_connection = True


def _half_close(h):
    h.send_head(200, "text/html", 100_000)
    h.wfile.write(GOOD[:500])
    h.wfile.flush()
    h.connection.shutdown(socket.SHUT_WR)
    h.close_connection = True


def _deflate_bomb(h):
    compressor = zlib.compressobj(9)
    body = compressor.compress(b"a" * (40 << 20)) + compressor.flush()
    _send(h, 200, body, extra=[("Content-Encoding", "deflate")])


GZIP_BOMB = gzip.compress(b"<p>" + b"b" * (40 << 20), compresslevel=9)
NESTED = b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000 + b"</body></html>"
LONG_LINE = b"<html><body><p>" + b"word " * 300_000 + b"</p></body></html>"
UNCLOSED = b"<html><body>" + b"<p><b><i><span>unclosed text and more words " * 5000
BINARY = bytes(random.Random(3).getrandbits(8) for _ in range(20_000))

CATALOGUE = {
    "/good": (lambda h: _send(h, 200, GOOD), "fetched"),
    "/good-latin1-declared-utf8-bytes": (
        lambda h: _send(h, 200, GOOD.replace(b"Good", "Caf\u00e9".encode()), "text/html; charset=iso-8859-1"),
        "fetched",
    ),
    "/good-no-charset": (lambda h: _send(h, 200, GOOD, "text/html"), "fetched"),
    "/good-xhtml": (lambda h: _send(h, 200, GOOD, "application/xhtml+xml"), "fetched"),
    "/good-gzip": (
        lambda h: _send(h, 200, gzip.compress(GOOD), extra=[("Content-Encoding", "gzip")]),
        "fetched",
    ),
    "/lying-length-short": (lambda h: _lying_length(h, 300), "filter"),  # the client must stop at 300 bytes
    "/lying-length-long": (lambda h: _lying_length(h, len(GOOD) + 5000), "connection_error"),
    "/half-closed": (_half_close, "connection_error"),
    "/reset": (lambda h: h.reset_connection(), "connection_error"),
    "/drip": (lambda h: h.drip(200), "timeout"),
    # each byte well within the read timeout, the whole far past it
    "/header-drip": (_header_drip, "timeout"),
    "/huge": (lambda h: _send(h, 200, b"<p>" + b"z" * 3_000_000 + b"</p>"), "too_large"),
    "/gzip-bomb": (lambda h: _send(h, 200, GZIP_BOMB, extra=[("Content-Encoding", "gzip")]), "too_large"),
    "/deflate-bomb": (_deflate_bomb, "too_large"),
    "/pdf": (lambda h: _send(h, 200, b"%PDF-1.4 ...", "application/pdf"), "content_type"),
    "/png": (lambda h: _send(h, 200, b"\x89PNG\r\n", "image/png"), "content_type"),
    "/octet": (lambda h: _send(h, 200, BINARY, "application/octet-stream"), "content_type"),
    "/zip": (lambda h: _send(h, 200, b"PK\x03\x04", "application/zip"), "content_type"),
    "/no-content-type": (lambda h: h.send(200, GOOD, ""), "content_type"),
    "/binary-as-html": (lambda h: _send(h, 200, BINARY), "extract"),
    "/invalid-utf8": (lambda h: _send(h, 200, GOOD.replace(b"Good", b"\xff\xfe\xfd")), "fetched"),
    "/nested": (lambda h: _send(h, 200, NESTED), "extract"),
    "/long-line": (lambda h: _send(h, 200, LONG_LINE), "filter"),
    "/unclosed": (lambda h: _send(h, 200, UNCLOSED), "filter"),
    "/empty": (lambda h: _send(h, 200, b""), "extract"),
    "/script-only": (lambda h: _send(h, 200, prose.SCRIPT_SHELL.encode()), "extract"),
    "/404": (lambda h: _send(h, 404, b"nope"), "http_4xx"),
    "/410": (lambda h: _send(h, 410, b"gone"), "http_4xx"),
    "/403": (lambda h: _send(h, 403, b"forbidden"), "http_4xx"),
    "/500": (lambda h: _send(h, 500, b"boom"), "http_5xx"),
    "/503-retry-after": (lambda h: _send(h, 503, b"busy", extra=[("Retry-After", "0")]), "http_5xx"),
    "/429-forever": (lambda h: _send(h, 429, b"slow", extra=[("Retry-After", "3600")]), "http_429"),
    "/429-no-header": (lambda h: _send(h, 429, b"slow"), "http_429"),
    "/redirect-loop": (lambda h: _send(h, 302, extra=[("Location", "/redirect-loop")]), "redirect_loop"),
    "/redirect-long": (lambda h: _send(h, 302, extra=[("Location", "/redirect-long-2")]), "fetched"),
    "/redirect-long-2": (lambda h: _send(h, 302, extra=[("Location", "/redirect-long-3")]), "fetched"),
    "/redirect-long-3": (lambda h: _send(h, 301, extra=[("Location", "/good")]), "fetched"),
    "/redirect-metadata": (lambda h: _send(h, 302, extra=[("Location", "http://169.254.169.254/")]), "ssrf"),
    "/redirect-private": (lambda h: _send(h, 302, extra=[("Location", "http://10.1.2.3/admin")]), "ssrf"),
    "/redirect-ipv6-local": (lambda h: _send(h, 302, extra=[("Location", "http://[fe80::1]/")]), "ssrf"),
    "/redirect-file": (lambda h: _send(h, 302, extra=[("Location", "file:///etc/passwd")]), "ssrf"),
    "/redirect-ftp": (lambda h: _send(h, 302, extra=[("Location", "ftp://example.com/x")]), "ssrf"),
    "/redirect-no-location": (lambda h: _send(h, 302, b"where?"), "http_3xx"),
    "/private/secret": (lambda h: _send(h, 200, GOOD), "robots"),
    # every hop checked
    "/public/go": (lambda h: _send(h, 302, extra=[("Location", "/private/secret")]), "robots"),
    "/redirect-garbage": (lambda h: _send(h, 302, extra=[("Location", "http://[::1")]), "bad_redirect"),
    "/redirect-bad-port": (
        lambda h: _send(h, 302, extra=[("Location", "http://example.com:99999/")]),
        "bad_redirect",
    ),
    "/charset-base64": (lambda h: _send(h, 200, GOOD, "text/html; charset=base64"), "fetched"),
    "/charset-rot13": (lambda h: _send(h, 200, GOOD, "text/html; charset=rot13"), "fetched"),
    "/meta-charset-zlib": (lambda h: _send(h, 200, b'<meta charset="zlib">' + GOOD, "text/html"), "fetched"),
    "/204": (lambda h: _send(h, 204, b""), "http_empty"),
    "/205": (lambda h: _send(h, 205, b""), "http_empty"),
    "/gzip-broken": (
        lambda h: _send(h, 200, b"\x1f\x8b\x08\x00" + BINARY[:2000], extra=[("Content-Encoding", "gzip")]),
        "decode_error",
    ),
    "/set-cookie": (lambda h: _send(h, 200, GOOD, extra=[("Set-Cookie", "session=abc; Path=/")]), "fetched"),
    "/needs-no-cookie": (lambda h: _send(h, 200 if "Cookie" not in h.headers else 403, GOOD), "fetched"),
}


class HostileHandler(servers.Handler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            return _send(self, 200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        route = CATALOGUE.get(path)
        if route is None:
            return _send(self, 404, b"no such route")
        return route[0](self)


def hostile_web():
    return servers.serving(HostileHandler)


class RobotsHandler(servers.Handler):
    """A host whose robots.txt is the problem: huge, slow, or garbage; its one page is fine."""

    robots = "garbage"

    def do_GET(self):
        if self.path != "/robots.txt":
            return _send(self, 200, GOOD)
        if self.robots == "huge":
            return _send(self, 200, b"User-agent: *\nAllow: /\n" + b"# padding\n" * 200_000, "text/plain")
        if self.robots == "slow":
            return self.drip(200)
        return _send(self, 200, BINARY, "text/plain")


def robots_host(kind: str):
    return servers.serving(type(f"Robots{kind.title()}", (RobotsHandler,), {"robots": kind}))
