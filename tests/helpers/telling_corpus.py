"""Inputs made to tell the two engines apart, where their code once differed (issue: one pipeline, two
executors): more documents than one filter batch holds, a chain of drifting copies longer than
--dedup_rounds can cover, and two WARC files that disagree on where one URL redirects.

Written beside the bundled sample, whose dump and WARC the run reads too: `extra.zst` (Pushshift
format) links the pages of `batch.warc.gz` and `other.warc.gz`."""

import io
import json
import random
from pathlib import Path

from warcio.warcwriter import WARCWriter

from helpers.warc_records import write_response
from webtext.sample import prose
from webtext.sample.generate import dump_bytes

SITE = "https://www.conformance-times.example"
ARTICLES = 40  # past 32, one filter batch
CHAIN = 9  # drifting copies: each matches its neighbours only
REDIRECTED = f"{SITE}/moved/"  # batch.warc.gz: 301 to /kept-target/; other.warc.gz: 301 to /other-target/
KEPT_TARGET, OTHER_TARGET = f"{SITE}/kept-target/", f"{SITE}/other-target/"
# The smaller record id names the redirect that stands, whatever the files' order (crawl/warc_index.py).
REDIRECT_IDS = {KEPT_TARGET: "<urn:uuid:00000000-0000-0000-0000-000000000001>",
                OTHER_TARGET: "<urn:uuid:ffffffff-0000-0000-0000-000000000001>"}


def _page(rng: random.Random, title: str, paragraphs: list[str]) -> bytes:
    return prose.page_html(title, SITE.split("/")[2], paragraphs, rng).encode()


def drifting_chain(rng: random.Random) -> list[list[str]]:
    """CHAIN copies of one article, each the one before with 4 more words changed: neighbours estimate a
    Jaccard near 0.9, copies far apart well under the 0.8 threshold."""
    paragraphs = prose.article(random.Random(7), 6)
    words = [p.split() for p in paragraphs]
    copies = []
    for _ in range(CHAIN):
        copies.append([" ".join(p) for p in words])
        for _ in range(4):
            p = rng.randrange(len(words))
            words[p][rng.randrange(len(words[p]))] = f"drift{rng.randrange(10**6)}"
    return copies


def write_telling_corpus(folder: Path) -> dict[str, list[str]]:
    """The extra inputs in `folder`; returns the run's input flags for them."""
    rng = random.Random(20240601)
    batch, other, links = io.BytesIO(), io.BytesIO(), []
    writer, other_writer = WARCWriter(batch, gzip=True), WARCWriter(other, gzip=True)
    for i in range(ARTICLES):
        url = f"{SITE}/batch/{i:02d}/"
        body = _page(rng, f"Batch story {i}", prose.article(rng, rng.randint(3, 5)))
        write_response(writer, url, "200 OK", body)
        links.append((url, 5 + i))
    # Karma falls along the chain: the best copy is at one end, and a round of label propagation (with its
    # jump) carries the best label a few copies along, so 1 round leaves the far end unsettled.
    for i, paragraphs in enumerate(drifting_chain(rng)):
        url = f"{SITE}/chain/{i}/"
        write_response(writer, url, "200 OK", _page(rng, f"Drifting copy {i}", paragraphs))
        links.append((url, 100 - 2 * i))
    for target, into in ((KEPT_TARGET, writer), (OTHER_TARGET, other_writer)):
        moved = "301 Moved Permanently"
        write_response(into, REDIRECTED, moved, location=target, record_id=REDIRECT_IDS[target])
        write_response(into, target, "200 OK", _page(rng, f"Target {target}", prose.article(rng, 4)))
    links.append((REDIRECTED, 50))
    (folder / "batch.warc.gz").write_bytes(batch.getvalue())
    (folder / "other.warc.gz").write_bytes(other.getvalue())
    lines = [json.dumps({"id": f"x{i:03d}", "url": url, "score": score, "created_utc": 1400000000 + 3600 * i,
                         "subreddit": "news", "title": f"link {i}", "is_self": False, "over_18": False,
                         "author": "someone", "permalink": f"/r/news/comments/x{i:03d}/link/"}).encode()
             for i, (url, score) in enumerate(links)]
    (folder / "extra.zst").write_bytes(dump_bytes(lines))
    return {"input": [str(folder / "extra.zst")],
            "warc": [str(folder / "batch.warc.gz"), str(folder / "other.warc.gz")]}
