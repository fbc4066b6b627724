"""The dataset card (a corpus's README.md) as a Markdown viewer shows it: its YAML metadata as a block
above, the body rendered as GitHub-flavoured Markdown (CommonMark with tables, by markdown-it),
in a page styled like a repository viewer's. docs/screenshot.sh photographs it in Chromium.

Usage: python docs/card_html.py OUT/README.md PAGE.html
"""

import html
import sys

from markdown_it import MarkdownIt

STYLE = """body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;
max-width:900px;margin:2em auto;padding:0 1.5em;color:#1f2328;line-height:1.5;font-size:15px}
h1,h2{border-bottom:1px solid #d1d9e0;padding-bottom:.3em}
table{border-collapse:collapse;margin:1em 0;display:block;overflow:auto}
td,th{border:1px solid #d1d9e0;padding:6px 13px}tr:nth-child(2n){background:#f6f8fa}
th{font-weight:600}code{background:#eff1f3;padding:.2em .4em;border-radius:6px;font-size:85%}
pre{background:#f6f8fa;padding:16px;border-radius:6px;overflow:auto}pre code{background:none;padding:0}
.meta{border:1px solid #d1d9e0;border-radius:6px;padding:0 1em;margin-bottom:2em;background:#fbfbfc}
.meta pre{background:none}"""


def card_page(markdown: str) -> str:
    _, header, body = markdown.split("---\n", 2) if markdown.startswith("---\n") else ("", "", markdown)
    rendered = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(body)
    meta = f'<div class="meta"><p><b>metadata</b></p><pre>{html.escape(header)}</pre></div>' if header else ""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>dataset card</title>'
            f"<style>{STYLE}</style></head><body>{meta}{rendered}</body></html>")


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as stream:
        page = card_page(stream.read())
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        out.write(page)
