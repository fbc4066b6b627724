"""Each filter: a document in, the document (perhaps annotated) or a Drop out.

Defaults, and why:
- Wikipedia: WebText "removed all Wikipedia documents", because Wikipedia is
  in most evaluation sets. Links to it are dropped at the links stage; this
  catches pages that reach it through a redirect.
- `min_words` (64 whitespace words): pages shorter than a paragraph are mostly
  error pages, paywalls and link stubs, not documents.
- language: py3langid ships its model in the package (no downloads); English
  by default, as WebText was.
- junk rules, by preset (presets.py): `webtext` drops what is not prose (menus,
  consent and sign-in screens, spam; junk.py), `gopher` adds Gopher's quality and
  repetition rules (quality.py); reason codes are `quality_<rule>`.
- contaminated (only with --decontaminate): more than half of the document's
  8-grams (normalised as in GPT-2's overlap study) occur in the given eval sets.
"""

import py3langid

from webtext.filters.presets import PRESETS
from webtext.filters.scored import TextFeatures, first_broken
from webtext.filters.settings import FilterSettings
from webtext.filters.user_filter import drop_by_user
from webtext.guard import guarded
from webtext.ngram_bloom import new_filter, ngrams, overlap_fraction
from webtext.reasons import FILTER
from webtext.records import Document, Drop
from webtext.urls import is_wikipedia

# Documents filtered together, in both engines. The filters' tables (the language model's are 70 MB) are
# cold after each page's extraction, which runs in the same worker and sweeps the caches: filtering a
# batch keeps them warm from one document to the next (bench_extract.py; bench/README.md).
BATCH_DOCUMENTS = 32

STAGE = FILTER


def drop_wikipedia(doc: Document) -> Document | Drop:
    """Wikipedia reached by a redirect, or a copy that names a Wikipedia article as its canonical page."""
    for url in (doc.url, doc.final_url, doc.page_canonical):
        if url and is_wikipedia(url):
            return Drop(STAGE, "wikipedia", doc.url, url)
    return doc


def drop_short(doc: Document, min_words: int) -> Document | Drop:
    words = len(doc.text.split())
    if words < min_words:
        return Drop(STAGE, "too_short", doc.url, f"{words} words")
    return doc


# py3langid's cost grows with the text's length, and the language of a page's first 1,000
# characters is the language of the whole text on real pages (a test pins it on the development
# data's German, English and French pages).
LANGUAGE_SAMPLE_CHARS = 1000


def identify_language(text: str) -> str:
    language, _ = py3langid.classify(text[:LANGUAGE_SAMPLE_CHARS])
    return language


def keep_languages(doc: Document, languages: tuple[str, ...]) -> Document | Drop:
    language = identify_language(doc.text)
    if languages and language not in languages:
        return Drop(STAGE, "language", doc.url, language)
    return doc._replace(language=language)


def drop_junk(doc: Document, rules) -> Document | Drop:
    """The first of the preset's rules the document breaks, as a `quality_<rule>` drop."""
    issue = first_broken(rules, TextFeatures(doc.text, doc.language))
    return Drop(STAGE, f"quality_{issue}", doc.url) if issue else doc


def drop_contaminated(doc: Document, eval_ngrams, threshold: float) -> Document | Drop:
    """Drop a document when more than `threshold` of its 8-grams occur in the eval sets."""
    found, total = overlap_fraction(doc.text, eval_ngrams)
    if total and found / total > threshold:
        return Drop(STAGE, "contaminated", doc.url, f"{found}/{total} 8-grams in eval sets")
    return doc


def eval_filter(specs: tuple[str, ...], text_field: str = "text"):
    """One Bloom filter of the 8-grams of every NAME=PATH eval set (small: eval sets are small)."""
    from webtext.evalsets import parse_named, read_documents

    documents = [d for spec in specs for d in read_documents(parse_named(spec)[1], text_field)]
    bloom = new_filter(sum(len(d.split()) for d in documents), 1e-9)
    for document in documents:
        bloom.update(ngrams(document))
    return bloom


def filter_documents(docs: list[Document], config: FilterSettings, eval_ngrams=None,
                     user_filter=None) -> list[Document | Drop]:
    """Each document's outcome: all filters in order, cheapest first; the first drop wins.

    One filter over every document, then the next over those left: each filter's tables stay in
    the caches from one document to the next (bench_extract.py; bench/README.md)."""
    steps = [
        drop_wikipedia,
        lambda d: drop_short(d, config.min_words),
        lambda d: keep_languages(d, config.languages),
    ]
    if rules := PRESETS[config.preset]:
        steps.append(lambda d: drop_junk(d, rules))
    if eval_ngrams is not None:
        steps.append(lambda d: drop_contaminated(d, eval_ngrams, config.decontaminate_threshold))
    if user_filter is not None:  # --filter_module: the user's own, after every built-in rule
        steps.append(lambda d: drop_by_user(d, user_filter))
    outcomes = list(docs)
    for step in steps:
        outcomes = [o if isinstance(o, Drop) else guarded(STAGE, step, o)[0] for o in outcomes]
    return outcomes


def filter_document(doc: Document, config: FilterSettings, eval_ngrams=None) -> Document | Drop:
    """One document's outcome (see filter_documents)."""
    return filter_documents([doc], config, eval_ngrams)[0]
