"""`webtext corpus` flags: both spellings (`--min_karma`, `--min-karma`), and no flag that nobody reads.

Flags `corpus` does not know go to Beam as pipeline options, and Beam only logs a
warning for one it does not know either: a typo such as `--min-karme 30` would build
a corpus with the default rule and exit 0. Here every flag left over must be one of
Beam's pipeline options, or the command stops before anything is written.
"""

import argparse
import difflib


def beam_option_parser() -> argparse.ArgumentParser:
    """Every pipeline option of every Beam options class, as Beam's own get_all_options collects them."""
    from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

    parser = _BeamArgumentParser(allow_abbrev=False, add_help=False)
    classes, pending = {}, list(PipelineOptions.__subclasses__())
    while pending:
        cls = pending.pop()
        classes[str(cls)] = cls
        pending.extend(cls.__subclasses__())
    for cls in classes.values():
        try:
            cls._add_argparse_args(parser)
        except argparse.ArgumentError:  # an option two classes both declare: the first one holds
            pass
    return parser


def option_names(parser: argparse.ArgumentParser) -> set[str]:
    return {name for action in parser._actions for name in action.option_strings if name.startswith("--")}


def normalize_spelling(argv: list[str], known: set[str]) -> list[str]:
    """`--min-karma` as `--min_karma` where only the underscore spelling is a known flag."""
    normalized = []
    for token in argv:
        name, sep, value = token.partition("=")
        if (
            token.startswith("--")
            and name not in known
            and (underscored := "--" + name[2:].replace("-", "_")) in known
        ):
            token = underscored + sep + value
        normalized.append(token)
    return normalized


def unknown_flags(beam_parser: argparse.ArgumentParser, beam_args: list[str]) -> list[str]:
    """What among `beam_args` is no Beam pipeline option (of `beam_option_parser()`): flags by name, and
    stray values."""
    _, unknown = beam_parser.parse_known_args(beam_args)
    return [token.partition("=")[0] if token.startswith("-") else token for token in unknown]


def complaint(token: str, known: set[str]) -> str:
    """One line naming what is wrong with `token`, and the closest real flag."""
    if not token.startswith("-"):
        return f"unexpected argument {token!r} (a value needs its flag; globs need quotes)"
    spelled = "--" + token.lstrip("-").replace("-", "_")
    close = difflib.get_close_matches(spelled, sorted(known), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"unknown flag {token}{hint}; `webtext corpus --help` lists webtext's, Beam's pipeline options go too"
    )
