"""trafilatura, called the way a reproducible corpus needs.

`deduplicate=False`: trafilatura's own dedup cache is process-global, so with
it on, a page's text would depend on which worker happened to see which other
pages first. Deduplication is the dedup stage's job.
Comments are left out (WebText is about the linked content, not the thread
under it); tables are kept, since much of the web's factual text lives there.
"""

import trafilatura

from webtext.hashing import doc_id
from webtext.records import Document, Drop, FetchResult
from webtext.urls import host_of

STAGE = "extract"


def extract_document(result: FetchResult) -> Document | Drop:
    """The page's main text as a Document, or a Drop (extract_empty, extract_error)."""
    link = result.link
    try:
        extracted = trafilatura.bare_extraction(
            result.html, url=result.final_url, deduplicate=False, with_metadata=True,
            include_comments=False, include_tables=True, include_images=False, include_links=False,
        )
    except Exception as error:  # trafilatura and lxml raise many types on hostile markup
        return Drop(STAGE, "extract_error", link.url, f"{type(error).__name__}: {error}"[:200])
    text = (extracted.text or "").strip() if extracted is not None else ""
    if not text:
        return Drop(STAGE, "extract_empty", link.url)
    return Document(
        doc_id=doc_id(link.url),
        url=link.url,
        final_url=result.final_url,
        domain=host_of(link.url),
        title=(extracted.title or "").strip(),
        text=text,
        karma=link.karma,
        submission_ids=link.submission_ids,
        subreddits=link.subreddits,
        first_seen_utc=link.first_seen_utc,
        language="",  # set by the language filter, which measures it on the extracted text
    )
