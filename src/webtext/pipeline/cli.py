"""The `webtext` command. Unknown flags of `corpus` pass through to Beam as pipeline options."""

import argparse
import contextlib
import logging
import sys
import time

from webtext.config import WEBTEXT_CUTOFF_UTC, ConfigError, CorpusConfig
from webtext.pipeline.summary import format_summary
from webtext.sources.reddit_api import Listing, RedditCredentialsError, connect


class _BeamImportNoise(logging.Filter):
    """Beam warns on import that optional Google Cloud clients are missing; webtext does not use them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("apitools not found")


def _corpus_parser(sub) -> None:
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
    p.add_argument("--fetch", default=None, metavar="live|replay[:GLOB]",
                   help="live: fetch and write WARC files (a rerun into the same --out reuses them); "
                        "replay: read pages from --warc files, or replay:GLOB")
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
    p.add_argument("--no_quality_filters", action="store_true", help="turn Gopher's quality/repetition rules off")
    p.add_argument("--extract_timeout_s", type=float, default=30.0, help="time limit per page for extraction (30)")
    p.add_argument("--languages", default="en", help="comma-separated language codes to keep ('' keeps all)")
    p.add_argument("--dedup_threshold", type=float, default=0.8, help="near-duplicate Jaccard threshold (0.8)")
    p.add_argument("--no_dedup_verify", action="store_true",
                   help="count every LSH candidate pair, without checking its estimated Jaccard")
    p.add_argument("--dedup_rounds", type=int, default=12,
                   help="label-propagation rounds for duplicate clusters; the manifest says if more were needed")
    p.add_argument("--num_perm", type=int, default=128, help="MinHash permutations (128)")
    p.add_argument("--val_fraction", type=float, default=0.005, help="share of documents in the validation split")
    p.add_argument("--docs_per_shard", type=int, default=10_000, help="documents per shard file (10000)")
    p.add_argument("--user_agent", default=CorpusConfig.user_agent, help="User-Agent for live fetching")
    p.add_argument("--delay_s", type=float, default=1.0, help="seconds between two requests to one host")
    p.add_argument("--fetch_threads", type=int, default=64, help="hosts fetched at once per worker (64)")
    p.add_argument("--host_parallelism", type=int, default=1, help="connections one host may see at once (1)")
    p.add_argument("--retries", type=int, default=3, help="retries for connection errors, timeouts, 429, 5xx (3)")
    p.add_argument("--max_retry_after_s", type=float, default=60.0,
                   help="drop a URL whose server asks to wait longer than this (60)")
    p.add_argument("--timeout_s", type=float, default=10.0, help="connect and read timeout; 3x is the total (10)")
    p.add_argument("--max_body_bytes", type=int, default=5_000_000, help="decompressed body cap (5 MB)")
    p.add_argument("--allow_loopback", action="store_true", help=argparse.SUPPRESS)  # tests only
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--no_report", action="store_true", help="skip report.html and stats.json at the end")


def _read_blocklist(path: str | None) -> tuple[str, ...]:
    if not path:
        return ()
    with open(path, encoding="utf-8") as lines:
        domains = {line.split("#", 1)[0].strip().lower().removeprefix("www.") for line in lines}
    return tuple(sorted(d for d in domains if d))


def _config_from(args) -> CorpusConfig:
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
        min_words=args.min_words, quality_filters=not args.no_quality_filters,
        decontaminate=tuple(args.decontaminate), decontaminate_threshold=args.decontaminate_threshold,
        extract_timeout_s=args.extract_timeout_s,
        languages=tuple(code.strip() for code in args.languages.split(",") if code.strip()),
        dedup_threshold=args.dedup_threshold, dedup_verify=not args.no_dedup_verify,
        dedup_rounds=args.dedup_rounds, num_perm=args.num_perm, val_fraction=args.val_fraction,
        docs_per_shard=args.docs_per_shard, user_agent=args.user_agent, delay_s=args.delay_s,
        fetch_threads=args.fetch_threads, host_parallelism=args.host_parallelism, retries=args.retries,
        max_retry_after_s=args.max_retry_after_s, timeout_s=args.timeout_s, max_body_bytes=args.max_body_bytes,
        allow_loopback=args.allow_loopback,
    )


def _check_reddit_credentials(config: CorpusConfig) -> None:
    """Fail before the pipeline starts, with what to set, when the API is needed and unusable."""
    if config.reddit_listings or config.rescore:
        for spec in config.reddit_listings:
            Listing.parse(spec)
        connect(config.user_agent, config.reddit_api_url)


def _run_corpus(args, beam_args: list[str]) -> int:
    from webtext.pipeline.progress_view import ProgressView
    from webtext.pipeline.runner import in_process, run_corpus

    try:
        config = _config_from(args)
    except ConfigError as error:
        print(f"webtext corpus: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    if args.quiet:
        view = contextlib.nullcontext()
    elif in_process(beam_args):
        view = ProgressView(sys.stdout)
    else:  # workers are other processes: their counters show in the runner's UI, and in the summary below
        print("running; per-stage progress is in the runner's UI (Beam counters webtext.<stage>)", flush=True)
        view = contextlib.nullcontext()
    try:
        _check_reddit_credentials(config)
        with view:
            manifest = run_corpus(config, beam_args)
    except (FileNotFoundError, RedditCredentialsError, ConfigError) as error:
        print(f"webtext corpus: {error}", file=sys.stderr)
        return 2
    if not args.no_report:
        from webtext.report.html import write_report
        write_report(config.out)
    if not args.quiet:
        print(format_summary(manifest, config.out, time.monotonic() - started, report=not args.no_report))
    return 0


def _run_sample(args, _beam_args) -> int:
    from webtext.sample.generate import write_sample

    for path in write_sample(args.out):
        print(path)
    return 0


def _run_verify(args, _beam_args) -> int:
    from webtext.tokenize.verify import verify_corpus

    problems = verify_corpus(args.dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{args.dir}: every shard matches manifest.json")
    return 1 if problems else 0


def _run_inspect(args, _beam_args) -> int:
    from webtext.tokenize.inspect_shard import describe_shard

    print(describe_shard(args.shard, args.doc))
    return 0


def _run_export(args, _beam_args) -> int:
    from webtext.tokenize.export import export_llmc, export_nanogpt

    export = export_nanogpt if args.format == "nanogpt" else export_llmc
    for path in export(args.dir, args.to):
        print(path)
    return 0


def _run_train(args, overrides: list[str]) -> int:
    try:
        from webtext.train.config import TrainConfigError, load_train_config
        from webtext.train.loop import train
    except ImportError as error:
        print(f"webtext train needs PyTorch: pip install -e '.[train]' ({error})", file=sys.stderr)
        return 2
    try:
        config = load_train_config(args.config, overrides)
    except (TrainConfigError, OSError) as error:
        print(f"webtext train: {error}", file=sys.stderr)
        return 2
    train(config, quiet=args.quiet)
    return 0


def _run_overlap(args, _beam_args) -> int:
    from webtext.overlap.evalsets import EvalSetError
    from webtext.overlap.report import format_report, overlap_report

    try:
        report = overlap_report(args.dir, args.eval, args.false_positive_rate, args.fp_samples, args.text_field)
    except (EvalSetError, OSError) as error:
        print(f"webtext overlap: {error}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0


def _run_report(args, _beam_args) -> int:
    from webtext.report.html import write_report

    for path in write_report(args.dir):
        print(path)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webtext", description="Rebuild GPT-2's WebText corpus, reproducibly.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    _corpus_parser(sub)
    verify = sub.add_parser("verify", help="re-check every shard of a corpus against its manifest")
    verify.add_argument("dir", help="a corpus output directory")
    inspect = sub.add_parser("inspect", help="counts and metadata of a token shard; --doc N decodes a document")
    inspect.add_argument("shard", help="a tokens/*.arrow file")
    inspect.add_argument("--doc", type=int, help="decode this document (0-based)")
    export = sub.add_parser("export", help="write the token shards in nanoGPT's or llm.c's format")
    export.add_argument("dir", help="a corpus output directory")
    export.add_argument("--format", choices=("nanogpt", "llmc"), required=True)
    export.add_argument("--to", required=True, help="directory for the exported files")
    train = sub.add_parser("train", help="train GPT-2 on a corpus's token shards (--key=value sets any setting)",
                           description="Train GPT-2 on a webtext corpus. Settings come from the defaults, then "
                                       "--config (TOML or JSON), then --key=value flags, e.g. --model=gpt2 "
                                       "--corpus=out/webtext --max_steps=5000. Under torchrun it trains with DDP.")
    train.add_argument("--config", help="a TOML or JSON file of settings")
    train.add_argument("--quiet", action="store_true", help="no console log (log.jsonl is still written)")
    overlap = sub.add_parser("overlap", help="8-gram overlap of eval sets with the training split (GPT-2 sec. 4)")
    overlap.add_argument("dir", help="a corpus output directory")
    overlap.add_argument("--eval", action="append", default=[], metavar="NAME=PATH",
                         help="an eval set: plain text (a document a line), .jsonl or .parquet (repeatable)")
    overlap.add_argument("--text_field", default="text", help="the text field of JSONL/Parquet eval sets")
    overlap.add_argument("--false_positive_rate", type=float, default=1e-8, help="the filter's bound (1e-8)")
    overlap.add_argument("--fp_samples", type=int, default=1_000_000, help="random strings for the FP check")
    report = sub.add_parser("report", help="write report.html (plots) and stats.json for a corpus directory")
    report.add_argument("dir", help="a corpus output directory")
    sample = sub.add_parser("sample", help="regenerate the bundled sample (deterministic)")
    sample.add_argument("--out", required=True, help="directory to write sample files to")
    return parser


def run(argv: list[str]) -> int:
    """The CLI as a function: tests call run([...]) instead of spawning a process."""
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in ("corpus", "train"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().addFilter(_BeamImportNoise())
    if not args.verbose:  # trafilatura warns once per page it discards; the drop records say it already
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
    handlers = {"corpus": _run_corpus, "sample": _run_sample, "verify": _run_verify, "inspect": _run_inspect,
                "export": _run_export, "train": _run_train, "overlap": _run_overlap,
                "report": _run_report}
    return handlers[args.command](args, rest)


def main() -> int:
    return run(sys.argv[1:])
