"""Training batches straight from the corpus's memory-mapped token shards.

Every optimizer step has one global batch of windows (block_size + 1 tokens)
drawn at random offsets from a split's shards by a generator seeded with
(seed, step): the batch depends on nothing but the step, so the data position
in a checkpoint is the step itself and a resumed run sees the same batches.
Each process (DDP rank) and micro-step reads its own disjoint rows of that
global batch, so 1 process with grad_accum=2 and 2 processes with grad_accum=1
train on exactly the same tokens.
"""

import numpy as np
import torch

from webtext.tokenize.reader import TokenShard, split_shard_paths


class ShardWindows:
    def __init__(self, corpus_dir: str, split: str, block_size: int, seed: int):
        self.streams = [TokenShard(p).flat_tokens() for p in split_shard_paths(corpus_dir, split)]
        self.block_size, self.seed, self.split = block_size, seed, split
        usable = np.array([max(0, len(s) - block_size) for s in self.streams], dtype=np.int64)
        if usable.sum() == 0:
            raise ValueError(f"the {split} split of {corpus_dir} has no window of {block_size + 1} tokens; "
                             f"use a smaller block_size or a bigger corpus")
        self._ends = np.cumsum(usable)

    @property
    def num_tokens(self) -> int:
        return int(sum(len(s) for s in self.streams))

    def global_batch(self, step: int, rows: int) -> np.ndarray:
        """(rows, block_size + 1) uint16 windows for this step."""
        rng = np.random.default_rng([self.seed, step, 0 if self.split == "train" else 1])
        positions = rng.integers(0, self._ends[-1], size=rows)
        shards = np.searchsorted(self._ends, positions, side="right")
        starts = positions - np.concatenate([[0], self._ends[:-1]])[shards]
        return np.stack([self.streams[s][o:o + self.block_size + 1] for s, o in zip(shards, starts)])

    def micro_batch(self, step: int, micro: int, rank: int, world: int, batch_size: int, grad_accum: int,
                    device: str) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets (B, T) of one micro-step on one rank."""
        windows = self.global_batch(step, batch_size * grad_accum * world)
        row = (micro * world + rank) * batch_size
        chunk = torch.from_numpy(windows[row:row + batch_size].astype(np.int64))
        x, y = chunk[:, :-1], chunk[:, 1:]
        if device.startswith("cuda"):
            return x.pin_memory().to(device, non_blocking=True), y.pin_memory().to(device, non_blocking=True)
        return x.to(device), y.to(device)
