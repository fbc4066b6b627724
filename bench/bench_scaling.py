"""Scaling of the CPU-bound stages (replayed WARC -> extract -> filters -> dedup -> tokenize -> shards)
with 1 and 2 workers of Beam's multi-process local runner, measured side by side.

Usage: python bench/bench_scaling.py [--pages 4000]
"""

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from common import report
from webtext.sample import prose


def synthetic_site(directory: str, pages: int) -> tuple[str, str]:
    """A WARC of `pages` article pages and the URL list that links them."""
    rng = random.Random(0)
    warc, urls = os.path.join(directory, "pages.warc.gz"), os.path.join(directory, "urls.txt")
    with open(warc, "wb") as raw, open(urls, "w") as listing:
        writer = WARCWriter(raw, gzip=True)
        for i in range(pages):
            url = f"https://site{i % 50}.example/articles/{i}"
            html = prose.page_html(f"Article {i}", f"site{i % 50}.example", prose.article(rng, rng.randint(4, 9)), rng)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                                          http_headers=headers))
            listing.write(url + "\n")
    return warc, urls


def run(warc: str, urls: str, out: str, workers: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "webtext", "corpus", "--urls", urls, "--warc", warc, "--out", out, "--quiet",
                    "--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=4000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warc, urls = synthetic_site(tmp, args.pages)
        one = run(warc, urls, os.path.join(tmp, "one"), 1)
        two = run(warc, urls, os.path.join(tmp, "two"), 2)
    report(f"scaling: {args.pages} replayed pages through extract, filters, dedup, tokenize", [
        ("1 worker", args.pages / one, "pages/s"), ("2 workers", args.pages / two, "pages/s"),
    ], ("speed-up with 2 workers", one / two))


if __name__ == "__main__":
    main()
