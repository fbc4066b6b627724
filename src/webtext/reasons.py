"""The pipeline's stages, in order, and every reason a stage can drop a record for, each said once.

Stages take their names from here, the accounting and the progress view their order, the report
each reason's meaning, and the README's reason table is this table (a test holds them equal, and
another that no stage drops for a reason missing here). Besides these, every stage can drop a
record as `<stage>_error`: an exception while handling it, counted apart as a possible bug.
"""

READ, SELECT, LINKS, FETCH, EXTRACT, FILTER, DEDUP, TOKENIZE = (
    "read", "select", "links", "fetch", "extract", "filter", "dedup", "tokenize")
STAGES = (READ, SELECT, LINKS, FETCH, EXTRACT, FILTER, DEDUP, TOKENIZE)

REASONS: dict[str, dict[str, str]] = {
    READ: {
        "empty_line": "an empty line in a dump or URL list",
        "line_too_long": "a line longer than --max_line_bytes (1 MiB), skipped without being held",
        "invalid_utf8": "a line that is not UTF-8",
        "malformed_json": "a line that is not JSON",
        "duplicate_key": "a JSON object with a key twice",
        "not_an_object": "JSON, but not an object",
        "missing_id": "a submission without an id",
        "missing_url": "a link submission without a url",
        "invalid_url_text": "a url that is not text",
        "missing_score": "a submission without a score",
        "bad_score": "a score that is not a number (or past 10^12)",
        "missing_created_utc": "a submission without created_utc",
        "bad_created_utc": "a created_utc that is not a time",
        "created_utc_out_of_range": "a created_utc before 2005 or from 2100 on: no Reddit submission's",
        "unreadable_file": "the rest of a damaged input file (named with the byte where reading stopped)",
    },
    SELECT: {
        "self_post": "a text post: no outbound link",
        "after_cutoff": "submitted at or after --cutoff_utc (WebText: 2018-01-01)",
        "nsfw": "marked NSFW (with --drop_nsfw)",
        "removed": "removed or deleted (with --drop_removed)",
        "not_http_url": "not an http(s) URL",
        "blocklisted": "a domain on --blocklist",
        "reddit_link": "a link to Reddit itself",
        "media_link": "an image or video host (i.redd.it, imgur, YouTube, ...)",
    },
    LINKS: {
        "wikipedia": "a link to Wikipedia or a --wikipedia_mirror",
        "low_karma": "no counted submission of the link reached --min_karma",
    },
    FETCH: {
        "not_archived": "replay: the page is in no --warc file",
        "content_type": "not HTML or text",
        "http_3xx": "a redirect without a Location, or another 3xx",
        "http_4xx": "a 4xx answer",
        "http_429": "429 Too Many Requests, after the retries",
        "http_5xx": "a 5xx answer, after the retries",
        "http_empty": "204 or 205: an empty answer",
        "timeout": "the URL's deadline passed (connect, headers and body included)",
        "connection_error": "the connection failed or broke, after the retries",
        "dns": "the host name does not resolve",
        "tls": "the TLS handshake or certificate failed",
        "ssrf": "the address is not public (private, loopback, metadata, ...) or not http(s)",
        "too_large": "the body passed --max_body_bytes",
        "warc_record_damaged": "its WARC record's HTTP part is unreadable (file and error in the detail)",
        "decode_error": "broken compression",
        "redirect_loop": "more than 5 redirects",
        "bad_redirect": "a Location that is not a URL",
        "robots": "robots.txt disallows it (or could not be read: 5xx, 429, slow)",
        "host_budget": "the host's --host_budget_s was spent",
        "fetch_error": "another failure of the HTTP client",
        "parked": "a parked or for-sale domain (archive fetch modes: an archived copy is asked instead)",
        "soft_404": "a 200 that is a not-found page (archive fetch modes)",
        "no_capture": "no archive holds a capture in --archive_window_days",
        "archive_error": "the archives could not be asked, or their capture was unusable",
    },
    EXTRACT: {
        "extract_empty": "trafilatura found no main text",
        "extract_timeout": "extraction took longer than --extract_timeout_s",
    },
    FILTER: {
        "wikipedia": "reached Wikipedia through a redirect, or names it as its canonical page",
        "too_short": "fewer than --min_words words",
        "language": "not in --languages",
        "contaminated": "its 8-grams overlap a --decontaminate eval set past the threshold",
        "quality_stop_words": "fewer than 2 of Gopher's 8 English stop words",
        "quality_short_lines": "menus, index pages, link lists, forms: few words in lines of prose",
        "quality_boilerplate": "consent, sign-in, paywall, error or parked-domain screen phrases",
        "quality_repeated_lines": "much of the text in lines said before",
        "quality_keyword_stuffing": "keyword spam: a quarter of the words on three keywords",
        "quality_no_words": "--filters gopher: no words",
        "quality_too_long": "--filters gopher: more than 100,000 words",
        "quality_mean_word_length": "--filters gopher: mean word length outside 3-10",
        "quality_symbol_ratio": "--filters gopher: too many # and ... per word",
        "quality_bullet_lines": "--filters gopher: over 90% of lines are bullets",
        "quality_ellipsis_lines": "--filters gopher: over 30% of lines end in ...",
        "quality_alphabetic_words": "--filters gopher: under 80% of words hold a letter",
        "quality_duplicate_lines": "--filters gopher: repeated lines",
        "quality_duplicate_paragraphs": "--filters gopher: repeated paragraphs",
        **{
            f"quality_top_{n}gram": f"--filters gopher: the commonest {n}-gram covers too much"
            for n in (2, 3, 4)
        },
        **{
            f"quality_duplicate_{n}gram": f"--filters gopher: repeated {n}-grams cover too much"
            for n in range(5, 11)
        },
    },
    DEDUP: {
        "exact_duplicate": "the same normalised text as a kept document",
        "near_duplicate": "a near-duplicate (MinHash) of a kept document",
    },
    TOKENIZE: {},
}


def error_reason(stage: str) -> str:
    """The drop reason of an exception while a stage handled one record: `fetch_error`, `filter_error`, ...
    (a stage's step, `dedup.exact`, reports under its stage). These are counted apart from the other
    reasons, as they may be a bug in webtext rather than a fault of the record."""
    return f"{stage.split('.')[0]}_error"


def describe(stage: str, reason: str) -> str:
    if reason == error_reason(stage):
        return "an exception while handling it: possibly a bug (counted apart)"
    if stage == FILTER and reason.startswith("user_"):  # filters/user_filter.py: the user's own reasons
        return f"--filter_module dropped it ({reason.removeprefix('user_')})"
    return REASONS.get(stage, {}).get(reason, "")


def markdown_table() -> str:
    """The README's reason table."""
    rows = ["| stage | reason | meaning |", "|---|---|---|"]
    for stage in STAGES:
        rows += [f"| {stage} | `{reason}` | {meaning} |" for reason, meaning in REASONS[stage].items()]
        rows.append(f"| {stage} | `{error_reason(stage)}` | {describe(stage, error_reason(stage))} |")
    return "\n".join(rows)
