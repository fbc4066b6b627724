"""Each document filter: kept, or dropped with its reason."""

import random

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow, IntervalWindow
from apache_beam.utils.timestamp import Timestamp

from helpers.dofn_bundle import one_bundle
from webtext.filters.batches import FilterBatches
from webtext.filters.rules import filter_document, identify_language
from webtext.filters.settings import FilterSettings
from webtext.records import Document, Drop
from webtext.sample import prose
from webtext.stagekit import DriveStep

ENGLISH = " ".join(prose.article(random.Random(5), 3))
CONFIG = FilterSettings()


def doc(text=ENGLISH, url="https://example.com/a", final_url=None) -> Document:
    return Document(
        "0123456789abcdef", url, final_url or url, "example.com", "T", text, 5, ("s",), ("news",), 1, ""
    )


def test_english_article_is_kept_and_labelled():
    kept = filter_document(doc(), CONFIG)
    assert not isinstance(kept, Drop) and kept.language == "en"


def test_short_documents_are_dropped():
    drop = filter_document(doc("Only a few words here."), CONFIG)
    assert (drop.stage, drop.reason, drop.detail) == ("filter", "too_short", "5 words")


def test_other_languages_are_dropped_unless_listed():
    german = prose.GERMAN * 4
    assert identify_language(german) == "de"
    assert filter_document(doc(german), CONFIG).reason == "language"
    # (quality rules off: the test's German is one paragraph repeated, which they would drop)
    both = FilterSettings(languages=("en", "de"), preset="none")
    assert filter_document(doc(german), both).language == "de"
    anything = FilterSettings(languages=(), preset="none")
    assert not isinstance(filter_document(doc(german), anything), Drop)


def test_wikipedia_reached_through_a_redirect_or_named_canonical_is_dropped():
    drop = filter_document(doc(final_url="https://en.m.wikipedia.org/wiki/Bridge"), CONFIG)
    assert drop.reason == "wikipedia"
    mirror = doc()._replace(page_canonical="https://en.wikipedia.org/wiki/Bridge")
    assert filter_document(mirror, CONFIG).reason == "wikipedia"


def test_min_words_boundary():
    words = " ".join(ENGLISH.split()[:64])
    assert getattr(filter_document(doc(words), CONFIG), "reason", None) != "too_short"
    shorter = " ".join(ENGLISH.split()[:63])
    assert filter_document(doc(shorter), CONFIG).reason == "too_short"


def test_repetitive_pages_are_dropped_by_the_quality_rules():
    page = "Buy now and save with the best offers on every order today.\n" * 40
    assert filter_document(doc(page), CONFIG).reason == "quality_repeated_lines"
    gopher = FilterSettings(preset="gopher")
    # the webtext rules come first
    assert filter_document(doc(page), gopher).reason == "quality_repeated_lines"
    assert not isinstance(filter_document(doc(page), FilterSettings(preset="none")), Drop)


def test_the_language_sample_gives_the_language_of_the_whole_text_on_real_pages(shared_data):
    import py3langid

    from webtext.crawl.charset import decode_html
    from webtext.crawl.replay import read_warc
    from webtext.extract.extractor import run_trafilatura
    from webtext.filters.rules import LANGUAGE_SAMPLE_CHARS

    texts = []
    for response in read_warc(str(shared_data / "pages.warc.gz")):
        extracted = run_trafilatura(decode_html(response.body, response.content_type)[0], response.target_uri)
        if extracted and len(extracted["text"]) > LANGUAGE_SAMPLE_CHARS:
            texts.append(extracted["text"])
    languages = [py3langid.classify(text)[0] for text in texts]
    # 95 pages longer than the sample: 59 de, 31 en, 5 fr
    assert len(texts) >= 80 and {"en", "de", "fr"} <= set(languages)
    assert [identify_language(text) for text in texts] == languages


def _filter_in_one_bundle(docs, windows, batch_documents):
    """What the filter DoFn emits for `docs` in one bundle: (after which document, or "end", output)."""
    return one_bundle(
        DriveStep(lambda item_of: FilterBatches(CONFIG, doc_of=item_of, size=batch_documents)),
        [(d, w, Timestamp(10)) for d, w in zip(docs, windows)],
    )


def test_the_filter_dofn_filters_gathered_documents_each_once_in_its_window_as_alone():
    """It gathers documents and filters them back to back (for the caches' sake); that must not
    change any outcome, window or timestamp, nor lose or repeat a document."""
    docs = [
        doc(),
        doc("Only a few words here.", url="https://example.com/b"),
        doc(url="https://example.com/c"),
        doc(url="https://en.wikipedia.org/wiki/Bridge"),
        doc(" ".join(prose.article(random.Random(6), 3)), url="https://example.com/e"),
    ]
    windows = [GlobalWindow(), IntervalWindow(0, 5), GlobalWindow(), IntervalWindow(5, 9), GlobalWindow()]
    emitted = _filter_in_one_bundle(docs, windows, batch_documents=2)
    # after each second document; the rest at the end
    assert [when for when, _ in emitted] == [1, 1, 3, 3, "end"]
    drops = [isinstance(out, beam.pvalue.TaggedOutput) and out.tag == "drops" for _, out in emitted]
    outputs = [out.value if drop else out for drop, (_, out) in zip(drops, emitted)]
    assert [o.value for o in outputs] == [filter_document(d, CONFIG) for d in docs]
    assert drops == [False, True, False, True, False]
    assert [list(o.windows) for o in outputs] == [[w] for w in windows] and {
        o.timestamp for o in outputs
    } == {Timestamp(10)}


def test_the_filter_dofn_emits_nothing_for_an_empty_bundle():
    assert _filter_in_one_bundle([], [], batch_documents=2) == []
