"""Read a corpus's token shards without copying: the API the trainer, exports and overlap share.

A token shard's `tokens` column is one contiguous uint16 buffer per record
batch (documents back to back, EOT after each), so a memory-mapped shard gives
numpy views of the flat stream and of each document, with nothing read into RAM
until it is touched.
"""

import json
import os
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

MANIFEST_NAME = "manifest.json"


def read_manifest(out_dir: str) -> dict:
    if "://" not in out_dir:  # a local corpus needs no Beam (the trainer's GPU machines may not have it)
        path = os.path.join(out_dir, MANIFEST_NAME)
        if not os.path.isfile(path):
            if os.path.exists(out_dir.rstrip("/") + ".swap.json"):  # staging.swap_journal: a swap cut off
                raise FileNotFoundError(f"{out_dir}: a swap of corpora was cut off (a kill, a full disk): "
                                        f"`webtext verify {out_dir}` finishes it")
            raise FileNotFoundError(f"{out_dir} is no webtext corpus: it has no {MANIFEST_NAME} "
                                    f"(`webtext corpus --out {out_dir}` makes one)")
        with open(path, "rb") as stream:
            return json.loads(stream.read().decode("utf-8"))
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(FileSystems.join(out_dir, MANIFEST_NAME)) as stream:
        return json.loads(stream.read().decode("utf-8"))


class TokenShard:
    """One memory-mapped token shard."""

    def __init__(self, path: str):
        self.path = path
        try:
            self._reader = pa.ipc.open_file(pa.memory_map(path, "r"))
        except pa.ArrowInvalid as error:
            raise pa.ArrowInvalid(
                f"{path}: not an Arrow token shard (those are tokens/*.arrow): {error}"
            ) from error
        self._batches = [self._reader.get_batch(i) for i in range(self._reader.num_record_batches)]

    @property
    def metadata(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in (self._reader.schema.metadata or {}).items()}

    @property
    def num_documents(self) -> int:
        return sum(b.num_rows for b in self._batches)

    def streams(self) -> Iterator[np.ndarray]:
        """Each record batch's tokens as one zero-copy uint16 view."""
        for batch in self._batches:
            column = batch.column("tokens")
            start, end = column.offsets[0].as_py(), column.offsets[-1].as_py()
            yield column.values.slice(start, end - start).to_numpy(zero_copy_only=True)

    def flat_tokens(self) -> np.ndarray:
        """The whole shard's token stream: a view when the shard is one batch (as webtext writes it)."""
        streams = list(self.streams())
        if len(streams) == 1:
            return streams[0]
        return np.concatenate(streams) if streams else np.zeros(0, dtype=np.uint16)

    def _locate(self, index: int) -> tuple[pa.RecordBatch, int]:
        if not 0 <= index < self.num_documents:
            raise IndexError(f"{self.path} has documents 0 to {self.num_documents - 1}, not {index}")
        for batch in self._batches:
            if index < batch.num_rows:
                return batch, index
            index -= batch.num_rows
        raise IndexError(index)

    def document(self, index: int) -> np.ndarray:
        """The token ids of document `index` (EOT last), as a view."""
        batch, row = self._locate(index)
        column = batch.column("tokens")
        start, end = column.offsets[row].as_py(), column.offsets[row + 1].as_py()
        return column.values.slice(start, end - start).to_numpy(zero_copy_only=True)

    def doc_id(self, index: int) -> str:
        batch, row = self._locate(index)
        return batch.column("doc_id")[row].as_py()


def open_token_shard(path: str) -> pa.Table:
    """The shard as an Arrow table backed by a memory map (no read into RAM)."""
    return pa.ipc.open_file(pa.memory_map(path, "r")).read_all()


def token_streams(path: str) -> Iterator[np.ndarray]:
    """Each record batch's token ids as one zero-copy uint16 array."""
    return TokenShard(path).streams()


def shard_metadata(path: str) -> dict[str, str]:
    return TokenShard(path).metadata


def split_shard_paths(
    out_dir: str, split: str, manifest: dict | None = None, kind: str = "tokens"
) -> list[str]:
    """Local paths of one split's shards ("train" or "validation"; kind "tokens" or "text"), in manifest
    order."""
    manifest = manifest or read_manifest(out_dir)
    return [os.path.join(out_dir, s[f"{kind}_path"]) for s in manifest["shards"] if s["split"] == split]


def random_windows(stream: np.ndarray, block_size: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` windows of block_size + 1 tokens at random offsets of a flat stream: (count, block_size +
    1)."""
    if len(stream) < block_size + 1:
        raise ValueError(f"a stream of {len(stream)} tokens has no window of {block_size + 1}")
    starts = rng.integers(0, len(stream) - block_size, size=count)
    return np.stack([stream[s:s + block_size + 1] for s in starts])
