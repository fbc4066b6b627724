"""Property-based tests for the parsers that take strangers' input: they never raise, and their
normalisations are idempotent."""

from hypothesis import given, settings
from hypothesis import strategies as st

from webtext.crawl.charset import decode_html
from webtext.ngram_bloom import normalize_for_overlap
from webtext.records import Drop, Submission
from webtext.sources.submissions import parse_submission
from webtext.text_normalize import normalized_words
from webtext.urls import canonical_url

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.binary(max_size=300))
def test_any_bytes_are_a_submission_or_a_reasoned_drop(raw):
    result = parse_submission(raw, "f:1")
    assert isinstance(result, (Submission, Drop))
    if isinstance(result, Drop):
        assert result.reason and result.item == "f:1"


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "url",
                "score",
                "created_utc",
                "subreddit",
                "is_self",
                "over_18",
                "author",
                "removed_by_category",
            ]
        ),
        json_values,
    )
)
def test_any_json_object_is_a_submission_or_a_reasoned_drop(record):
    import json

    result = parse_submission(json.dumps(record).encode(), "f:2")
    assert isinstance(result, (Submission, Drop))
    if isinstance(result, Submission):
        assert isinstance(result.score, int) and isinstance(result.created_utc, int)


@given(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            "",
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=iso-8859-1",
            "text/html; charset=bogus",
            "text/html; charset=shift_jis",
        ]
    ),
)
@settings(max_examples=200)
def test_any_body_decodes_to_text(body, content_type):
    text, encoding = decode_html(body, content_type)
    assert isinstance(text, str) and encoding


@given(st.text(max_size=200))
def test_text_normalisations_are_idempotent(text):
    once = " ".join(normalized_words(text))
    assert " ".join(normalized_words(once)) == once
    overlap = normalize_for_overlap(text)
    assert normalize_for_overlap(overlap) == overlap


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_canonical_urls_of_odd_paths_are_idempotent(path):
    once = canonical_url("https://Example.com/" + path)
    if once is not None:
        assert canonical_url(once) == once
