"""The tokenize step of both engines on documents past one batch's 16 MiB of text: the Beam stage's two
DoFns (the tokenizer over one bundle, then the shard writer over each shard's pieces, grouped as its
GroupByKey groups them) and the units engine's tokenize unit and shard assembly (units/shard_steps.py) cut
the batches at the cap, through the one driver (tokenize/encode.py), and write the same shard bytes.
(Not end to end, as the conformance suite runs the rest: 16 MiB of text costs trafilatura about 14 s a
page per engine, and a runner some 30 s more to carry it.)"""

import hashlib
import pickle
import random
from collections import Counter

import pytest

import webtext.tokenize.encode as encode
from helpers.dofn_bundle import one_bundle
from webtext.dedup.over_signatures import SignatureStore
from webtext.dedup.settings import DedupSettings
from webtext.engines.units import shard_steps, worker
from webtext.records import Document
from webtext.sample import prose
from webtext.tokenize.encode import BATCH_CHARS
from webtext.tokenize.settings import ShardSettings
from webtext.tokenize.splits import shard_count, split_cutoff, split_of, validation_bucket
from webtext.tokenize.transforms import _shard_keys, _TokenizeByShard, _WriteShard

CONFIG = ShardSettings(val_fraction=0.0, docs_per_shard=4)


def document(i: int, text: str) -> Document:
    return Document(f"{i:016x}", f"https://e.com/{i}", f"https://e.com/{i}/", "e.com", f"title {i}", text,
                    3 + i, ("s",), ("news",), 1_400_000_000, "en")


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    """Three documents of 6 MiB of text each (18 MiB: past one batch's cap), among small ones."""
    rng = random.Random(7)
    article = " ".join(prose.article(rng, 8)) + "\n"
    big = [document(i, (article * (6 * 2**20 // len(article) + 1))[: 6 * 2**20 - i]) for i in range(3)]
    return big + [document(10 + i, " ".join(prose.article(rng, 3))) for i in range(5)]


@pytest.fixture
def batch_chars(monkeypatch) -> list[int]:
    """The characters of text of each batch the driver encodes at once, in either engine."""
    seen, original = [], encode.encode_documents

    def counting(encoding, texts):
        seen.append(sum(map(len, texts)))
        return original(encoding, texts)

    monkeypatch.setattr(encode, "encode_documents", counting)
    return seen


def shard_digests(out) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.glob("tokens/*")) + sorted(out.glob("text/*"))}


def splits(docs: list[Document]) -> tuple[float, dict[str, int]]:
    """The split cutoff and each split's document count, as both engines compute them."""
    ids = [doc.doc_id for doc in docs]
    smallest = sorted(map(validation_bucket, ids))[: max(1, CONFIG.min_val_documents)]
    cutoff = split_cutoff(CONFIG.val_fraction, smallest, len(ids), CONFIG.min_val_documents)
    return cutoff, dict(Counter(split_of(doc_id, cutoff) for doc_id in ids))


def units_shards(docs: list[Document], out, tmp_path, monkeypatch) -> None:
    """The units engine's last steps, in this process: one fetch unit's documents, an empty dedup store
    (no losers), one tokenize unit, then each shard from its piece."""
    unit = tmp_path / "fetched" / "p00000-c00000"
    unit.mkdir(parents=True)
    with open(unit / worker.DOCS, "wb") as stream:
        for doc in docs:
            pickle.dump(doc, stream, protocol=pickle.HIGHEST_PROTOCOL)
    store = SignatureStore(str(tmp_path / "dedup.sqlite"), DedupSettings())
    store.decide()
    cutoff, counts = splits(docs)
    piece = str(tmp_path / "pieces" / "p00000-c00000")
    shard_steps.tokenize_unit([str(unit)], store.path, cutoff, counts, CONFIG.docs_per_shard, piece)
    store.close()
    for split, n in counts.items():
        count = shard_count(n, CONFIG.docs_per_shard)
        for index in range(count):
            shard_steps.assemble_shard(str(out), split, index, count, [piece])


def beam_shards(docs: list[Document], out) -> None:
    """The Beam stage's tokenizer over one bundle, its pieces grouped by shard key (every key, as
    `_shard_keys` adds them), then its shard writer over each group."""
    cutoff, counts = splits(docs)
    emitted = one_bundle(_TokenizeByShard(CONFIG.docs_per_shard), [(doc, counts, cutoff) for doc in docs])
    grouped: dict[tuple, list] = {}
    for key, part in [*(_shard_keys(counts, CONFIG.docs_per_shard)),
                      *(output.value if when == "end" else output for when, output in emitted)]:
        grouped.setdefault(key, []).append(part)
    for keyed in grouped.items():
        list(_WriteShard(str(out)).process(keyed))


def test_both_engines_cut_batches_at_16_mib_and_write_the_same_shards(docs, batch_chars, tmp_path,
                                                                        monkeypatch):
    units_shards(docs, tmp_path / "units", tmp_path, monkeypatch)
    by_units, batch_chars[:] = list(batch_chars), []
    beam_shards(docs, tmp_path / "beam")
    by_beam = list(batch_chars)
    # Without the character cap the units engine would encode all 18 MiB at once (8 documents, far
    # under 2,048); each engine's batches end at the first document that reaches the cap.
    for batches in (by_units, by_beam):
        assert sum(batches) == sum(len(doc.text) for doc in docs)
        assert all(chars - 6 * 2**20 < BATCH_CHARS for chars in batches) and len(batches) >= 2
    assert shard_digests(tmp_path / "units") == shard_digests(tmp_path / "beam") != {}
