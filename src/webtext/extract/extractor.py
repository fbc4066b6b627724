"""trafilatura, called the way a reproducible corpus needs, and its result as a Document.

`deduplicate=False`: trafilatura's own dedup cache is process-global, so with
it on, a page's text would depend on which worker happened to see which other
pages first. Deduplication is the dedup stage's job.
Options, chosen by measurement on real annotated pages (bench/bench_extract.py;
the numbers are in bench/README.md): comments off (WebText is about the linked content,
not the thread under it, and comments lower precision), tables on (they add
recall at no precision cost), neither favor_precision nor favor_recall (each
loses more on one side than it gains on the other). Metadata comes from the
page's declared tags (metadata.py) rather than trafilatura's date search.
"""

from collections.abc import Callable

import trafilatura
from trafilatura.utils import load_html

from webtext.extract.metadata import page_metadata
from webtext.extract.sandbox import ExtractCrash, ExtractTimeout
from webtext.guard import guarded
from webtext.hashing import doc_id
from webtext.reasons import EXTRACT
from webtext.records import Document, Drop, FetchResult
from webtext.urls import host_of

EXTRACTOR = "webtext.extract.extractor:run_trafilatura"  # what the sandboxed child runs
BATCH_PAGES = 16  # pages sent to the child at once (both engines; bench_extract.py)

STAGE = EXTRACT
OPTIONS = dict(deduplicate=False, with_metadata=False, include_comments=False, include_tables=True,
               include_images=False, include_links=False)


def run_trafilatura(html: str, url: str) -> dict | None:
    """Main text and cheap metadata of a page, as plain values (they cross a process boundary)."""
    tree = load_html(html)  # parsed once: metadata first, since trafilatura prunes the tree it is given
    if tree is None:
        return None
    metadata = page_metadata(tree)
    extracted = trafilatura.bare_extraction(tree, url=url, **OPTIONS)
    return {**metadata, "text": extracted.text or ""} if extracted is not None else None


def document_from(result: FetchResult, extracted: dict | None) -> Document | Drop:
    link = result.link
    text = (extracted or {}).get("text", "").strip()
    if not text:
        return Drop(STAGE, "extract_empty", link.url)
    return Document(
        doc_id=doc_id(link.url), url=link.url, final_url=result.final_url, domain=host_of(link.url),
        title=extracted["title"].strip(), text=text, karma=link.karma, submission_ids=link.submission_ids,
        subreddits=link.subreddits, first_seen_utc=link.first_seen_utc,
        language="",  # set by the language filter, which measures it on the extracted text
        published=extracted["date"], sitename=extracted["sitename"], fetched_at=result.fetched_at,
        scores=link.scores, page_canonical=extracted.get("canonical", ""), source=result.source,
        archive_url=result.archive_url,
    )


def extract_document(result: FetchResult, extract: Callable = run_trafilatura) -> Document | Drop:
    """The page's main text as a Document, or a Drop: extract_empty, extract_timeout, extract_error."""
    try:
        extracted = extract(result.html, result.final_url)
    except ExtractTimeout as error:
        return Drop(STAGE, "extract_timeout", result.link.url, str(error))
    except ExtractCrash as error:
        return Drop(STAGE, "extract_error", result.link.url, str(error))
    except Exception as error:  # trafilatura and lxml raise many types on hostile markup
        return Drop(STAGE, "extract_error", result.link.url, f"{type(error).__name__}: {error}"[:200])
    return guarded(STAGE, lambda r: document_from(r, extracted), result)[0]
