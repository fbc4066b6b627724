"""Crawler throughput against loopback servers with injected latency, many hosts, per-host limits held.

Each of --hosts servers listens on its own loopback address (127.0.0.2, 127.0.0.3, ...) and answers
after --latency_ms; each records how many requests it had in flight at once. The fetch stage
(robots.txt, retries, WARC writing, one worker process) is measured next to a sequential
`requests` loop over the same kind of pages, in the same run.

Usage: python bench/bench_crawl.py [--hosts 64] [--pages_per_host 12] [--latency_ms 100]
"""

import argparse
import http.server
import tempfile
import threading
import time

import apache_beam as beam
import requests

from common import report
from webtext.pipeline.config import CorpusConfig
from webtext.crawl.transforms import FetchPages
from webtext.records import Link

PAGE = b"<html><body><article><p>" + b"Some words of a page. " * 200 + b"</p></article></body></html>"


class Host:
    def __init__(self, address: str, latency_s: float):
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with host.lock:
                    host.in_flight += 1
                    host.max_in_flight = max(host.max_in_flight, host.in_flight)
                time.sleep(latency_s)
                body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else PAGE
                self.send_response(200)
                self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with host.lock:
                    host.in_flight -= 1

        self.server = http.server.ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{address}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--pages_per_host", type=int, default=12)
    parser.add_argument("--latency_ms", type=float, default=100)
    args = parser.parse_args()
    hosts = [Host(f"127.0.0.{i + 2}", args.latency_ms / 1000) for i in range(args.hosts)]
    links = [Link(f"{h.base}/p{j}", f"{h.base}/p{j}", 5, ("s",), (5,), ("r",), 1)
             for h in hosts for j in range(args.pages_per_host)]
    sequential = links[: max(20, args.hosts)]
    started = time.perf_counter()
    with requests.Session() as session:
        for link in sequential:
            session.get(link.fetch_url, timeout=10).content
    plain = time.perf_counter() - started
    for h in hosts:
        h.max_in_flight = 0
    config = CorpusConfig.from_flags(inputs=("x",), warc=("y",), fetch="live", delay_s=0.0,
                          allow_origins=tuple(h.base for h in hosts), fetch_threads=args.hosts, retries=1)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        with beam.Pipeline(runner="FnApiRunner") as p:
            fetched, drops = p | beam.Create(links) | FetchPages(config.fetch, out)
            fetched | "Count" >> beam.combiners.Count.Globally()
        stage = time.perf_counter() - started
    report(f"crawl: {len(links)} pages on {args.hosts} hosts, {args.latency_ms:g} ms per response (1 process)", [
        ("sequential requests loop", len(sequential) / plain, "pages/s"),
        ("webtext fetch stage (robots, WARC, retries)", len(links) / stage, "pages/s"),
        ("most requests one host had in flight", max(h.max_in_flight for h in hosts), ""),
    ], ("webtext / sequential", (len(links) / stage) / (len(sequential) / plain)))


if __name__ == "__main__":
    main()
