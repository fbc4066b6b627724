"""The largest micro-batch that fits the GPU, with the rows of an optimizer step kept fixed.

A step's rows (batch_size x grad_accum per process) are what the optimisation
sees; how many of them go through the model at once is only a matter of speed
and memory. The finder tries the divisors of the step's rows from the largest
down and keeps the first whose forward and backward fit, leaving room for the
optimizer's state, which is made only at the first step.
"""

import logging
from collections.abc import Callable

import torch

log = logging.getLogger(__name__)

# Share of the GPU's memory a trial may reach: the rest is the allocator's fragmentation and the
# optimizer state's margin.
MEMORY_HEADROOM = 0.90


def micro_batch_sizes(rows_per_step: int) -> list[int]:
    """Every micro-batch size that divides a step's rows evenly, largest first."""
    return [b for b in range(rows_per_step, 0, -1) if rows_per_step % b == 0]


def largest_that_fits(rows_per_step: int, fits: Callable[[int], bool]) -> tuple[int, int]:
    """(batch_size, grad_accum) with the largest batch_size that `fits`; batch_size x grad_accum =
    rows_per_step."""
    for size in micro_batch_sizes(rows_per_step):
        if fits(size):
            return size, rows_per_step // size
    raise RuntimeError(f"not even a micro-batch of 1 row fits in GPU memory ({rows_per_step} rows a step)")


def fits_on_gpu(model: torch.nn.Module, batch_size: int, block_size: int, autocast, device: str) -> bool:
    """Whether one forward and backward of `batch_size` rows fit, with the optimizer state still to come."""
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats(device)
    total = torch.cuda.get_device_properties(device).total_memory
    state_bytes = 2 * 4 * sum(p.numel() for p in model.parameters())  # AdamW's two float32 moments
    try:
        x = torch.randint(0, model.config.vocab_size, (batch_size, block_size), device=device)
        with autocast():
            loss = model(x, x)[1]
        loss.backward()
        peak = torch.cuda.max_memory_allocated(device)
        fits = peak + state_bytes <= MEMORY_HEADROOM * total
    except torch.OutOfMemoryError:
        fits, peak = False, None
    finally:
        model.zero_grad(set_to_none=True)
        torch.cuda.empty_cache()
    log.info("micro-batch %d: %s (peak %s bytes)", batch_size, "fits" if fits else "does not fit", peak)
    return fits
