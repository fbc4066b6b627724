"""Markdown for the dataset card, written from data: counts, tables whose count columns are right-aligned
and text left-aligned, and strings from the corpus escaped so that nothing a page or a Reddit name holds
becomes markup or HTML."""

import html
import re

from webtext.printable import printable


def n(value) -> str:
    """A count as the card writes it (every count goes through here)."""
    return f"{value:,}"


# Markdown's punctuation that can start markup inside a line or a table cell.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def md_text(value) -> str:
    """A string from the corpus (a subreddit, title, URL, domain, path) as plain text in Markdown and in the
    HTML a Markdown renderer makes of it: HTML escaped, Markdown's punctuation backslashed, control
    characters shown as escapes. Pages and Reddit names are written by strangers."""
    return _MARKDOWN.sub(r"\\\1", html.escape(printable(value), quote=True))


def md_code(value) -> str:
    """A path from the corpus as a Markdown code span (shown as it is, never as markup); md_text where a
    backtick would end the span early. A `|` is backslashed, as GitHub's tables need even in code."""
    text = printable(value)
    return md_text(text) if "`" in text else "`" + text.replace("|", "\\|") + "`"


_NUMBER = re.compile(r"[\d,.%–-]+")


def table(headers: list[str], rows: list[list]) -> list[str]:
    """A Markdown table: a column of counts right-aligned, every other column (text) left-aligned."""
    numeric = [bool(rows) and all(_NUMBER.fullmatch(str(row[i])) for row in rows)
               for i in range(len(headers))]
    return [f"| {' | '.join(headers)} |",
            f"|{'|'.join('---:' if is_number else '---' for is_number in numeric)}|",
            *(f"| {' | '.join(str(cell) for cell in row)} |" for row in rows), ""]
