"""Read token shards without copying: the flat uint16 stream of a memory-mapped shard."""

from collections.abc import Iterator

import numpy as np
import pyarrow as pa


def open_token_shard(path: str) -> pa.Table:
    """The shard as an Arrow table backed by a memory map (no read into RAM)."""
    return pa.ipc.open_file(pa.memory_map(path, "r")).read_all()


def token_streams(path: str) -> Iterator[np.ndarray]:
    """Each record batch's token ids as one zero-copy uint16 array (documents back to back, EOT after each)."""
    reader = pa.ipc.open_file(pa.memory_map(path, "r"))
    for i in range(reader.num_record_batches):
        column = reader.get_batch(i).column("tokens")
        values = column.values
        if column.offset or len(values) != column.offsets[-1].as_py():  # a sliced batch: take its window
            values = values.slice(column.offsets[0].as_py(), column.offsets[-1].as_py() - column.offsets[0].as_py())
        yield values.to_numpy(zero_copy_only=True)


def shard_metadata(path: str) -> dict[str, str]:
    reader = pa.ipc.open_file(pa.memory_map(path, "r"))
    return {k.decode(): v.decode() for k, v in (reader.schema.metadata or {}).items()}
