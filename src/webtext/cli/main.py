"""The `webtext` command. Flags of `corpus` it does not know pass through to Beam, if they are Beam's."""

import argparse
import contextlib
import errno
import json
import logging
import os
import sys

from webtext.ablate.command import add_ablate_parser
from webtext.cli.corpus import add_corpus_parser, run_corpus_command
from webtext.cli.flag_check import (
    beam_option_parser,
    complaint,
    normalize_spelling,
    option_names,
    unknown_flags,
)
from webtext.cli.show import add_show_parser, run_show_command
from webtext.interrupts import interrupted
from webtext.printable import printable
from webtext.quiet_logs import BeamImportNoise
from webtext.settings import ConfigError
from webtext.train.commands import add_train_parsers, needs_torch, run_generate_command, run_train_command


def _user_errors() -> tuple[type, ...]:
    """Errors that come from what the user gave (a path, a damaged file, a number out of range): one line,
    exit 2. Anything else is reported as a possible bug, exit 1; -v shows the traceback of either."""
    import pyarrow as pa

    from webtext.run.manifest import ManifestError
    from webtext.shards.integrity import CorpusDamaged

    return OSError, CorpusDamaged, ManifestError, pa.ArrowException, IndexError, json.JSONDecodeError


def _run_sample(args, _beam_args) -> int:
    from webtext.sample.generate import write_sample

    for path in write_sample(args.out):
        print(path)
    return 0


def _run_verify(args, _beam_args) -> int:
    from webtext.run.out_lock import owning
    from webtext.run.staging import finish_interrupted_swap, swap_journal
    from webtext.tokenize.verify import verify_corpus

    try:
        with owning(args.dir):  # a swap cut off by a kill is finished first, unless a run owns the folder
            if finish_interrupted_swap(args.dir):
                print(f"{args.dir}: finished a swap that a killed run had begun", file=sys.stderr)
    except ConfigError as error:  # a run owns the folder, or its lock is unsafe
        print(f"webtext verify: {error}", file=sys.stderr)
        return 2
    except OSError:  # a folder this user cannot write: verified as it is
        if os.path.exists(swap_journal(args.dir)):
            print(f"{args.dir}: a swap was cut off ({swap_journal(args.dir)}); run verify where the folder "
                  f"is writable to finish it", file=sys.stderr)
    problems = verify_corpus(args.dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{args.dir}: every shard matches manifest.json")
    from webtext.cli.corpus import damaged_inputs_exit

    with open(os.path.join(args.dir, "manifest.json"), encoding="utf-8") as stream:
        return damaged_inputs_exit(json.load(stream), args.dir, "webtext verify")


def _run_inspect(args, _beam_args) -> int:
    from webtext.tokenize.inspect_shard import describe_shard

    print(describe_shard(args.shard, args.doc, max_chars=None if args.full else 2000))
    return 0


def _run_export(args, _beam_args) -> int:
    from webtext.tokenize.export import export_llmc, export_nanogpt

    export = export_nanogpt if args.format == "nanogpt" else export_llmc
    for path in export(args.dir, args.to):
        print(path)
    return 0


def _cannot_write(command: str, error: OSError, corpus: str) -> int:
    """A corpus folder that cannot be written (a read-only mount, someone else's): say where to write
    instead."""
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM) or (
            isinstance(error, PermissionError) and error.errno is None):  # check_writable's own
        why = error.strerror or "permission denied"
        print(f"webtext {command}: cannot write {error.filename or corpus} ({why}): write elsewhere with "
              "--to DIR", file=sys.stderr)
        return 2
    raise error


def _writing_into(corpus: str, to: str | None):
    """The corpus's lock while a command writes into it (not with --to): never across a run's swap, which
    would leave the previous corpus's card or report in the new one."""
    from webtext.run.out_lock import owning

    return owning(corpus) if to is None else contextlib.nullcontext()


def _run_overlap(args, _beam_args) -> int:
    from webtext.evalsets import EvalSetError
    from webtext.overlap.report import format_report, overlap_report

    try:
        with _writing_into(args.dir, args.to):
            report = overlap_report(
                args.dir, args.eval, args.false_positive_rate, args.fp_samples, args.text_field, to=args.to
            )
    except (EvalSetError, ConfigError) as error:
        print(f"webtext overlap: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return _cannot_write("overlap", error, args.dir)
        print(f"webtext overlap: {error}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0


def _run_report(args, _beam_args) -> int:
    from webtext.engines.table import usable_cores
    from webtext.filters.presets import kept_scores
    from webtext.report.html import write_report

    workers = usable_cores() if args.workers is None else args.workers
    return _written_into("report", args, lambda: write_report(args.dir, rule_scores=kept_scores,
                                                              workers=workers, to=args.to))


def _run_card(args, _beam_args) -> int:
    from webtext.engines.table import usable_cores
    from webtext.report.card import card_for

    return _written_into("card", args, lambda: card_for(args.dir, to=args.to, workers=usable_cores()))


def _written_into(command: str, args, write) -> int:
    """`write()` under the corpus's lock (not with --to), the paths it wrote printed; a run that owns the
    corpus, an unsafe lock or a folder that cannot be written is one line, exit 2."""
    try:
        with _writing_into(args.dir, args.to):
            for path in write():
                print(path)
    except ConfigError as error:  # a run owns the corpus, or its lock is unsafe
        print(f"webtext {command}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        return _cannot_write(command, error, args.dir)
    return 0


def _run_ablate(args, rest) -> int:
    try:
        from webtext.ablate.command import run_ablate_command
    except ImportError as error:
        return needs_torch("ablate", error)
    return run_ablate_command(args, rest)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="webtext", description="Rebuild GPT-2's WebText corpus, reproducibly."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    add_corpus_parser(sub)
    verify = sub.add_parser("verify", help="re-check every shard of a corpus against its manifest")
    verify.add_argument("dir", help="a corpus output directory")
    inspect = sub.add_parser(
        "inspect", help="counts and metadata of a token shard; --doc N decodes a document"
    )
    inspect.add_argument("shard", help="a tokens/*.arrow file")
    inspect.add_argument("--doc", type=int, help="decode this document (0-based; its first 2,000 characters)")
    inspect.add_argument("--full", action="store_true", help="with --doc: the whole document")
    export = sub.add_parser("export", help="write the token shards in nanoGPT's or llm.c's format")
    export.add_argument("dir", help="a corpus output directory")
    export.add_argument("--format", choices=("nanogpt", "llmc"), required=True)
    export.add_argument("--to", required=True, help="directory for the exported files")
    add_train_parsers(sub)  # train, generate
    overlap = sub.add_parser(
        "overlap", help="8-gram overlap of eval sets with the training split (GPT-2 sec. 4)"
    )
    overlap.add_argument("dir", help="a corpus output directory")
    overlap.add_argument("--eval", action="append", default=[], metavar="NAME=PATH",
                         help="an eval set: plain text (a document a line), .jsonl or .parquet (repeatable)")
    overlap.add_argument("--text_field", default="text", help="the text field of JSONL/Parquet eval sets")
    overlap.add_argument("--false_positive_rate", type=float, default=1e-8, help="the filter's bound (1e-8)")
    overlap.add_argument("--fp_samples", type=int, default=1_000_000, help="random strings for the FP check")
    overlap.add_argument("--to", help="write overlap.json, the plot and the cached filter here (default: "
                                      "DIR/overlap; for a read-only corpus)")
    report = sub.add_parser("report", help="write report.html (plots) and stats.json for a corpus directory")
    report.add_argument("dir", help="a corpus output directory")
    report.add_argument("--workers", type=int, default=None,
                        help="processes that read a large corpus's shards (default: every usable core)")
    report.add_argument("--to", help="write them here instead of into DIR (for a read-only corpus)")
    card = sub.add_parser("card", help="write the dataset card (README.md, Hugging Face metadata) and "
                                       "croissant.json for a corpus directory")
    card.add_argument("dir", help="a corpus output directory")
    card.add_argument("--to", help="write them here instead of into DIR (for a read-only corpus)")
    add_show_parser(sub)
    add_ablate_parser(sub)
    sample = sub.add_parser("sample", help="regenerate the bundled sample (deterministic)")
    sample.add_argument("--out", required=True, help="directory to write sample files to")
    return parser


def _corpus_flags(parser: argparse.ArgumentParser) -> set[str]:
    corpus = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["corpus"]
    return option_names(corpus)


def _check_corpus_flags(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[list[str], str | None]:
    """(argv with both spellings accepted, or the one-line error for a flag neither webtext nor Beam
    knows)."""
    beam_parser = beam_option_parser()
    ours, beams = _corpus_flags(parser), option_names(beam_parser)
    argv = normalize_spelling(argv, ours | beams)
    _, rest = parser.parse_known_args(argv)
    for token in unknown_flags(beam_parser, rest):
        return argv, complaint(token, ours | beams)
    return argv, None


def run(argv: list[str]) -> int:
    """The CLI as a function: tests call run([...]) instead of spawning a process."""
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().addFilter(BeamImportNoise())
    if not args.verbose:  # trafilatura warns once per page it discards; the drop records say it already
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
        # Beam logs a failed bundle's traceback before it raises; the error is said once, below (-v: both)
        logging.getLogger("apache_beam.runners.common").setLevel(logging.CRITICAL)
    if args.command == "corpus":
        argv, error = _check_corpus_flags(parser, argv)
        if error:
            print(f"webtext corpus: {error}", file=sys.stderr)
            return 2
        args, rest = parser.parse_known_args(argv)
    if rest and args.command not in ("corpus", "train"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    handlers = {
        "corpus": run_corpus_command,
        "sample": _run_sample,
        "verify": _run_verify,
        "inspect": _run_inspect,
        "export": _run_export,
        "train": run_train_command,
        "generate": run_generate_command,
        "overlap": _run_overlap,
        "report": _run_report,
        "card": _run_card,
        "show": run_show_command,
        "ablate": _run_ablate,
    }
    args.argv = argv
    try:
        return handlers[args.command](args, rest)
    except Exception as error:
        if args.verbose or interrupted():  # Beam hands a Ctrl-C inside a stage back as a RuntimeError
            raise
        user_error = isinstance(error, _user_errors())
        what = printable(str(error).strip().splitlines()[0]) if str(error).strip() else type(error).__name__
        print(f"webtext {args.command}: {what if user_error else f'{type(error).__name__}: {what}'}"
              + ("" if user_error else " (a bug in webtext? -v shows the traceback)"), file=sys.stderr)
        return 2 if user_error else 1

