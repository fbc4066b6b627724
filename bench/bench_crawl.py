"""Crawler throughput against loopback servers with injected latency, many hosts, per-host limits held.

Each of --hosts servers listens on its own loopback address (127.0.0.2, 127.0.0.3, ...) and answers
after --latency_ms; each records how many requests it had in flight at once. The fetch stage
(robots.txt, retries, WARC writing, one worker process) is measured next to a sequential
`requests` loop over the same kind of pages, in the same run.

Then the whole live crawl, `webtext corpus --fetch live` in units (crawl -> extract -> filters -> dedup
-> shards): --crawl_pages pages on --crawl_hosts hosts answering in 50-100 ms, one worker pinned to one
core and --crawl_workers workers on as many cores, in interleaved rounds: pages a second, the CPU a
page, the shards' bytes, each worker's peak memory with its 64 fetch threads, and a 45M-link crawl
projected from the measured rate. The pages (--pages): `real`, the 179 real pages of ../shared/data
rewritten into variants as bench_replay.py makes them (what a crawl extracts: 187 KB of HTML on
average, milliseconds of extraction each), or `made`, the project's own short generated articles
(a tenth of the extraction work; used where ../shared/data is absent). The servers run on the
measured cores in every run, one core or all, so that neither side has a core of its own for them.

Usage: python bench/bench_crawl.py [--hosts 64] [--pages_per_host 12] [--latency_ms 100]
                                   [--crawl_pages 2000] [--crawl_hosts 40,400] [--crawl_workers 2]
                                   [--pages real|made] [--rounds 3]
       python bench/bench_crawl.py --crawl_pages 0     (the fetch stage alone)
"""

import argparse
import asyncio
import http.server
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib

import apache_beam as beam
import requests
from bench_replay import DATA, LONG_WORD, real_pages, rewritten
from bench_scaling import machine_ratio
from common import pinned, report, report_rounds

from webtext.crawl.transforms import FetchPages
from webtext.engines.config import CorpusConfig
from webtext.records import Link
from webtext.sample import prose

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
                # Out of flight once the answer is about to go: a client cannot ask again before it has it.
                # (Counted after the write, the next request, on a new connection, could be counted before
                # this thread got the GIL back to count this one out: two in flight that never were.)
                with host.lock:
                    host.in_flight -= 1
                body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else PAGE
                self.send_response(200)
                self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{address}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


LINKS_45M, LIVE_PAGES_45M = 45_000_000, 25_000_000  # WebText's links, and about how many are still live


def address(h: int) -> str:
    """Host h's loopback address: 127.0.1.2, 127.0.1.3, ... 127.0.1.251, 127.0.2.2, ... (any number)."""
    return f"127.0.{1 + h // 250}.{2 + h % 250}"


def page_bodies(hosts: int, pages: int, kind: str) -> dict[tuple[int, str], tuple[bytes, str]]:
    """`pages` pages spread over `hosts` hosts: {(host, path): (HTML, content type)}."""
    per_host = -(-pages // hosts)
    paths = [(h, f"/a/{i}") for h in range(hosts) for i in range(min(per_host, pages - h * per_host))]
    if kind == "real":
        rng, real = random.Random(0), real_pages()
        pool = sorted({w for _, html, _ in real for w in LONG_WORD.findall(html.decode("utf-8", "replace"))})
        return {key: (rewritten(real[n % len(real)][1], rng, 0.5, pool), real[n % len(real)][2])
                for n, key in enumerate(paths)}
    bodies = {}
    for h, path in paths:
        rng = random.Random(f"{h}{path}")
        article = prose.article(rng, rng.randint(4, 9))
        html = prose.page_html(f"Article {h}{path}", f"site{h}.test", article, rng)
        bodies[(h, path)] = (html.encode(), "text/html; charset=utf-8")
    return bodies


def serve_articles(hosts: int, pages: int, kind: str) -> None:
    """Serve `pages` pages (page_bodies) over `hosts` loopback hosts, each answer after 50-100 ms (fixed per
    page); print the hosts' [base URL, pages] as one JSON line; serve until stdin closes.

    In a process of its own, on asyncio (a fraction of a millisecond of CPU a request, where a threading
    server spends about one): the servers of a real crawl are not on the crawler's cores, and here they
    share the measured ones."""
    bodies = page_bodies(hosts, pages, kind)

    def answer(h: int, path: str) -> bytes:
        body, content_type = (
            (b"User-agent: *\nAllow: /\n", "text/plain") if path == "/robots.txt"
            else bodies.get((h, path), (None, "text/html"))
        )
        status = "200 OK" if body is not None else "404 Not Found"
        body = body or b""
        return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
                .encode() + body)

    def handler_for(h: int):
        async def handle(reader, writer):
            try:
                while request := await reader.readuntil(b"\r\n\r\n"):
                    path = request.split(b" ", 2)[1].decode()
                    await asyncio.sleep((50 + zlib.crc32(f"{h}{path}".encode()) % 51) / 1000)
                    writer.write(answer(h, path))
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()
        return handle

    async def serve():
        servers = [await asyncio.start_server(handler_for(h), address(h), 0) for h in range(hosts)]
        print(
            json.dumps(
                [
                    [
                        f"http://{address(h)}:{server.sockets[0].getsockname()[1]}",
                        sum(1 for key in bodies if key[0] == h),
                    ]
                    for h, server in enumerate(servers)
                ]
            ),
            flush=True,
        )
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(serve())


def crawl(urls: str, bases: list[str], out: str, workers: int, *extra: str) -> tuple[float, float, dict]:
    """One whole live crawl, `workers` workers pinned to as many cores: (its seconds, the seconds of its
    crawl proper, the fetch units, its manifest)."""
    command = [
        *pinned(workers),
        sys.executable,
        "-m",
        "webtext",
        "corpus",
        "--urls",
        urls,
        "--out",
        out,
        "--fetch",
        "live",
        "--delay_s",
        "0",
        "--workers",
        str(workers),
        "--quiet",
        "--no_report",
        *(flag for base in bases for flag in ("--allow_origin", base)),
        *extra,
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - started
    with open(os.path.join(out, "_work", "run.json")) as stream:
        run = json.load(stream)
    with open(os.path.join(out, "manifest.json")) as stream:
        manifest = json.load(stream)
    return seconds, run["phases_wall_s"]["fetch units"], {"manifest": manifest, "run": run}


class Served:
    """The article servers (serve_articles) in a process of their own, for a `with` block."""

    def __init__(self, hosts: int, pages: int, kind: str):
        self._server = subprocess.Popen([sys.executable, __file__, "--serve", str(hosts), str(pages), kind],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.hosts = json.loads(self._server.stdout.readline())
        self.bases = [base for base, _ in self.hosts]

    def on_cores(self, cores: int) -> None:
        """Run the servers on the first `cores` CPUs, those the crawl they answer is measured on."""
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(self._server.pid, set(range(cores)))

    def url_list(self, path: str) -> str:
        with open(path, "w") as listing:
            listing.writelines(f"{base}/a/{i}\n" for base, count in self.hosts for i in range(count))
        return path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._server.stdin.close()
        self._server.wait()


def crawl_in_units(pages: int, hosts: int, workers: int, rounds: int, kind: str) -> None:
    # The settings a user runs: no --fetch_threads or --unit_links. (--delay_s 0: these are the bench's own
    # servers, which ask for no politeness delay; with the default 1 s a 40-host crawl waits on the hosts,
    # not on the cores.)
    with Served(hosts, pages, kind) as served, tempfile.TemporaryDirectory() as tmp:
        urls = served.url_list(os.path.join(tmp, "urls.txt"))
        ones, manys = [], []
        for r in range(rounds):
            served.on_cores(1)
            ones.append(crawl(urls, served.bases, os.path.join(tmp, f"one-{r}"), 1))
            served.on_cores(workers)
            manys.append(crawl(urls, served.bases, os.path.join(tmp, f"many-{r}"), workers))
    with Served(64, 64 * 10, kind) as served, tempfile.TemporaryDirectory() as tmp:  # 64 hosts, 64 threads
        _, _, wide = crawl(
            served.url_list(os.path.join(tmp, "urls.txt")), served.bases, os.path.join(tmp, "o"), 1
        )
    one, many = ones[-1][2]["manifest"], manys[-1][2]["manifest"]
    fetched = one["stages"]["fetch"]["kept"]
    same = [s["tokens_sha256"] for s in one["shards"]] == [s["tokens_sha256"] for s in many["shards"]]
    peak = max(row["peak_rss_bytes"] for row in wide["run"]["resources"] if row["stage"] == "fetch") / 2**20
    one_s, many_s = (statistics.median(x[0] for x in runs) for runs in (ones, manys))
    one_crawl_s, many_crawl_s = (statistics.median(x[1] for x in runs) for runs in (ones, manys))
    efficiency = one_crawl_s / many_crawl_s / workers
    projected_h = LIVE_PAGES_45M / (fetched / one_crawl_s * 16 * efficiency) / 3600
    ratios = [o[1] / m[1] for o, m in zip(ones, manys)]
    machine = machine_ratio(workers)
    cpu_a_page = [sum(row["cpu_s"] for row in runs[-1][2]["run"]["resources"]) / fetched * 1000
                  for runs in (ones, manys)]
    report(f"live crawl in units: {fetched} {kind} pages on {hosts} hosts answering in 50-100 ms, {rounds} "
           f"rounds (median)", [
        ("1 worker on 1 core: the crawl (fetch units)", fetched / one_crawl_s, "pages/s"),
        (f"{workers} workers on {workers} cores: the crawl", fetched / many_crawl_s, "pages/s"),
        ("1 worker on 1 core: the whole command", fetched / one_s, "pages/s"),
        (f"{workers} workers on {workers} cores: the whole command", fetched / many_s, "pages/s"),
        (f"the whole command, {workers} workers / 1", one_s / many_s, "x"),
        ("one core's wall a page, fetch to dedup record", one_crawl_s / fetched * 1000, "ms"),
        ("CPU a page, every stage: 1 worker", cpu_a_page[0], "ms"),
        (f"CPU a page, every stage: {workers} workers", cpu_a_page[1], "ms"),
        ("a worker's peak memory, 64 fetch threads busy", peak, "MiB"),
        ("shards byte-identical (tokens), 1 and N workers", float(same), "(1 = yes)"),
        (f"45M links ({LIVE_PAGES_45M // 10**6}M live pages), 16 cores, projected", projected_h, "hours"),
        (f"{workers} copies of a plain Python loop / 1, these cores", machine, "x"),
    ], (f"the crawl, {workers} workers / 1", statistics.median(ratios)))
    report_rounds(ratios)


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve_articles(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--pages_per_host", type=int, default=12)
    parser.add_argument("--latency_ms", type=float, default=100)
    parser.add_argument("--crawl_pages", type=int, default=2000)
    parser.add_argument("--crawl_hosts", default="40,400", help="host counts, each crawled in its own runs")
    parser.add_argument("--crawl_workers", type=int, default=2)
    parser.add_argument("--pages", choices=("real", "made"), default="real",
                        help="real: the shared data's pages rewritten (else made); made: generated ones")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    kind = args.pages
    if kind == "real" and not os.path.isdir(DATA):
        print(f"{DATA} is absent: generated pages instead of real ones")
        kind = "made"
    if args.crawl_pages:
        for hosts in (int(h) for h in args.crawl_hosts.split(",")):
            crawl_in_units(args.crawl_pages, hosts, args.crawl_workers, args.rounds, kind)
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
    report(
        f"crawl: {len(links)} pages on {args.hosts} hosts, {args.latency_ms:g} ms per response (1 process)",
        [
            ("sequential requests loop", len(sequential) / plain, "pages/s"),
            ("webtext fetch stage (robots, WARC, retries)", len(links) / stage, "pages/s"),
            ("most requests one host had in flight", max(h.max_in_flight for h in hosts), ""),
        ],
        ("webtext / sequential", (len(links) / stage) / (len(sequential) / plain)),
    )


if __name__ == "__main__":
    main()
