"""The `webtext show` command: one document with its provenance, one dropped record with its reason, or
(`--list`) many of either a page at a time."""

import json
import sys


def add_show_parser(sub) -> None:
    show = sub.add_parser(
        "show",
        help="one document with its provenance (by --id, --url, --domain or at random); "
        "--dropped: one record of rejects/ with why it was dropped",
    )
    show.add_argument("dir", help="a corpus output directory")
    show.add_argument("--id", help="a document id (doc_id)")
    show.add_argument("--url", help="the document's URL (as linked, canonical, or its final URL)")
    show.add_argument("--domain", help="one of this domain's documents, at random")
    show.add_argument("--seed", type=int, default=None, help="for a random pick that can be repeated")
    show.add_argument(
        "--dropped", action="store_true", help="look in rejects/: the stage and reason it was dropped (and "
        "the document's text, in a corpus made with --keep_dropped_text)"
    )
    show.add_argument("--json", action="store_true", help="one JSON object, for scripts")
    show.add_argument("--list", action="store_true",
                      help="list documents (or, with --dropped, --stage or --reason, dropped records) that "
                           "match --domain, --subreddit, --stage, --reason; a page at a time")
    show.add_argument("--subreddit", help="with --list: documents one of whose submissions is in it")
    show.add_argument("--stage", help="with --list: dropped records of this stage (fetch, filter, ...)")
    show.add_argument("--reason", help="with --list: dropped records of this reason (http_4xx, too_short, "
                                       "...)")
    show.add_argument("--limit", type=int, default=20, help="with --list: items a page (default 20)")
    show.add_argument("--offset", type=int, default=0, help="with --list: items to skip")


def run_show_command(args, _beam_args) -> int:
    from webtext.show.find import NotFound, format_document, format_dropped, show_document, show_dropped

    if args.list or args.subreddit or args.stage or args.reason:
        return _run_list(args)
    which = {"doc_id": args.id, "url": args.url, "domain": args.domain, "seed": args.seed}
    try:
        shown = show_dropped(args.dir, **which) if args.dropped else show_document(args.dir, **which)
    except NotFound as error:
        print(f"webtext show: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(shown, indent=2, ensure_ascii=False, sort_keys=True))
        return 0
    text = format_dropped(shown) if args.dropped else format_document(shown)
    if sys.stdout.isatty():
        import pydoc

        pydoc.pager(text)
    else:
        sys.stdout.write(text)
    return 0


def _run_list(args) -> int:
    from webtext.show.listing import format_list, list_documents, list_dropped

    if args.limit < 1 or args.offset < 0:
        print("webtext show: --limit must be at least 1 and --offset at least 0", file=sys.stderr)
        return 2
    dropped = args.dropped or bool(args.stage or args.reason)
    if dropped and args.subreddit:
        print("webtext show: --subreddit lists documents; dropped records have no subreddit here",
              file=sys.stderr)
        return 2
    listed = (list_dropped(args.dir, args.domain, args.stage, args.reason, args.limit, args.offset) if dropped
              else list_documents(args.dir, args.domain, args.subreddit, args.limit, args.offset))
    if args.json:
        print(json.dumps(listed, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        sys.stdout.write(format_list(listed, dropped))
    return 0
