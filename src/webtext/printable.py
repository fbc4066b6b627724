"""Strings from inputs (URLs, titles, WARC header lines, page text) made safe to print on a terminal:
control characters, which could move the cursor, retitle the window or hide text, shown as escapes."""

import re

# C0 controls, DEL and C1 controls; and the bidirectional overrides that reorder what a line seems to say.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text, keep_lines: bool = False) -> str:
    """`text` with every control character written as an escape (`\\x1b`); with `keep_lines`, new lines
    and tabs kept (a document's text)."""
    return (_CONTROL_BUT_LINES if keep_lines else _CONTROL).sub(_escape, str(text))
