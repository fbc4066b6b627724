"""Extraction: option choice on annotated pages, and extract + filter throughput on the local runner
next to a plain loop of trafilatura.extract over the same pages, in the same run.

Needs ../shared/data (real pages with snippet ground truth). Usage: python bench/bench_extract.py [--repeat 3]
"""

import argparse
import pathlib
import time

import apache_beam as beam
import trafilatura

from common import report
from webtext.config import CorpusConfig
from webtext.crawl.charset import decode_html
from webtext.crawl.replay import read_warc
from webtext.extract.evaluate import SETTINGS, annotated_pages, score
from webtext.extract.transforms import ExtractText
from webtext.filters.transforms import FilterDocuments
from webtext.records import FetchResult, Link

def as_result(response, copy: int) -> FetchResult:
    html, encoding = decode_html(response.body, response.content_type)
    link = Link(f"{response.target_uri}#{copy}", response.target_uri, 5, ("s",), (5,), ("r",), 1)
    return FetchResult(link, 200, response.target_uri, response.content_type, encoding, html, "")


DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="pass over the pages this many times")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is missing: bench_extract skipped")
        return
    pages = annotated_pages(DATA)
    rows = []
    for name, extract in SETTINGS.items():
        recall, rejection = score(extract, pages)
        rows += [(f"{name}: snippets found", 100 * recall, "%"), (f"{name}: boilerplate left out", 100 * rejection, "%")]
    report(f"extraction options on {len(pages)} annotated pages", rows)

    # Both sides read the pages from the WARC file and pass over them --repeat times.
    warc = str(DATA / "pages.warc.gz")
    started = time.perf_counter()
    for _ in range(args.repeat):
        for response in read_warc(warc):
            html, _ = decode_html(response.body, response.content_type)
            trafilatura.extract(html, url=response.target_uri, include_comments=False, deduplicate=False)
    plain = time.perf_counter() - started
    config = CorpusConfig(inputs=("x",), warc=("y",), languages=())
    started = time.perf_counter()
    with beam.Pipeline(runner="FnApiRunner") as p:
        results = (p | beam.Create([(warc, i) for i in range(args.repeat)])
                   | beam.FlatMap(lambda wi: [as_result(r, wi[1]) for r in read_warc(wi[0])]))
        docs, _ = results | ExtractText()
        docs | FilterDocuments(config)
    stage = time.perf_counter() - started
    n = len(pages) * args.repeat
    report(f"extract + filter: {n} pages (1 core)", [
        ("plain loop: read WARC, decode, trafilatura.extract", n / plain, "pages/s"),
        ("webtext: read WARC, extract (sandboxed), filters", n / stage, "pages/s"),
    ], ("webtext cost / plain", stage / plain))


if __name__ == "__main__":
    main()
