"""Settings sections: frozen dataclasses whose fields say, once, their default, help, flag and check.

Each stage defines its own section next to its code (sources.settings.LinkRules, crawl.settings.
FetchSettings, ...) and takes only that. A field is declared with `setting(...)`; from its metadata
the command line is generated (`add_arguments`), parsed back into the section (`from_arguments`) and
checked when the section is made (`check`, called from each section's __post_init__), so a flag's
name, default, help and validation are written in one place.
"""

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any


class ConfigError(ValueError):
    """A setting that cannot work; the message says which flag and what to change."""


def setting(default, help: str, *, flag: str | None = None, check: Callable[[Any], bool] | None = None,
            must: str = "", cli: str = "value", parse: Callable | None = None, metavar: str | None = None,
            choices: tuple | None = None):
    """A section's field. `flag`: its command-line name (default: the field's). `check(value)` must hold,
    or ConfigError says "--flag must <must>". `cli`: how the command line gives it: "value" (one value of
    the default's type, or `parse`d from the text), "comma" (a comma-separated list into a tuple),
    "repeat" (a repeatable flag into a tuple), "switch" (a flag that sets True), "no_switch" (--no_<flag>
    sets False), or "" (not on the command line)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("a setting's default must be immutable (a tuple, not a list)")
    metadata = {"help": help, "flag": flag, "check": check, "must": must, "cli": cli, "parse": parse,
                "metavar": metavar, "choices": choices}
    return dataclasses.field(default=default, metadata=metadata)


def flag_of(field: dataclasses.Field) -> str:
    return field.metadata.get("flag") or field.name


def check(section) -> None:
    """Raise ConfigError for the first field whose check fails."""
    for field in dataclasses.fields(section):
        test = field.metadata.get("check")
        value = getattr(section, field.name)
        if test is not None and not test(value):
            raise ConfigError(f"--{flag_of(field)} must {field.metadata['must']}, not {value!r}")


def _shown(value) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return str(value)


def add_arguments(parser, section_type) -> None:
    """One command-line flag per field of the section (those with cli="" excepted)."""
    for field in dataclasses.fields(section_type):
        meta, flag = field.metadata, flag_of(field)
        kind, default = meta.get("cli", "value"), field.default
        if not kind:
            continue
        help_text = (
            f"{meta['help']} (default: {_shown(default)})"
            if kind in ("value", "comma") and default is not None  # None: the help says what it means
            else meta["help"]
        )
        if kind == "switch":
            parser.add_argument(f"--{flag}", action="store_true", dest=flag, help=meta["help"])
        elif kind == "no_switch":
            parser.add_argument(
                f"--no_{flag}", action="store_false", dest=flag, default=True, help=meta["help"]
            )
        elif kind == "repeat":
            parser.add_argument(f"--{flag}", action="append", default=[], dest=flag, metavar=meta["metavar"],
                                help=f"{meta['help']} (repeatable)")
        elif kind == "comma":
            parser.add_argument(f"--{flag}", default=",".join(default), dest=flag, metavar=meta["metavar"],
                                help=help_text)
        else:
            value_type = type(default) if default is not None and meta.get("parse") is None else str
            parser.add_argument(
                f"--{flag}",
                type=value_type,
                default=default,
                dest=flag,
                metavar=meta["metavar"],
                choices=meta["choices"],
                help=help_text,
            )


def from_arguments(section_type, args: argparse.Namespace, **overrides):
    """The section from parsed arguments (as add_arguments made them); `overrides` replace fields."""
    values = {}
    for field in dataclasses.fields(section_type):
        meta, flag = field.metadata, flag_of(field)
        kind = meta.get("cli", "value")
        if not kind or field.name in overrides or not hasattr(args, flag):
            continue
        value = getattr(args, flag)
        if kind == "comma":
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        elif kind == "repeat":
            value = tuple(value)
        if meta.get("parse") is not None and value is not None:
            try:
                value = meta["parse"](value)
            except (ValueError, TypeError) as error:  # a value that does not parse: the user's, one line
                must = f"must {meta['must']}" if meta.get("must") else f"cannot be read ({error})"
                raise ConfigError(f"--{flag} {must}, not {value!r}") from None
        values[field.name] = value
    return section_type(**values, **overrides)
