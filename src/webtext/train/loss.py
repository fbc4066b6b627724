"""The language-model head and its cross-entropy in one step, a chunk of tokens at a time.

The plain head writes (B*T, vocab) logits, and the loss reads them again in
float32: at B=16, T=1024 that is 1.6 GB of bf16 logits plus 3.3 GB of float32
copies, and as much again for their gradient. Here each chunk of rows gets its
logits, its log-sum-exp in float32, and at once its gradient with respect to the
hidden states and the head's weight; the chunk's logits are then freed. The
backward pass only scales the stored gradients. Full logits never exist, so
the memory they took goes to a larger micro-batch.
"""

import torch

CHUNK_ROWS = 8192


class ChunkedLinearCrossEntropy(torch.autograd.Function):
    """mean over rows of cross_entropy(hidden @ weight.T, targets), gradients computed in the forward."""

    @staticmethod
    def forward(ctx, hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, chunk_rows: int):
        rows = hidden.size(0)
        # float32 at least, as F.cross_entropy's upcast
        exact = torch.promote_types(hidden.dtype, torch.float32)
        grad_hidden = torch.empty_like(hidden)
        grad_weight = torch.zeros(weight.shape, dtype=exact, device=weight.device)
        total = torch.zeros((), dtype=exact, device=hidden.device)
        for start in range(0, rows, chunk_rows):
            h, t = hidden[start:start + chunk_rows], targets[start:start + chunk_rows]
            logits = (h @ weight.t()).to(exact)  # (chunk, vocab): the only logits alive at any time
            log_norm = torch.logsumexp(logits, dim=-1)
            total += (log_norm - logits.gather(1, t[:, None]).squeeze(1)).sum()
            # d(mean loss)/d(logits) = (softmax - one_hot) / rows, computed in place over the logits.
            grad_logits = logits.sub_(log_norm[:, None]).exp_()
            grad_logits.scatter_add_(1, t[:, None], torch.full_like(log_norm[:, None], -1.0))
            grad_logits = grad_logits.div_(rows).to(h.dtype)
            grad_hidden[start:start + chunk_rows] = grad_logits @ weight
            grad_weight += (grad_logits.t() @ h).to(exact)
        ctx.save_for_backward(grad_hidden, grad_weight.to(weight.dtype))
        return total / rows

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        grad_hidden, grad_weight = ctx.saved_tensors
        return grad_hidden * grad_output, grad_weight * grad_output, None, None


def chunked_linear_cross_entropy(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor,
                                 chunk_rows: int = CHUNK_ROWS) -> torch.Tensor:
    """The mean cross-entropy of the head `weight` (vocab, C) over `hidden` (N, C) rows and `targets` (N,).

    Under autocast both matmul operands are cast to the autocast dtype, as nn.Linear would be."""
    device_type = hidden.device.type
    if torch.is_autocast_enabled(device_type):
        dtype = torch.get_autocast_dtype(device_type)
        hidden, weight = hidden.to(dtype), weight.to(dtype)
    with torch.autocast(device_type, enabled=False):
        return ChunkedLinearCrossEntropy.apply(hidden, weight, targets, chunk_rows)
