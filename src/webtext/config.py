"""The corpus configuration: typed, frozen and checked at construction.

Every field is recorded in manifest.json, so a corpus says exactly how it was made.
"""

import dataclasses
import re
from dataclasses import dataclass

# WebText: "does not include links created after Dec 2017".
WEBTEXT_CUTOFF_UTC = 1514764800  # 2018-01-01T00:00:00Z
FETCH_MODES = ("replay", "live", "archive", "live-then-archive", "archive-then-live")
ARCHIVES = ("wayback", "commoncrawl")
KARMA_POLICIES = ("max", "sum")


class ConfigError(ValueError):
    """A configuration value that cannot work; the message says what to change."""


@dataclass(frozen=True)
class CorpusConfig:
    inputs: tuple[str, ...] = ()  # Pushshift dumps (.zst/.jsonl/.gz/.xz/.bz2), paths or globs
    url_lists: tuple[str, ...] = ()  # plain URL lists, one per line
    reddit_listings: tuple[str, ...] = ()  # praw listings, "subreddit[:sort[:time_filter[:limit]]]"
    rescore: bool = False  # refresh counted submissions' scores through the Reddit API
    reddit_api_url: str = ""  # replaces Reddit's API endpoints (a proxy; the tests' loopback fake)
    out: str = "out"
    fetch: str = "replay"  # "replay" reads WARC files; the other FETCH_MODES fetch and write WARC files
    warc: tuple[str, ...] = ()  # WARC paths or globs for replay
    # links
    min_karma: int = 3
    cutoff_utc: int | None = WEBTEXT_CUTOFF_UTC  # submissions at or after it do not count
    karma_policy: str = "max"  # "max" (WebText: some submission scored >= min_karma) or "sum" (OpenWebText2)
    drop_nsfw: bool = False  # NSFW and removal are recorded; dropping them is a choice, off as in WebText
    drop_removed: bool = False
    blocklist: tuple[str, ...] = ()  # domains (and their subdomains) never to fetch
    wikipedia_mirrors: tuple[str, ...] = ()  # extra domains treated as Wikipedia, e.g. "wikiwand.com"
    # live fetching
    user_agent: str = "webtext/0.1 (+https://github.com/webtext/webtext; corpus research crawler)"
    timeout_s: float = 10.0
    delay_s: float = 1.0  # between two requests to one host, unless robots.txt asks for more
    max_crawl_delay_s: float = 30.0  # robots.txt's Crawl-delay is honoured up to this
    host_budget_s: float = 6 * 3600.0  # time one host (key) may take; its links past it are dropped as host_budget
    fetch_threads: int = 64  # hosts fetched at the same time by one worker (threads; I/O-bound)
    host_parallelism: int = 1  # connections one host may see at once (a host's URLs split this many ways)
    retries: int = 3  # for connection errors, 429 and 5xx (timeouts are final)
    backoff_s: float = 1.0  # first retry wait, doubled each time, with jitter
    max_retry_after_s: float = 60.0  # a Retry-After longer than this drops the URL instead of waiting
    warc_pages_per_file: int = 50  # a crash loses at most this many fetched pages per worker thread pool
    max_body_bytes: int = 5_000_000
    allow_origins: tuple[str, ...] = ()  # scheme://host:port origins exempt from the address check
    proxy: str = ""  # http://host:port every live request goes through (its own address checked)
    # archived copies (fetch modes archive, live-then-archive, archive-then-live)
    archives: tuple[str, ...] = ARCHIVES  # asked in this order; the capture closest to the post date wins
    archive_window_days: int = 365  # captures further than this from the post date are not used
    archive_requests_per_s: float = 1.0  # per archive, per worker: the archives are shared, busy services
    archive_tries: int = 3  # captures tried, closest first, before a link is given up
    wayback_url: str = "https://web.archive.org"  # CDX API at /cdx/search/cdx, raw captures at /web/<ts>id_/<url>
    cc_index_url: str = "https://index.commoncrawl.org"  # collinfo.json and the per-crawl CDX indexes
    cc_data_url: str = "https://data.commoncrawl.org"  # where the indexes' WARC filenames are read from
    cc_collections: tuple[str, ...] = ()  # crawl ids (CC-MAIN-2017-51); empty: those near each post date
    cc_max_collections: int = 3  # crawls asked per link, nearest to its post date first
    # filters
    min_words: int = 64
    languages: tuple[str, ...] = ("en",)
    filters: str = "webtext"  # the junk rules' preset: webtext, gopher or none (filters/presets.py)
    decontaminate: tuple[str, ...] = ()  # NAME=PATH eval sets whose documents must not be trained on
    decontaminate_threshold: float = 0.5  # drop a document with more than this share of 8-grams in them
    extract_timeout_s: float = 30.0  # per page; a page that takes longer is dropped as extract_timeout
    # dedup
    max_error_share: float = 0.01  # a stage whose <stage>_error drops exceed this share of its input fails the run
    dedup_threshold: float = 0.8
    dedup_verify: bool = True  # a candidate pair counts only if its estimated Jaccard >= the threshold
    num_perm: int = 128
    dedup_rounds: int = 12  # label-propagation rounds (with pointer jumping) for the duplicate clusters
    shingle_words: int = 5
    # shards
    val_fraction: float = 0.005
    min_val_documents: int = 8  # the validation split gets at least this many (at most a fifth of the corpus)
    docs_per_shard: int = 10_000
    seed: int = 0

    def __post_init__(self):
        if not self.inputs and not self.url_lists and not self.reddit_listings:
            raise ConfigError("no input: give --input with Pushshift dumps, --urls with a URL list "
                              "or --reddit_listing")
        if self.fetch not in FETCH_MODES:
            raise ConfigError(f"--fetch must be one of {FETCH_MODES}, not {self.fetch!r}")
        if self.fetch == "replay" and not self.warc:
            raise ConfigError("--fetch replay needs --warc with the WARC files to replay")
        if self.karma_policy not in KARMA_POLICIES:
            raise ConfigError(f"--karma_policy must be one of {KARMA_POLICIES}, not {self.karma_policy!r}")
        if self.min_karma < 0:
            raise ConfigError("--min_karma must be >= 0")
        if not 0.0 < self.dedup_threshold < 1.0:
            raise ConfigError("--dedup_threshold must be between 0 and 1 (exclusive)")
        if self.dedup_rounds < 1:
            raise ConfigError("--dedup_rounds must be >= 1")
        if self.num_perm < 16:
            raise ConfigError("--num_perm must be at least 16")
        for origin in self.allow_origins:
            if not re.fullmatch(r"https?://[^/?#\s]+", origin):
                raise ConfigError(f"--allow_origin {origin!r}: an origin is scheme://host[:port], nothing after")
        if not 0.0 <= self.max_error_share <= 1.0:
            raise ConfigError("--max_error_share must be in [0, 1]")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ConfigError("--val_fraction must be in [0, 1)")
        if self.docs_per_shard < 1:
            raise ConfigError("--docs_per_shard must be >= 1")
        for spec in self.decontaminate:
            if "=" not in spec or not spec.split("=", 1)[0] or not spec.split("=", 1)[1]:
                raise ConfigError(f"--decontaminate {spec!r}: expected NAME=PATH")
        if not 0.0 <= self.decontaminate_threshold < 1.0:
            raise ConfigError("--decontaminate_threshold must be in [0, 1)")
        unknown = set(self.archives) - set(ARCHIVES)
        if unknown or not self.archives:
            raise ConfigError(f"--archives must name some of {ARCHIVES}, not {','.join(self.archives)!r}")
        if self.archive_window_days < 1 or self.archive_requests_per_s <= 0 or self.archive_tries < 1 \
                or self.cc_max_collections < 1:
            raise ConfigError("--archive_window_days, --archive_tries and --cc_max_collections must be >= 1, "
                              "--archive_requests_per_s > 0")
        if self.fetch_threads < 1 or self.host_parallelism < 1 or self.retries < 0:
            raise ConfigError("--fetch_threads and --host_parallelism must be >= 1, --retries >= 0")
        if self.extract_timeout_s <= 0:
            raise ConfigError("--extract_timeout_s must be > 0")
        if self.min_words < 0:
            raise ConfigError("--min_words must be >= 0")
        from webtext.filters.presets import PRESETS

        if self.filters not in PRESETS:
            raise ConfigError(f"--filters must be one of {', '.join(PRESETS)}, not {self.filters!r}")

    def to_json(self) -> dict:
        return dataclasses.asdict(self)
