"""What the tests' loopback HTTP servers share: a quiet threading server run for a `with` block."""

import http.server
import socket
import struct
import threading
import time
from contextlib import contextmanager


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # routes that break connections on purpose would otherwise print tracebacks


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def send_head(self, status: int, content_type: str, length: int, extra=()) -> None:
        """Status line and headers; `length` may lie about the body that follows (some routes do)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()

    def send(self, status: int, body: bytes, content_type: str, extra=()) -> None:
        self.send_head(status, content_type, len(body), extra)
        self.wfile.write(body)

    def drip(self, length: int, interval_s: float = 0.05) -> None:
        """A 200 that sends its body one byte every `interval_s`."""
        self.send_head(200, "text/html", length)
        for _ in range(length):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(interval_s)

    def reset_connection(self) -> None:
        """Answer with a TCP reset instead of a response (SO_LINGER 0, then close)."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        for stream in (self.rfile, self.wfile):
            stream.close()
        self.connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(handler_class, host: str = "127.0.0.1"):
    """Run a server on a free loopback port; yield its base URL; stop it afterwards."""
    server = QuietServer((host, 0), handler_class)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
