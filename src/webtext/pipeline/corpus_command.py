"""The `webtext corpus` command: its flags, the config they make, and the run with progress and summary."""

import argparse
import contextlib
import os
import sys
import time

from webtext.config import WEBTEXT_CUTOFF_UTC, ConfigError, CorpusConfig
from webtext.crawl.safety import BlockedAddress, DNSFailure
from webtext.pipeline.summary import damage_warnings, error_warnings, format_summary
from webtext.sources.reddit_api import Listing, RedditCredentialsError, connect


def add_corpus_parser(sub) -> None:
    p = sub.add_parser("corpus", help="build a corpus: submissions -> links -> pages -> text -> shards",
                       description="Build a WebText-style corpus as one Beam pipeline. Flags this command does "
                                   "not know (--runner, --direct_num_workers, --project, ...) go to Beam.")
    p.add_argument("--input", action="append", default=[], metavar="GLOB",
                   help="Pushshift-format dump(s): .zst (2 GiB window ok), .jsonl, .gz, .xz, .bz2; local or gs://, s3://")
    p.add_argument("--urls", action="append", default=[], metavar="GLOB", help="plain URL list(s), one URL a line")
    p.add_argument("--reddit_listing", action="append", default=[], metavar="SPEC",
                   help="fresh links from the Reddit API: subreddit[:sort[:time_filter[:limit]]] (repeatable); "
                        "credentials from praw_client_id/praw_client_secret or praw.ini")
    p.add_argument("--rescore", action="store_true",
                   help="refresh the scores of counted submissions through the Reddit API before the karma rule")
    p.add_argument("--reddit_api_url", default="", help="send Reddit API calls here instead (a proxy)")
    p.add_argument("--sample", action="store_true", help="use the bundled sample (dump + WARC), offline")
    p.add_argument("--out", default="out", help="output directory (default: out)")
    p.add_argument("--fetch", default=None, metavar="MODE",
                   help="live: today's pages; archive: archived copies closest to each post date (Wayback "
                        "Machine, Common Crawl); live-then-archive / archive-then-live: one, the other when it "
                        "fails. All write WARC files (a rerun into the same --out reuses them). replay: read "
                        "pages from --warc files, or replay:GLOB")
    p.add_argument("--warc", action="append", default=[], metavar="GLOB", help="WARC file(s) to replay")
    p.add_argument("--min_karma", type=int, default=3, help="a link needs a submission scored at least this (3)")
    p.add_argument("--cutoff_utc", type=int, default=WEBTEXT_CUTOFF_UTC,
                   help="submissions created at or after this Unix time do not count (2018-01-01); -1: none")
    p.add_argument("--karma_policy", default="max", choices=("max", "sum"),
                   help="karma of a URL: the best submission's score (WebText) or the total (OpenWebText2)")
    p.add_argument("--drop_nsfw", action="store_true", help="drop submissions marked over_18 (kept by default)")
    p.add_argument("--drop_removed", action="store_true",
                   help="drop submissions removed by moderators or deleted by their author (kept by default)")
    p.add_argument("--blocklist", metavar="FILE", help="file of domains never to fetch, one a line (subdomains too)")
    p.add_argument("--wikipedia_mirror", action="append", default=[], metavar="DOMAIN",
                   help="a domain to drop as Wikipedia too (repeatable)")
    p.add_argument("--min_words", type=int, default=64, help="drop documents with fewer words (64)")
    p.add_argument("--decontaminate", action="append", default=[], metavar="NAME=PATH",
                   help="drop documents whose 8-grams overlap this eval set (text/jsonl/parquet) by more than "
                        "--decontaminate_threshold (repeatable)")
    p.add_argument("--decontaminate_threshold", type=float, default=0.5, help="share of 8-grams (0.5)")
    p.add_argument("--filters", default="webtext", choices=("webtext", "gopher", "none"),
                   help="junk rules after the language filter: webtext (default: only what is not prose), gopher "
                        "(those plus Gopher's quality and repetition rules, which drop some real articles), none")
    p.add_argument("--no_quality_filters", action="store_const", dest="filters", const="none",
                   help="the same as --filters none (kept for earlier command lines)")
    p.add_argument("--extract_timeout_s", type=float, default=30.0, help="time limit per page for extraction (30)")
    p.add_argument("--languages", default="en", help="comma-separated language codes to keep ('' keeps all)")
    p.add_argument("--max_error_share", type=float, default=0.01,
                   help="fail the run (exit 1, the previous corpus kept) when exceptions dropped more than this "
                        "share of a stage's records as <stage>_error (0.01)")
    p.add_argument("--dedup_threshold", type=float, default=0.8, help="near-duplicate Jaccard threshold (0.8)")
    p.add_argument("--no_dedup_verify", action="store_true",
                   help="count every LSH candidate pair, without checking its estimated Jaccard")
    p.add_argument("--dedup_rounds", type=int, default=12,
                   help="label-propagation rounds for duplicate clusters; the manifest says if more were needed")
    p.add_argument("--num_perm", type=int, default=128, help="MinHash permutations (128)")
    p.add_argument("--val_fraction", type=float, default=0.005, help="share of documents in the validation split")
    p.add_argument("--min_val_documents", type=int, default=8,
                   help="the validation split gets at least this many documents, at most a fifth of all (8)")
    p.add_argument("--docs_per_shard", type=int, default=10_000, help="documents per shard file (10000)")
    p.add_argument("--user_agent", default=CorpusConfig.user_agent, help="User-Agent for live fetching")
    p.add_argument("--delay_s", type=float, default=1.0, help="seconds between two requests to one host")
    p.add_argument("--max_crawl_delay_s", type=float, default=30.0,
                   help="robots.txt's Crawl-delay is honoured up to this many seconds (30)")
    p.add_argument("--host_budget_s", type=float, default=6 * 3600.0,
                   help="seconds one host may take (Crawl-delay x links, slow answers); its links past that are "
                        "dropped as host_budget (21600)")
    p.add_argument("--fetch_threads", type=int, default=64, help="hosts fetched at once per worker (64)")
    p.add_argument("--host_parallelism", type=int, default=1, help="connections one host may see at once (1)")
    p.add_argument("--retries", type=int, default=3,
                   help="retries for connection errors, 429 and 5xx (3); timeouts are final")
    p.add_argument("--max_retry_after_s", type=float, default=60.0,
                   help="drop a URL whose server asks to wait longer than this (60)")
    p.add_argument("--timeout_s", type=float, default=10.0,
                   help="connect and read timeout; a URL's attempts take 2x in all (10)")
    p.add_argument("--warc_pages_per_file", type=int, default=50,
                   help="pages per WARC file; files are written whole, so a crash loses at most these (50)")
    p.add_argument("--max_body_bytes", type=int, default=5_000_000, help="decompressed body cap (5 MB)")
    archive = p.add_argument_group("archived copies (--fetch archive, live-then-archive, archive-then-live)")
    archive.add_argument("--archives", default=",".join(CorpusConfig.archives),
                         help="archives to ask, comma-separated: wayback, commoncrawl (both)")
    archive.add_argument("--archive_window_days", type=int, default=365,
                         help="use captures at most this many days from the post date (365)")
    archive.add_argument("--archive_requests_per_s", type=float, default=1.0,
                         help="requests a second to each archive, per worker (1)")
    archive.add_argument("--archive_tries", type=int, default=3, help="captures tried, closest first (3)")
    archive.add_argument("--wayback_url", default=CorpusConfig.wayback_url,
                         help="Wayback Machine (or any wayback-cdx-server + id_ replay) base URL")
    archive.add_argument("--cc_index_url", default=CorpusConfig.cc_index_url,
                         help="Common Crawl index server (collinfo.json, <crawl>-index)")
    archive.add_argument("--cc_data_url", default=CorpusConfig.cc_data_url,
                         help="where Common Crawl WARC files are read from with HTTP range requests")
    archive.add_argument("--cc_collections", default="",
                         help="crawl ids to ask, comma-separated (CC-MAIN-2017-51,...); default: the "
                              "--cc_max_collections crawls nearest each post date, from collinfo.json")
    archive.add_argument("--cc_max_collections", type=int, default=3, help="crawls asked per link (3)")
    p.add_argument("--proxy", default="", metavar="URL",
                   help="send every live request through this HTTP proxy (http://host:port); its own address "
                        "must pass the address check (or be an --allow_origin). None from the environment.")
    p.add_argument("--allow_origin", action="append", default=[], metavar="ORIGIN",
                   help="exempt exactly this origin (http://127.0.0.1:8001) from the private/loopback address "
                        "check: a local test server or mirror; a redirect from it elsewhere is still checked "
                        "(repeatable)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--no_report", action="store_true", help="skip report.html and stats.json at the end")


def _read_blocklist(path: str | None) -> tuple[str, ...]:
    if not path:
        return ()
    with open(path, encoding="utf-8") as lines:
        domains = {line.split("#", 1)[0].strip().lower().removeprefix("www.") for line in lines}
    return tuple(sorted(d for d in domains if d))


def _comma_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def config_from(args) -> CorpusConfig:
    inputs, warc, fetch = list(args.input), list(args.warc), args.fetch
    if fetch and fetch.startswith("replay:"):
        fetch, warc = "replay", warc + [fetch.removeprefix("replay:")]
    if args.sample:
        from webtext.sample.paths import sample_dump, sample_warc
        inputs.append(sample_dump())
        warc.append(sample_warc())
    return CorpusConfig(
        inputs=tuple(inputs), url_lists=tuple(args.urls), reddit_listings=tuple(args.reddit_listing),
        rescore=args.rescore, reddit_api_url=args.reddit_api_url, out=args.out.rstrip("/") or "/",
        fetch=fetch or ("replay" if warc else "live"), warc=tuple(warc),
        min_karma=args.min_karma, cutoff_utc=None if args.cutoff_utc < 0 else args.cutoff_utc,
        karma_policy=args.karma_policy, drop_nsfw=args.drop_nsfw, drop_removed=args.drop_removed,
        blocklist=_read_blocklist(args.blocklist), wikipedia_mirrors=tuple(args.wikipedia_mirror),
        min_words=args.min_words, filters=args.filters,
        decontaminate=tuple(args.decontaminate), decontaminate_threshold=args.decontaminate_threshold,
        extract_timeout_s=args.extract_timeout_s,
        languages=_comma_list(args.languages),
        dedup_threshold=args.dedup_threshold, dedup_verify=not args.no_dedup_verify,
        dedup_rounds=args.dedup_rounds, num_perm=args.num_perm, val_fraction=args.val_fraction,
        min_val_documents=args.min_val_documents, max_error_share=args.max_error_share,
        docs_per_shard=args.docs_per_shard, user_agent=args.user_agent, delay_s=args.delay_s,
        max_crawl_delay_s=args.max_crawl_delay_s, host_budget_s=args.host_budget_s,
        fetch_threads=args.fetch_threads, host_parallelism=args.host_parallelism, retries=args.retries,
        max_retry_after_s=args.max_retry_after_s, timeout_s=args.timeout_s, max_body_bytes=args.max_body_bytes,
        warc_pages_per_file=args.warc_pages_per_file,
        allow_origins=tuple(args.allow_origin), proxy=args.proxy, archives=_comma_list(args.archives),
        archive_window_days=args.archive_window_days, archive_requests_per_s=args.archive_requests_per_s,
        archive_tries=args.archive_tries, wayback_url=args.wayback_url.rstrip("/"),
        cc_index_url=args.cc_index_url.rstrip("/"), cc_data_url=args.cc_data_url.rstrip("/"),
        cc_collections=_comma_list(args.cc_collections), cc_max_collections=args.cc_max_collections,
    )


@contextlib.contextmanager
def _inherited_stderr_silenced():
    """File descriptor 2 points at /dev/null within (for child processes started meanwhile), then back."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _check_reddit_credentials(config: CorpusConfig) -> None:
    """Fail before the pipeline starts, with what to set, when the API is needed and unusable."""
    if config.reddit_listings or config.rescore:
        for spec in config.reddit_listings:
            Listing.parse(spec)
        connect(config.user_agent, config.reddit_api_url)


def run_corpus_command(args, beam_args: list[str]) -> int:
    from webtext.pipeline.progress_view import ProgressView
    from webtext.pipeline.runner import EmptyInputError, TooManyErrors, in_process, run_corpus

    try:
        config = config_from(args)
    except ConfigError as error:
        print(f"webtext corpus: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    if args.quiet:
        # The worker processes of an out-of-process runner log to the stderr they inherit, at INFO
        # before any option of ours reaches them; quiet means they inherit none. Errors still come
        # back to this process as the pipeline's exception, printed after.
        view = contextlib.nullcontext() if in_process(beam_args) else _inherited_stderr_silenced()
    elif in_process(beam_args):
        view = ProgressView(sys.stdout)
    else:  # workers are other processes: their counters show in the runner's UI, and in the summary below
        print("running; per-stage progress is in the runner's UI (Beam counters webtext.<stage>)", flush=True)
        view = contextlib.nullcontext()
    try:
        _check_reddit_credentials(config)
        if config.proxy:
            from webtext.crawl.fetch import check_proxy

            check_proxy(config.proxy, config.allow_origins)
        with view:
            manifest = run_corpus(config, beam_args)
    except (FileNotFoundError, RedditCredentialsError, ConfigError, BlockedAddress, DNSFailure) as error:
        print(f"webtext corpus: {error}", file=sys.stderr)
        return 2
    except (EmptyInputError, TooManyErrors) as error:
        print(f"webtext corpus: {error}", file=sys.stderr)
        return 1
    if not args.no_report:
        from webtext.report.html import write_report
        write_report(config.out)
    if not args.quiet:
        print(format_summary(manifest, config.out, time.monotonic() - started, report=not args.no_report))
    else:
        for warning in damage_warnings(manifest) + error_warnings(manifest):
            print(warning, file=sys.stderr)
    return 0
