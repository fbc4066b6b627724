"""Our tiktoken GPT-2 gives the same ids as Hugging Face `tokenizers` built from the same files."""

import random

import pytest

from webtext.shards.gpt2 import _vocab_file, encode_documents, gpt2_encoding

PIECES = [
    "Hello",
    " world",
    "I'll",
    " they're",
    " we've",
    "'s",
    " don't",
    "  ",
    "   ",
    "\t",
    "\n",
    "\r\n",
    "\n\n",
    "\u00a0",
    "\u2003",
    "\u3000",
    "123",
    " 4567",
    "3.14",
    "1,000,000",
    "!!!",
    "...",
    " \u2014 ",
    "\u201cquoted\u201d",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1e9\U0001f1ea",
    "\U0001f44d\U0001f3fd",
    "\U0001f600",
    "\u6f22\u5b57",
    "\u304b\u306a",
    "\ud55c\uad6d\uc5b4",
    "e\u0301",
    "n\u0303",
    "\u0915\u094d\u0937",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u0645\u0631\u062d\u0628\u0627",
    "caf\u00e9",
    "na\u00efve",
    "\u00df",
    "<|endoftext|>",
    "<html>",
    "x" * 40,
    "\u200b",
    "\ufeff",
    " ",
    "_",
    "__init__",
    "https://example.com/a?b=c",
    "C++",
    "e.g.",
    "U.S.A.",
    "\u2028",
]


def strings(n: int) -> list[str]:
    rng = random.Random(2019)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12))) for _ in range(n)]


@pytest.fixture(scope="module")
def reference():
    tokenizers = pytest.importorskip("tokenizers")
    tok = tokenizers.Tokenizer(
        tokenizers.models.BPE.from_file(_vocab_file("encoder.json"), _vocab_file("vocab.bpe"))
    )
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    return tok


def test_ids_match_hugging_face_tokenizers_on_3000_strings(reference):
    encoding = gpt2_encoding()
    texts = strings(3000)
    # the pipeline's own path, less EOT
    ours = [ids[:-1].tolist() for ids in encode_documents(encoding, texts)]
    assert ours == encoding.encode_ordinary_batch(texts, num_threads=1)
    theirs = [e.ids for e in reference.encode_batch(texts, add_special_tokens=False)]
    mismatches = [(t, a, b) for t, a, b in zip(texts, ours, theirs) if a != b]
    assert not mismatches, mismatches[:3]
