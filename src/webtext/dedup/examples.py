"""A few near-duplicate pairs as examples for the report: the document dropped, the one kept in its
place, and their MinHash estimate of Jaccard similarity. Chosen by the decisions alone (the dropped
documents with the smallest ids), so both engines give the same examples."""

from collections.abc import Iterable

from webtext.dedup.minhash import Signer, estimated_jaccard
from webtext.records import Document, Drop

EXAMPLES = 5
EXCERPT_CHARS = 400


def example_pairs(drops: Iterable[Drop], count: int = EXAMPLES) -> list[tuple[str, str]]:
    """(dropped id, kept id) of the first `count` near-duplicate drops by dropped id."""
    return sorted((drop.item, drop.detail) for drop in drops if drop.reason == "near_duplicate")[:count]


def _side(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "url": doc.url, "title": doc.title, "excerpt": doc.text[:EXCERPT_CHARS]}


def dedup_examples(pairs: list[tuple[str, str]], docs: Iterable[Document], num_perm: int,
                   shingle_words: int) -> list[dict]:
    """Each pair with both documents (`docs` holds at least them) and its estimated Jaccard, the
    signatures made again from the texts as the stage made them."""
    by_id = {doc.doc_id: doc for doc in docs}
    signer = Signer(num_perm, shingle_words)
    examples = []
    for dropped, kept in pairs:
        if dropped not in by_id or kept not in by_id:
            continue
        a, b = (signer.signature(by_id[i].text).tobytes() for i in (dropped, kept))
        examples.append(
            {
                "estimated_jaccard": round(estimated_jaccard(a, b), 3),
                "dropped": _side(by_id[dropped]),
                "kept": _side(by_id[kept]),
            }
        )
    return examples
