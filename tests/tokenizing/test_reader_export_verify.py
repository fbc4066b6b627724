"""The reader API, nanoGPT and llm.c exports, and `webtext verify` on the sample corpus."""

import shutil

import numpy as np
import pytest

from webtext.cli.main import run
from webtext.shards.gpt2 import EOT_ID
from webtext.shards.reader import TokenShard, random_windows, read_manifest, split_shard_paths
from webtext.tokenize.export import export_llmc, export_nanogpt, read_llmc
from webtext.tokenize.verify import verify_corpus


def split_stream(corpus, split):
    return np.concatenate([TokenShard(p).flat_tokens() for p in split_shard_paths(str(corpus), split)])


def test_documents_by_index_make_up_the_flat_stream(sample_corpus):
    for path in split_shard_paths(str(sample_corpus), "train"):
        shard = TokenShard(path)
        documents = [shard.document(i) for i in range(shard.num_documents)]
        assert np.array_equal(np.concatenate(documents), shard.flat_tokens())
        assert all(d[-1] == EOT_ID for d in documents)
        with pytest.raises(IndexError):
            shard.document(shard.num_documents)


def test_random_windows_come_from_the_stream():
    stream = np.arange(100, dtype=np.uint16)
    windows = random_windows(stream, 8, 5, np.random.default_rng(0))
    assert windows.shape == (5, 9)
    assert all(np.array_equal(w, np.arange(w[0], w[0] + 9)) for w in windows)
    with pytest.raises(ValueError):
        random_windows(stream[:5], 8, 1, np.random.default_rng(0))


def test_nanogpt_export_is_the_split_streams(sample_corpus, tmp_path):
    written = export_nanogpt(str(sample_corpus), str(tmp_path))
    assert sorted(p.rsplit("/", 1)[1] for p in written) == ["train.bin", "val.bin"]
    assert np.array_equal(
        np.fromfile(tmp_path / "train.bin", dtype="<u2"), split_stream(sample_corpus, "train")
    )
    assert np.array_equal(
        np.fromfile(tmp_path / "val.bin", dtype="<u2"), split_stream(sample_corpus, "validation")
    )


def test_llmc_export_has_its_header_and_the_same_tokens(sample_corpus, tmp_path):
    written = export_llmc(str(sample_corpus), str(tmp_path))
    train = [p for p in written if "_train_" in p]
    tokens = np.concatenate([read_llmc(p)[1:] for p in train])  # each file starts with llm.c's leading EOT
    assert np.array_equal(tokens, split_stream(sample_corpus, "train"))
    assert all(read_llmc(p)[0] == EOT_ID for p in written)
    header = np.fromfile(train[0], dtype="<i4", count=256)
    assert (header[0], header[1]) == (20240520, 1)


def test_verify_passes_then_catches_a_flipped_byte(sample_corpus, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(sample_corpus, copy)
    assert verify_corpus(str(copy)) == []
    assert run(["verify", str(copy)]) == 0
    shard = copy / read_manifest(str(copy))["shards"][0]["tokens_path"]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    problems = verify_corpus(str(copy))
    assert len(problems) == 1 and "sha256" in problems[0]
    assert run(["verify", str(copy)]) == 1


def test_inspect_decodes_a_document(sample_corpus, capsys):
    path = split_shard_paths(str(sample_corpus), "train")[0]
    assert run(["inspect", path, "--doc", "0"]) == 0
    out = capsys.readouterr().out
    assert "tokenizer: gpt2" in out and "document 0" in out


def test_inspect_says_when_it_cuts_a_document_and_full_shows_it_whole(sample_corpus, capsys):
    from webtext.shards.gpt2 import gpt2_encoding
    from webtext.shards.reader import TokenShard

    path = split_shard_paths(str(sample_corpus), "train")[0]
    shard = TokenShard(path)
    decode = gpt2_encoding().decode
    lengths = [len(decode(shard.document(i)[:-1].tolist())) for i in range(shard.num_documents)]
    long_one = next(i for i, n in enumerate(lengths) if n > 2000)
    assert run(["inspect", path, "--doc", str(long_one)]) == 0
    assert f"[... cut at 2,000 of {lengths[long_one]:,} characters; --full shows all of it]" in \
        capsys.readouterr().out
    assert run(["inspect", path, "--doc", str(long_one), "--full"]) == 0
    assert "cut at" not in capsys.readouterr().out
