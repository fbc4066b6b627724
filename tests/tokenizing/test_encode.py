"""The tokenize stage's one driver (tokenize/encode.py), as both engines call it: batches end at a
document or a character cap, and a document the encoder cannot take is one counted drop."""

import webtext.tokenize.encode as encode
from webtext.records import Document
from webtext.shards.gpt2 import gpt2_encoding


def doc(i: int, text: str) -> Document:
    return Document(f"d{i:03d}", f"https://a.test/{i}", f"https://a.test/{i}", "a.test", "", text, 5, ("s",),
                    ("r",), 0, "en")


def test_a_batch_ends_at_its_document_cap_or_its_character_cap():
    docs = [doc(i, "word " * 20) for i in range(5)]  # 100 characters each
    assert [len(b) for b in encode.batches(docs, most_documents=2, most_chars=10_000)] == [2, 2, 1]
    assert [len(b) for b in encode.batches(docs, most_documents=100, most_chars=250)] == [3, 2]
    assert [b for b in encode.batches([], 2, 10)] == []
    # The real caps: a batch of long documents ends before 2,048 of them (16 MiB of text).
    long_docs = (doc(i, "x" * (1 << 20)) for i in range(40))
    assert [len(b) for b in encode.batches(long_docs)] == [16, 16, 8]


def test_a_document_the_encoder_cannot_take_is_one_drop_and_the_rest_are_encoded(monkeypatch):
    real = encode.encode_documents

    def refusing(encoding, texts):
        if any("poison" in t for t in texts):
            raise ValueError("planted")
        return real(encoding, texts)
    monkeypatch.setattr(encode, "encode_documents", refusing)
    docs = [doc(0, "a fine text"), doc(1, "a poison text"), doc(2, "another fine one")]
    kept, ids, drops = encode.encode_batch(gpt2_encoding(), docs)
    assert [d.doc_id for d in kept] == ["d000", "d002"] and len(ids) == 2
    assert [(d.stage, d.reason, d.item) for d in drops] == [("tokenize", "tokenize_error", "https://a.test/1")]
    assert [i.tolist() for i in ids] == [
        i.tolist() for i in real(gpt2_encoding(), ["a fine text", "another fine one"])
    ]
