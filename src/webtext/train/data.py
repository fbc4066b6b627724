"""Training batches straight from the corpus's memory-mapped token shards.

Every optimizer step has one global batch of windows (block_size + 1 tokens)
drawn at random offsets from a split's shards by a generator seeded with
(seed, step): the batch depends on nothing but the step, so the data position
in a checkpoint is the step itself and a resumed run sees the same batches.
Each process (DDP rank) and micro-step reads its own disjoint rows of that
global batch, so 1 process with grad_accum=2 and 2 processes with grad_accum=1
train on exactly the same tokens.
"""

from collections.abc import Iterator

import numpy as np
import torch

from webtext.shards.integrity import check_token_shards
from webtext.shards.reader import TokenShard, read_manifest


class CorpusDataError(ValueError):
    """A corpus the trainer cannot take (a split without one window); the message says what to change."""


class ShardWindows:
    def __init__(self, corpus_dir: str, split: str, block_size: int, seed: int):
        paths = check_token_shards(corpus_dir, read_manifest(corpus_dir), split)
        self.streams = [TokenShard(p).flat_tokens() for p in paths]
        self.block_size, self.seed, self.split = block_size, seed, split
        usable = np.array([max(0, len(s) - block_size) for s in self.streams], dtype=np.int64)
        if usable.sum() == 0:
            raise CorpusDataError(
                f"the {split} split of {corpus_dir} has no window of {block_size + 1} tokens; "
                f"use a smaller block_size or a bigger corpus"
            )
        self._ends = np.cumsum(usable)
        self._firsts = np.concatenate([[0], self._ends[:-1]])

    @property
    def num_tokens(self) -> int:
        return int(sum(len(s) for s in self.streams))

    def rows(self, step: int, total_rows: int, first: int, count: int) -> np.ndarray:
        """Rows [first, first + count) of this step's (total_rows, block_size + 1) uint16 global batch.

        Every row's offset comes from the one generator of (seed, step), so a rank or micro-step that
        reads only its own rows gets exactly the rows the whole batch would have there."""
        rng = np.random.default_rng([self.seed, step, 0 if self.split == "train" else 1])
        positions = rng.integers(0, self._ends[-1], size=total_rows)[first:first + count]
        shards = np.searchsorted(self._ends, positions, side="right")
        starts = positions - self._firsts[shards]
        return np.stack([self.streams[s][o:o + self.block_size + 1] for s, o in zip(shards, starts)])

    def global_batch(self, step: int, rows: int) -> np.ndarray:
        """(rows, block_size + 1) uint16 windows for this step."""
        return self.rows(step, rows, 0, rows)

    def micro_batch(self, step: int, micro: int, rank: int, world: int, batch_size: int, grad_accum: int,
                    device: str) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets (B, T) of one micro-step on one rank."""
        first = (micro * world + rank) * batch_size
        windows = self.rows(step, batch_size * grad_accum * world, first, batch_size)
        return to_device(windows, device)


def to_device(windows: np.ndarray, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets of (B, T + 1) windows; on CUDA through pinned memory, copied without waiting."""
    chunk = torch.from_numpy(windows.astype(np.int64))
    if device.startswith("cuda"):
        # The caching host allocator keeps a pinned block until its copy has finished, so nothing
        # here waits for the GPU: the copy queues behind the work already launched.
        chunk = chunk.pin_memory().to(device, non_blocking=True)
    else:
        chunk = chunk.to(device)
    return chunk[:, :-1], chunk[:, 1:]


def micro_batches(
    windows: ShardWindows,
    first_step: int,
    end_step: int,
    rank: int,
    world: int,
    batch_size: int,
    grad_accum: int,
    device: str,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Every micro-batch of steps [first_step, end_step) for this rank, in order.

    The training step never waits for the GPU (losses stay on the device until a log line), so the
    host runs ahead of the GPU: each micro-batch is read, stacked and its copy queued while the GPU
    still works on the ones before it."""
    for step in range(first_step, end_step):
        for micro in range(grad_accum):
            yield windows.micro_batch(step, micro, rank, world, batch_size, grad_accum, device)
