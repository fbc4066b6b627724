"""Write the bundled sample: `RS_sample.zst` (Pushshift format, 2 GiB zstd window) and `pages.warc.gz`.

Everything comes from one seeded generator, so `webtext sample --out DIR`
reproduces the committed files byte for byte. Each page has a scenario that
says what the pipeline must do with it (kept, or dropped at which stage and why).
"""

import io
import itertools
import json
import random
import uuid
from typing import NamedTuple

import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from webtext.sample import prose
from webtext.sample.paths import DUMP_NAME, WARC_NAME

SEED = 20190214  # the day GPT-2 was announced
WARC_DATE = "2017-12-30T12:00:00Z"
EPOCH_2012, EPOCH_2018 = 1325376000, 1514764800
SITES = ["riverside-gazette", "harbour-times", "valley-post", "northern-chronicle", "plainsview-daily",
         "coastal-herald", "metro-ledger", "hilltop-journal"]


class Page(NamedTuple):
    url: str
    scenario: str  # what should happen to it; "keep" pages end up in the corpus
    status: int
    content_type: str
    body: bytes
    archived: bool  # in the WARC; links to unarchived pages are dropped as not_archived


def _page(rng, url, scenario, paragraphs, title, status=200, content_type="text/html; charset=utf-8",
          archived=True, lang="en", encoding="utf-8") -> Page:
    site = url.split("/")[2]
    html = prose.page_html(title, site, paragraphs, rng, lang)
    return Page(url, scenario, status, content_type, html.encode(encoding), archived)


def _url(rng, site: str, slug: str) -> str:
    year = rng.randint(2012, 2017)
    return f"https://www.{site}.example/{year}/{rng.randint(1, 12):02d}/{slug}/"


def build_pages(rng: random.Random) -> list[Page]:
    pages = []
    for i in range(18):
        url = _url(rng, rng.choice(SITES), f"story-{i:02d}")
        pages.append(_page(rng, url, "keep", prose.article(rng, rng.randint(3, 6)), f"Story number {i}"))
    for i in range(3):
        url = _url(rng, rng.choice(SITES), f"unloved-{i}")
        pages.append(_page(rng, url, "low_karma", prose.article(rng, 3), f"Unloved story {i}"))
    for i in range(3):  # the same article syndicated with light edits: one copy survives
        paragraphs = prose.article(rng, 5)
        pages.append(_page(rng, _url(rng, SITES[i], f"shared-{i}"), "keep", paragraphs, f"Shared story {i}"))
        pages.append(_page(rng, _url(rng, SITES[i + 3], f"copy-of-shared-{i}"), "near_duplicate",
                           prose.edit_words(paragraphs, rng, 2), f"Shared story {i} (copy)"))
    paragraphs = prose.article(rng, 4)
    pages.append(_page(rng, _url(rng, SITES[6], "wire-story"), "keep", paragraphs, "Wire story"))
    pages.append(
        _page(rng, _url(rng, SITES[7], "wire-story-reprint"), "exact_duplicate", paragraphs, "Wire story")
    )
    pages.append(_page(rng, _url(rng, SITES[1], "bruecke"), "language", [prose.GERMAN * 3], "Die neue Brücke",
                       lang="de"))
    pages.append(_page(rng, _url(rng, SITES[2], "brief"), "too_short", [prose.sentence(rng)], "In brief"))
    pages.append(Page(_url(rng, SITES[3], "empty-shell"), "extract_empty", 200, "text/html; charset=utf-8",
                      prose.SCRIPT_SHELL.encode(), True))
    pages.append(_page(rng, _url(rng, SITES[4], "gone"), "http_4xx", prose.article(rng, 1), "Not found",
                       status=404))
    pages.append(Page(_url(rng, SITES[5], "annual-report"), "content_type", 200, "application/pdf",
                      b"%PDF-1.4\n% sample\n", True))
    pages.append(_page(rng, "https://en.wikipedia.org/wiki/Sample_bridge", "wikipedia", prose.article(rng, 3),
                       "Sample bridge - Wikipedia"))
    pages.append(_page(rng, _url(rng, SITES[0], "cafe-review"), "keep",
                       [p.replace("harbour", "harbour café") for p in prose.article(rng, 3)], "Café review",
                       content_type="text/html; charset=iso-8859-1", encoding="iso-8859-1"))
    for i in range(2):
        pages.append(_page(rng, _url(rng, SITES[i], f"vanished-{i}"), "not_archived", [], "", archived=False))
    pages.append(
        _page(rng, _url(rng, SITES[2], "late-bloomer"), "after_cutoff", prose.article(rng, 3), "Late")
    )
    return pages


VARIANTS = {
    "exact": lambda u: u,
    "utm": lambda u: u + "?utm_source=reddit&utm_medium=social",
    "utm_escaped": lambda u: u + "?utm_source=reddit&amp;utm_medium=social",
    "http": lambda u: u.replace("https://", "http://", 1),
    "no_www": lambda u: u.replace("://www.", "://", 1),
    "no_trailing_slash": lambda u: u.rstrip("/"),
    "fragment": lambda u: u + "#comments",
    "upper_host": lambda u: u.replace(u.split("/")[2], u.split("/")[2].upper(), 1),
    "default_port": lambda u: u.replace(u.split("/")[2], u.split("/")[2] + ":443", 1),
}
SUBREDDITS = ["news", "worldnews", "science", "technology", "todayilearned", "history", "europe", "Economics"]


def _submission(rng, url, score, created, title, is_self=False, over_18=False, selftext="") -> dict:
    sub_id = "s" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    subreddit = rng.choice(SUBREDDITS)
    permalink = f"/r/{subreddit}/comments/{sub_id}/{title.lower().replace(' ', '_')[:40]}/"
    return {
        "author": f"user_{rng.randint(1000, 9999)}",
        "created_utc": created,
        "domain": f"self.{subreddit}" if is_self else url.split("/")[2].lower(),
        "id": sub_id,
        "is_self": is_self,
        "num_comments": rng.randint(0, 300),
        "over_18": over_18,
        "permalink": permalink,
        "retrieved_on": created + 86400 * 30,
        "score": score,
        "selftext": selftext,
        "subreddit": subreddit,
        "title": title,
        "url": f"https://www.reddit.com{permalink}" if is_self else url,
    }


def _page_submissions(rng, page: Page, spellings) -> list[dict]:
    """1-3 submissions of a page in different spellings, scored for its scenario."""
    when = lambda: rng.randint(EPOCH_2012, EPOCH_2018 - 1)  # noqa: E731
    variants = ["exact"] + [next(spellings) for _ in range(rng.randint(0, 2))]
    if page.scenario == "low_karma":
        scores = [rng.randint(-2, 2) for _ in variants]
    elif page.scenario in ("near_duplicate", "exact_duplicate"):
        scores = [3] + [rng.randint(0, 2) for _ in variants[1:]]  # fewer votes than the original
    elif page.scenario == "after_cutoff":  # the only >= 3 vote came in 2018
        return [_submission(rng, page.url, 1, when(), "Late"),
                _submission(rng, VARIANTS["utm"](page.url), 40, EPOCH_2018 + 86400 * 60, "Late")]
    else:
        scores = [rng.randint(4, 900)] + [rng.randint(0, 2) for _ in variants[1:]]
    rng.shuffle(scores)
    return [_submission(rng, VARIANTS[v](page.url), s, when(), page.url.split("/")[-2].replace("-", " "))
            for v, s in zip(variants, scores)]


def _extra_submissions(rng) -> list[dict]:
    """Links that never reach the fetcher: self posts, media, Reddit itself, a second snapshot."""
    when = lambda: rng.randint(EPOCH_2012, EPOCH_2018 - 1)  # noqa: E731
    extras = [
        _submission(
            rng,
            "",
            120,
            when(),
            "What do you think of this?",
            is_self=True,
            selftext="I read https://www.valley-post.example/ today and liked it.",
        ),
        _submission(rng, "", 15, when(), "Ask me anything", is_self=True),
        _submission(rng, "https://i.redd.it/abc123xyz.jpg", 450, when(), "Look at this bridge"),
        _submission(rng, "https://imgur.com/gallery/XyZ12", 80, when(), "Album of the harbour"),
        _submission(rng, "https://www.youtube.com/watch?v=dQw4w9WgXcQ", 999, when(), "Watch this"),
        _submission(rng, "https://www.reddit.com/r/news/comments/abc/other_thread/", 30, when(), "Crosspost"),
        _submission(
            rng, "https://www.harbour-times.example/2016/05/tide-tables.pdf", 12, when(), "Tide tables"
        ),
    ]
    return extras


def _malformed_lines(rng) -> list[bytes]:
    good = json.dumps(_submission(rng, "https://www.metro-ledger.example/2015/01/x/", 9, EPOCH_2012, "x"))
    return [
        good[: len(good) // 2].encode(),  # truncated JSON
        good.replace("metro", "m\u00e9tro").encode("latin-1"),  # a Latin-1 line
        b"\xff\xfe not utf-8 at all",  # invalid UTF-8
        b"[1, 2, 3]",  # JSON, but not an object
        b"",  # empty line
        json.dumps({k: v for k, v in json.loads(good).items() if k != "score"}).encode(),  # missing score
        good.replace('"score": 9', '"score": "lots"').encode(),  # a score that is not a number
    ]


def build_submissions(rng: random.Random, pages: list[Page]) -> list[bytes]:
    records = []
    spellings = itertools.cycle(sorted(v for v in VARIANTS if v != "exact"))  # every spelling gets used
    for page in pages:
        records.extend(_page_submissions(rng, page, spellings))
    records.extend(_extra_submissions(rng))
    records.append(dict(records[0], score=records[0]["score"] + 7))  # a later snapshot of one submission
    records.sort(key=lambda r: (r["created_utc"], r["id"]))
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for r in records]
    for offset, bad in enumerate(_malformed_lines(rng)):
        lines.insert(5 + offset * 9, bad)
    return lines


def dump_bytes(lines: list[bytes]) -> bytes:
    """NDJSON in one zstd frame with a 2 GiB window and no content size, like the real RS_*.zst dumps."""
    params = zstandard.ZstdCompressionParameters.from_level(
        19, window_log=31, enable_ldm=True, write_content_size=False, write_checksum=True)
    buffer = io.BytesIO()
    with zstandard.ZstdCompressor(compression_params=params).stream_writer(buffer, closefd=False) as writer:
        writer.write(b"".join(line + b"\n" for line in lines))
    return buffer.getvalue()


def warc_bytes(pages: list[Page]) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    fixed = lambda name: {"WARC-Date": WARC_DATE,  # noqa: E731
                          "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}>"}
    info = writer.create_warcinfo_record(
        WARC_NAME, {"software": "webtext sample generator", "format": "WARC/1.0"}
    )
    info.rec_headers.replace_header("WARC-Date", WARC_DATE)
    info.rec_headers.replace_header("WARC-Record-ID", fixed("warcinfo")["WARC-Record-ID"])
    writer.write_record(info)
    for page in pages:
        if not page.archived:
            continue
        reason = "OK" if page.status == 200 else "Not Found"
        http = StatusAndHeaders(f"{page.status} {reason}", [("Content-Type", page.content_type),
                                                            ("Content-Length", str(len(page.body)))],
                                protocol="HTTP/1.1")
        record = writer.create_warc_record(
            page.url,
            "response",
            payload=io.BytesIO(page.body),
            http_headers=http,
            warc_headers_dict=fixed(page.url),
        )
        writer.write_record(record)
    return buffer.getvalue()


def build_sample() -> tuple[list[Page], list[bytes]]:
    rng = random.Random(SEED)
    pages = build_pages(rng)
    return pages, build_submissions(rng, pages)


def write_sample(out_dir: str) -> list[str]:
    import os

    pages, lines = build_sample()
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name, data in ((DUMP_NAME, dump_bytes(lines)), (WARC_NAME, warc_bytes(pages))):
        path = os.path.join(out_dir, name)
        with open(path, "wb") as out:
            out.write(data)
        written.append(path)
    return written
