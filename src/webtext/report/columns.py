"""What the dataset card and croissant.json both say of a corpus: its name, and what each column holds."""

from webtext.report.markdown import n

# What each Parquet column holds (tokenize/shards.py's TEXT_SCHEMA).
COLUMNS = {
    "doc_id": "the document's id: a hash of its canonical URL",
    "url": "the canonical URL that the Reddit submissions linked (identity and dedup key)",
    "final_url": "the URL the page was read from, after redirects",
    "domain": "the canonical URL's host",
    "title": "the page's title, as trafilatura finds it",
    "text": "the extracted main text",
    "karma": "the highest score of the submissions that linked it",
    "submission_ids": "the Reddit submissions that linked it",
    "subreddits": "their subreddits",
    "first_seen_utc": "when the earliest of them was submitted (Unix seconds)",
    "language": "the language identified for the text",
    "n_chars": "characters of text",
    "n_tokens": "GPT-2 tokens of the document, its end-of-text token included",
    "scores": "each submission's score, aligned with submission_ids",
    "published": "the page's own publication date, where it gives one",
    "sitename": "the site's name, where the page gives one",
    "fetched_at": "when its bytes were captured (the WARC record's date)",
    "source": "where the bytes came from: live, wayback or commoncrawl",
    "archive_url": "the archive's URL for those bytes (an archived copy only)",
}


def pretty_name(manifest: dict) -> str:
    return f"WebText rebuilt by webtext ({n(manifest['documents'])} documents)"
