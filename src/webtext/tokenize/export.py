"""Exports of the token shards for trainers that read their own formats.

- nanoGPT: `train.bin` / `val.bin`, the split's tokens as one raw little-endian uint16 stream.
- llm.c: one file per shard, a 256 x int32 header (magic 20240520, version 1, token count) then
  uint16 tokens, named like llm.c's own (`webtext_train_000000.bin`). llm.c's writers put EOT
  *before* each document, so each export file starts with one EOT; the rest is webtext's stream
  (EOT after each document), so every document is still delimited exactly once on each side.
"""

import os

import numpy as np

from webtext.shards.gpt2 import EOT_ID
from webtext.shards.integrity import check_token_shards
from webtext.shards.reader import TokenShard, read_manifest, split_shard_paths

LLMC_MAGIC = 20240520
LLMC_VERSION = 1
LLMC_HEADER_INTS = 256
SPLIT_NAMES = {"train": ("train", "train"), "validation": ("val", "val")}  # webtext split -> (nanoGPT, llm.c)


def _checked(out_dir: str) -> dict[str, list[str]]:
    """Each split's token shard paths, every shard checked against the manifest before any is exported."""
    manifest = read_manifest(out_dir)
    check_token_shards(out_dir, manifest)
    return {split: split_shard_paths(out_dir, split, manifest) for split in SPLIT_NAMES}


def _write_then_rename(path: str, write) -> None:
    """`write(stream)` into path.tmp, renamed to path when whole; no .tmp left behind on failure."""
    try:
        with open(path + ".tmp", "wb") as out:
            write(out)
        os.replace(path + ".tmp", path)
    finally:
        if os.path.exists(path + ".tmp"):
            os.remove(path + ".tmp")


def export_nanogpt(out_dir: str, dest: str) -> list[str]:
    shards, written = _checked(out_dir), []
    os.makedirs(dest, exist_ok=True)
    for split, (name, _) in SPLIT_NAMES.items():
        if not shards[split]:
            continue

        def write(out, paths=shards[split]):
            for shard in paths:
                for stream in TokenShard(shard).streams():
                    out.write(stream.astype("<u2", copy=False).tobytes())
        path = os.path.join(dest, f"{name}.bin")
        _write_then_rename(path, write)
        written.append(path)
    return written


def llmc_header(num_tokens: int) -> bytes:
    header = np.zeros(LLMC_HEADER_INTS, dtype="<i4")
    header[:3] = (LLMC_MAGIC, LLMC_VERSION, num_tokens)
    return header.tobytes()


def export_llmc(out_dir: str, dest: str) -> list[str]:
    shards, written = _checked(out_dir), []
    os.makedirs(dest, exist_ok=True)
    for split, (_, name) in SPLIT_NAMES.items():
        for index, shard in enumerate(shards[split]):
            tokens = TokenShard(shard).flat_tokens()

            def write(out, tokens=tokens):
                out.write(llmc_header(len(tokens) + 1))
                out.write(np.array([EOT_ID], dtype="<u2").tobytes())
                out.write(tokens.astype("<u2", copy=False).tobytes())
            path = os.path.join(dest, f"webtext_{name}_{index:06d}.bin")
            _write_then_rename(path, write)
            written.append(path)
    return written


def read_llmc(path: str) -> np.ndarray:
    """The tokens of an llm.c shard, checking its header."""
    with open(path, "rb") as stream:
        header = np.frombuffer(stream.read(LLMC_HEADER_INTS * 4), dtype="<i4")
        if header[0] != LLMC_MAGIC or header[1] != LLMC_VERSION:
            raise ValueError(f"{path}: not an llm.c token shard")
        tokens = np.frombuffer(stream.read(), dtype="<u2")
    if len(tokens) != header[2]:
        raise ValueError(f"{path}: header says {header[2]} tokens, file has {len(tokens)}")
    return tokens
