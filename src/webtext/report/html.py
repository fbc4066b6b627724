"""report.html: one self-contained file (plots embedded as data: URIs, inline CSS, no external references)."""

import base64
import html
import json
import os

from webtext.atomic import write_atomically
from webtext.report import plots
from webtext.report.stats import report_pool, stats_json, stats_of
from webtext.shards.reader import read_manifest
from webtext.utc import utc_time

STYLE = """body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f2f2f2}td.l,th.l{text-align:left}img{max-width:100%}pre{white-space:pre-wrap;background:#f7f7f7;
padding:.6em;font-size:90%}.doc{border-left:3px solid #3b6ea8;padding-left:.8em;margin:1em 0}
table.pairs td,table.pairs th{text-align:left;vertical-align:top;width:45%}
table.pairs td:first-child,table.pairs th:first-child{width:10%;text-align:right}
.id{color:#777;font-size:85%}"""


def _image(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _table(headers: list[str], rows: list[list], left: int = 1) -> str:
    head = "".join(
        f'<th class="{"l" if i < left else ""}">{html.escape(str(h))}</th>' for i, h in enumerate(headers)
    )
    body = "".join("<tr>" + "".join(f'<td class="{"l" if i < left else ""}">{html.escape(str(c))}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _stage_rows(stages: dict) -> list[list]:
    return [[name, e["in"], e["kept"], sum(e["dropped"].values()),
             ", ".join(f"{r} {n}" for r, n in e["dropped"].items()) or "-"] for name, e in stages.items()]


def _reason_rows(stages: dict) -> list[list]:
    from webtext.reasons import describe

    return [[stage, reason, describe(stage, reason), n] for stage, entry in stages.items()
            for reason, n in entry["dropped"].items()]


def _date(unix_seconds) -> str:
    """A Unix time as a UTC date; what is no time stays as it is."""
    return html.escape(utc_time(unix_seconds))


def _error_section(stages: dict) -> list[str]:
    """Records that raised an exception in a stage (dropped as <stage>_error): possibly bugs, shown apart."""
    from webtext.guard import stage_errors

    rows = [[stage, n, total] for stage, (n, total) in stage_errors(stages).items()]
    if not rows:
        return []
    return ['<h2 class="warning">Errors (records that raised an exception, each dropped)</h2>',
            _table(["stage", "records dropped as <stage>_error", "records in"], rows)]


def _damage_section(damaged: list[dict]) -> list[str]:
    """Input files that could not be read to their end, first thing after the totals."""
    if not damaged:
        return []
    return ['<h2 class="warning">Damaged inputs</h2>',
            _table(["file", "records read", "stopped at byte", "error"],
                   [[d["path"], d["records"], d["offset"], d["error"]] for d in damaged])]


# The rule-score grid is drawn in pieces of this many rules (four rows), so that a pool shares it out:
# Gopher's 26 rules were 1.4 of the 1.9 s the figures took on one core. A fixed size, not one by the number of
# processes, so that the report is the same whatever that number.
RULES_A_FIGURE = 8


def figures(stats: dict, pool=None) -> dict[str, bytes]:
    """The report's figures as PNG bytes, by name ("rule_scores/0", "rule_scores/1", ... for the pieces of
    the rule-score grid): drawn in `pool`'s processes where there is one, else here. Drawn one after
    another in the launching process they were half of a report's time (1.5 of 3.1 s, 2,950 replayed
    pages with Gopher's rules, 2 cores)."""
    summaries = stats.get("rule_scores", [])
    draw = {
        **{f"rule_scores/{i}": (plots.rule_scores, summaries[start:start + RULES_A_FIGURE])
           for i, start in enumerate(range(0, len(summaries), RULES_A_FIGURE))},
        "funnel": (plots.funnel, stats["stages"]),
        "drop_reasons": (plots.drop_reasons, stats["stages"]),
        "lengths": (plots.histogram, stats["lengths_in_tokens"], "Document length", "GPT-2 tokens"),
        "karma": (plots.histogram, stats["karma"], "Karma of each document's link", "karma", True),
    }
    if stats["dedup"]["cluster_sizes"]:
        draw["cluster_sizes"] = (plots.cluster_sizes, stats["dedup"]["cluster_sizes"])
    if pool is None:
        return {name: function(*args) for name, (function, *args) in draw.items()}
    futures = {name: pool.submit(function, *args) for name, (function, *args) in draw.items()}
    return {name: future.result() for name, future in futures.items()}


def _rule_score_section(summaries: list[dict], pieces: list[bytes]) -> list[str]:
    """How close the kept documents came to each junk rule that was on."""
    if not summaries:
        return []
    rows = [
        [
            s["rule"],
            f"{'<' if s['drops'] == 'below' else '>'} {s['limit']:g}",
            s["judged"],
            s["near_limit"],
            *(f"{s['quantiles'].get(q, float('nan')):.3g}" for q in ("min", "median", "max")),
        ]
        for s in summaries
    ]
    return [
        '<h2 id="rule-scores">Filter scores of the kept documents</h2>',
        "<p>Each junk rule's score for every kept document it judged; the red line is the limit past which "
        "a document is dropped. Documents near the limit (within a fifth of it) are what a stricter limit "
        "would cost.</p>",
        *(_image(piece, "filter scores") for piece in pieces),
        _table(["rule", "drops when", "judged", "near the limit", "min", "median", "max"], rows),
    ]


def _duplicate_examples(examples: list[dict]) -> list[str]:
    """A few near-duplicate pairs side by side: the document kept, the one dropped, their estimated
    Jaccard."""
    if not examples:
        return []

    def side(doc: dict) -> str:
        return (f'<b>{html.escape(doc["title"] or doc["url"])}</b><br>{html.escape(doc["url"])}<br>'
                f'<span class="id">{doc["doc_id"]}</span><pre>{html.escape(doc["excerpt"])}</pre>')

    rows = "".join(
        f"<tr><td>{e['estimated_jaccard']:.2f}</td><td>{side(e['kept'])}</td><td>{side(e['dropped'])}</td></tr>"
        for e in examples
    )
    return [
        "<h3>Examples: near-duplicates dropped, and the document kept in their place</h3>",
        '<table class="pairs"><tr><th>estimated '
        f'Jaccard</th><th>kept</th><th>dropped</th></tr>{rows}</table>',
    ]


def render(stats: dict, drawn: dict[str, bytes]) -> str:
    """report.html's text; `drawn`: its figures (figures(stats))."""
    settings_and_versions = {"config": stats["config"], "versions": stats["versions"]}
    sections = [
        "<h1>webtext corpus report</h1>",
        f'<p id="totals">documents <b>{stats["documents"]}</b>, tokens <b>{stats["tokens"]}</b>, '
        f"text bytes <b>{stats['bytes']}</b>, shards <b>{stats['shards']}</b></p>",
        _table(
            ["split", "documents", "tokens", "shards"],
            [[k, v["documents"], v["tokens"], v["shards"]] for k, v in sorted(stats["splits"].items())],
        ),
        *_damage_section(stats.get("damaged_inputs", [])),
        *_error_section(stats["stages"]),
        "<h2>Funnel</h2>",
        _image(drawn["funnel"], "funnel"),
        _table(["stage", "in", "kept", "dropped", "drop reasons"], _stage_rows(stats["stages"])),
        "<h2>Drop reasons</h2>",
        _image(drawn["drop_reasons"], "drop reasons"),
        _table(["stage", "reason", "meaning", "records"], _reason_rows(stats["stages"]), left=3),
        "<h2>Document length</h2>",
        _image(drawn["lengths"], "lengths"),
        _table(
            ["tokens", *stats["length_quantiles"]],
            [["", *(round(v) for v in stats["length_quantiles"].values())]],
        ),
        *_rule_score_section(stats.get("rule_scores", []),
                             [png for name, png in drawn.items() if name.startswith("rule_scores/")]),
        "<h2>Karma</h2>",
        _image(drawn["karma"], "karma"),
        "<h2>Top domains and subreddits</h2>",
        _table(["domain", "documents"], stats["top_domains"]),
        _table(["subreddit", "documents"], stats["top_subreddits"]),
        "<h2>Duplicates</h2>",
        _image(drawn["cluster_sizes"], "cluster sizes")
        if stats["dedup"]["cluster_sizes"]
        else "<p>No near-duplicate clusters.</p>",
        _table(
            ["threshold", "bands", "rows", "unconverged nodes"],
            [
                [
                    stats["dedup"]["threshold"],
                    stats["dedup"]["bands"],
                    stats["dedup"]["rows"],
                    stats["dedup"]["unconverged_nodes"],
                ]
            ],
        ),
        *_duplicate_examples(stats["dedup"].get("examples", [])),
        "<h2>Languages</h2>",
        _table(["language", "documents"], list(stats["languages"].items())),
        "<h2>Where the pages came from</h2>",
        _table(["source", "documents"], list(stats["sources"].items())),
        "<h2>Sample documents</h2>",
        *(
            f'<div class="doc"><p><b>{html.escape(s["title"] or s["url"])}</b><br>{html.escape(s["url"])}<br>'
            f"karma {s['karma']}, submissions {html.escape(', '.join(s['submission_ids']))}, "
            f"r/{html.escape(', r/'.join(s['subreddits']))}, first seen {_date(s['first_seen_utc'])}, "
            f"{html.escape(s['source'])}, fetched {html.escape(s['fetched_at'])}, "
            f"{s['split']}</p><pre>{html.escape(s['excerpt'])}</pre></div>"
            for s in stats["samples"]
        ),
        "<h2>Configuration and versions</h2>",
        f"<pre>{html.escape(json.dumps(settings_and_versions, indent=2))}</pre>",
    ]
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>webtext report</title>"
            f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>")


def write_report(out_dir: str, rule_scores=None, workers: int = 1, to: str | None = None) -> tuple[str, str]:
    """Write report.html and stats.json into `to` (default: the corpus directory); return their paths.
    `rule_scores`, `workers`: see report.stats.corpus_stats."""
    manifest = read_manifest(out_dir)
    with report_pool(manifest, workers) as pool:  # one pool for the tally and the figures
        stats = stats_of(out_dir, manifest, pool, workers, rule_scores=rule_scores)
        drawn = figures(stats, pool)
    target = to or out_dir
    os.makedirs(target, exist_ok=True)
    html_path, stats_path = os.path.join(target, "report.html"), os.path.join(target, "stats.json")
    write_atomically(html_path, render(stats, drawn).encode("utf-8"))
    write_stats(stats_path, stats_json(stats))
    return html_path, stats_path


def write_stats(path: str, kept: dict) -> None:
    """stats.json (stats_json's form), as the report and the card write it."""
    write_atomically(path, (json.dumps(kept, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode())
