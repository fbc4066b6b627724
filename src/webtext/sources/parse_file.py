"""One input file's lines as the read stage's outcomes, where the file is read: Beam's read DoFn and
a run in units both take them from here."""

from collections.abc import Iterator
from typing import NamedTuple

from webtext.guard import guarded
from webtext.records import DamagedFileError, DamagedInput, Drop
from webtext.sources.dumps import MAX_LINE_BYTES, LineTooLong, iter_lines
from webtext.sources.submissions import STAGE, parse_submission, parse_url_line


class LineCount(NamedTuple):
    """The file's lines: the read stage's independent "in" count (last, once per file)."""
    lines: int


def parsed_file(path: str, url_list: bool = False, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator:
    """Submission | Drop per line (a Pushshift dump's, or a URL list's with `url_list`; a line longer than
    `max_line_bytes` a `line_too_long` drop), then a DamagedInput
    if the file stopped being readable (and one `unreadable_file` drop for the rest of it) or held no line
    at all, then the LineCount."""
    parse, lines = parse_url_line if url_list else parse_submission, 0
    try:
        for number, raw in iter_lines(path, max_line_bytes):
            lines = number
            source = f"{path}:{number}"
            if isinstance(raw, LineTooLong):
                yield Drop(STAGE, "line_too_long", source, f"{raw.length:,} bytes, over --max_line_bytes "
                                                           f"{max_line_bytes:,}")
                continue
            yield guarded(STAGE, lambda line: parse(line, source), raw, members=lambda _: [source])[0]
    except DamagedFileError as error:  # truncated or corrupt: what was read counts, the rest is one drop
        damaged: DamagedInput = error.damaged._replace(records=lines)
        yield damaged
        lines += 1
        yield Drop(
            STAGE, "unreadable_file", f"{path}:{lines}", f"at byte {damaged.offset}: {damaged.error}"[:200]
        )
    else:
        if not lines:  # an empty dump or list (a download that never happened): named, and it fails the run
            yield DamagedInput(path, 0, "the file holds no line", 0)
    yield LineCount(lines)
