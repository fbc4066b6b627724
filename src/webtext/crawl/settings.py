"""How pages are fetched: live, from web archives, or replayed from WARC files."""

import re
from dataclasses import dataclass

from webtext.settings import ConfigError, check, setting

FETCH_MODES = ("replay", "live", "archive", "live-then-archive", "archive-then-live")
ARCHIVES = ("wayback", "commoncrawl")
ORIGIN = re.compile(r"https?://[^/?#\s]+")


def _positive(value) -> bool:
    return value > 0


def _at_least_one(value) -> bool:
    return value >= 1


def _base_url(value: str) -> str:
    return value.rstrip("/")


@dataclass(frozen=True)
class FetchSettings:
    mode: str = setting(
        "live",
        "live: today's pages; archive: archived copies closest to each post date "
        "(Wayback Machine, Common Crawl); live-then-archive / archive-then-live: one, the "
        "other when it fails. All write WARC files (a rerun into the same --out reuses "
        "them). replay: read pages from --warc files, or replay:GLOB",
        flag="fetch",
        cli="",
        check=lambda v: v in FETCH_MODES,
        must=f"be one of {FETCH_MODES}",
    )
    warc: tuple[str, ...] = setting((), "WARC file(s) to replay", cli="", metavar="GLOB")
    user_agent: str = setting("webtext/0.1 (+https://github.com/webtext/webtext; corpus research crawler)",
                              "User-Agent for live fetching and robots.txt")
    timeout_s: float = setting(10.0, "connect and read timeout; a URL's attempts take 2x in all",
                               check=_positive, must="be > 0")
    delay_s: float = setting(1.0, "seconds between two requests to one host (or robots.txt's Crawl-delay)",
                             check=lambda v: v >= 0, must="be >= 0")
    max_crawl_delay_s: float = setting(30.0, "robots.txt's Crawl-delay is honoured up to this many seconds",
                                       check=lambda v: v >= 0, must="be >= 0")
    host_budget_s: float = setting(
        6 * 3600.0,
        "seconds one host may take (Crawl-delay x links, slow answers); its "
        "links past that are dropped as host_budget",
        check=_positive,
        must="be > 0",
    )
    fetch_threads: int = setting(64, "hosts fetched at once per worker", check=_at_least_one, must="be >= 1")
    host_parallelism: int = setting(1, "connections one host may see at once", check=_at_least_one,
                                    must="be >= 1")
    retries: int = setting(3, "retries for connection errors, 429 and 5xx; timeouts are final",
                           check=lambda v: v >= 0, must="be >= 0")
    backoff_s: float = setting(1.0, "first retry wait, doubled each time, with jitter", cli="")
    max_retry_after_s: float = setting(60.0, "drop a URL whose server asks to wait longer than this")
    warc_pages_per_file: int = setting(50, "pages per WARC file; a crash loses at most these per worker",
                                       check=_at_least_one, must="be >= 1")
    max_body_bytes: int = setting(5_000_000, "decompressed body cap (stops compression bombs)",
                                  check=_at_least_one, must="be >= 1")
    allow_origins: tuple[str, ...] = setting(
        (),
        "exempt exactly this origin (http://127.0.0.1:8001) from the private/loopback address check: a local "
        "test server or mirror; a redirect from it elsewhere is still checked",
        flag="allow_origin",
        cli="repeat",
        metavar="ORIGIN",
        check=lambda v: all(ORIGIN.fullmatch(o) for o in v),
        must="be scheme://host[:port], nothing after",
    )
    proxy: str = setting(
        "",
        "send every live request through this HTTP proxy (http://host:port); its own address "
        "must pass the address check (or be an --allow_origin). None from the environment.",
        metavar="URL",
    )
    # archived copies (fetch modes archive, live-then-archive, archive-then-live)
    archives: tuple[str, ...] = setting(
        ARCHIVES,
        "archives to ask, in this order (the capture closest to the post date wins)",
        cli="comma",
        check=lambda v: bool(v) and set(v) <= set(ARCHIVES),
        must=f"name some of {ARCHIVES}",
    )
    archive_window_days: int = setting(365, "use captures at most this many days from the post date",
                                       check=_at_least_one, must="be >= 1")
    archive_requests_per_s: float = setting(1.0, "requests a second to each archive, per worker",
                                            check=_positive, must="be > 0")
    archive_tries: int = setting(3, "captures tried, closest first", check=_at_least_one, must="be >= 1")
    wayback_url: str = setting("https://web.archive.org", "Wayback Machine (or any wayback-cdx-server + id_ "
                                                          "replay) base URL", parse=_base_url)
    cc_index_url: str = setting("https://index.commoncrawl.org", "Common Crawl index server (collinfo.json, "
                                                                 "<crawl>-index)", parse=_base_url)
    cc_data_url: str = setting(
        "https://data.commoncrawl.org",
        "where Common Crawl WARC files are read from with HTTP range requests",
        parse=_base_url,
    )
    cc_collections: tuple[str, ...] = setting(
        (),
        "crawl ids to ask (CC-MAIN-2017-51,...); default: the "
        "--cc_max_collections crawls nearest each post date",
        cli="comma",
    )
    cc_max_collections: int = setting(3, "crawls asked per link", check=_at_least_one, must="be >= 1")

    @property
    def crawls(self) -> bool:
        """Whether the run fetches pages (live or from web archives), writing its own WARC files, rather
        than replaying given ones."""
        return self.mode != "replay"

    def __post_init__(self):
        check(self)
        if self.mode == "replay" and not self.warc:
            raise ConfigError("--fetch replay needs --warc with the WARC files to replay")
