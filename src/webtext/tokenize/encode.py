"""Tokenizing documents a batch at a time: the one driver both engines call (the Beam stage's DoFn, a
unit worker's tokenize unit), so that they batch and fail alike.

A batch ends at BATCH_DOCUMENTS documents or BATCH_CHARS characters of text, whichever comes first: a
list of 2,048 documents costs a sixth as much to encode as to tokenize, and the character cap keeps a
batch of very long documents to a few tens of MB. A batch is encoded at once; if the encoder cannot
take some document of it, each is encoded on its own and that one is a counted `tokenize_error` drop.
"""

from collections.abc import Iterable, Iterator

import numpy as np

from webtext.guard import guarded
from webtext.reasons import TOKENIZE
from webtext.records import Document, Drop
from webtext.shards.gpt2 import encode_documents

BATCH_DOCUMENTS = 2048
BATCH_CHARS = 16 << 20


class Gatherer:
    """Documents into batches by the two caps, one document at a time (a DoFn's `process` has no more)."""

    def __init__(self, most_documents: int = BATCH_DOCUMENTS, most_chars: int = BATCH_CHARS):
        self._most_documents, self._most_chars = most_documents, most_chars
        self._docs: list[Document] = []
        self._chars = 0

    def add(self, doc: Document) -> list[Document] | None:
        """The batch, once this document fills it; else None."""
        self._docs.append(doc)
        self._chars += len(doc.text)
        if len(self._docs) >= self._most_documents or self._chars >= self._most_chars:
            return self.rest()
        return None

    def rest(self) -> list[Document]:
        """What is gathered (the last, short batch), and start again."""
        docs, self._docs, self._chars = self._docs, [], 0
        return docs


def batches(docs: Iterable[Document], most_documents: int = BATCH_DOCUMENTS,
            most_chars: int = BATCH_CHARS) -> Iterator[list[Document]]:
    gatherer = Gatherer(most_documents, most_chars)
    for doc in docs:
        if (batch := gatherer.add(doc)) is not None:
            yield batch
    if last := gatherer.rest():
        yield last


def encode_batch(encoding, docs: list[Document]) -> tuple[list[Document], list[np.ndarray], list[Drop]]:
    """(the documents encoded, their ids, the drops): at once, or, when that raises, one at a time."""
    try:
        return docs, encode_documents(encoding, [doc.text for doc in docs]), []
    except Exception:  # noqa: BLE001 (some document the encoder cannot take: each on its own)
        outcomes = [
            guarded(TOKENIZE, lambda d: encode_documents(encoding, [d.text])[0], doc)[0] for doc in docs
        ]
        kept = [(doc, ids) for doc, ids in zip(docs, outcomes) if not isinstance(ids, Drop)]
        return (
            [doc for doc, _ in kept],
            [ids for _, ids in kept],
            [o for o in outcomes if isinstance(o, Drop)],
        )
