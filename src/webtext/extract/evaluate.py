"""Score an extractor on annotated pages (pages with snippet ground truth, as in the development
data): the share of 'with' snippets found (recall) and of 'without' snippets left out
(boilerplate rejection). The quality gate test and bench/bench_extract.py both use it."""

import json
import pathlib

import trafilatura

from webtext.extract.extractor import run_trafilatura

SETTINGS = {
    "webtext (comments off, tables on)": lambda html, url: (run_trafilatura(html, url) or {}).get("text", ""),
    "trafilatura.extract defaults": lambda html, url: trafilatura.extract(html, url=url) or "",
    "+ favor_precision": lambda html, url: trafilatura.extract(
        html, url=url, include_comments=False, favor_precision=True) or "",
    "+ favor_recall": lambda html, url: trafilatura.extract(
        html, url=url, include_comments=False, favor_recall=True) or "",
    "tables off": lambda html, url: trafilatura.extract(html, url=url, include_comments=False,
                                                        include_tables=False) or "",
}


def annotated_pages(data_dir: pathlib.Path, html_pages) -> list[tuple[str, str, dict]]:
    """(url, html, snippets) for each of `html_pages` ((url, html), as crawl.replay.warc_html reads
    them from data_dir's WARC), with the ground truth of data_dir's pages.jsonl."""
    truth = {json.loads(line)["url"]: json.loads(line)["ground_truth_snippets"] or {}
             for line in (data_dir / "pages.jsonl").read_text().splitlines()}
    return [(url, html, truth[url]) for url, html in html_pages]


def score(extract, pages) -> tuple[float, float]:
    found = wanted = kept_out = unwanted = 0
    for url, html, snippets in pages:
        text = extract(html, url)
        found += sum(s in text for s in snippets.get("with", []))
        wanted += len(snippets.get("with", []))
        kept_out += sum(s not in text for s in snippets.get("without", []))
        unwanted += len(snippets.get("without", []))
    return found / wanted, kept_out / unwanted
