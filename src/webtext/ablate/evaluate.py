"""What a trained model is measured by: bits per byte on held-out text, and accuracy on multiple-choice
items (HellaSwag's shape), scored as llm.c and lm-eval score HellaSwag."""

import math

import torch
import torch.nn.functional as F

from webtext.shards.gpt2 import EOT_ID, gpt2_encoding

BATCH = 32  # windows a forward pass


def _windows(tokens: list[int], block: int) -> list[tuple[list[int], list[int]]]:
    """(inputs, targets) windows over [EOT] + tokens: every token of the document a target once, each
    predicted from up to `block` tokens before it in its window."""
    sequence = [EOT_ID, *tokens]
    ends = [min(start + block, len(sequence) - 1) for start in range(0, len(sequence) - 1, block)]
    return [(sequence[start:end], sequence[start + 1:end + 1])
            for start, end in zip(range(0, len(sequence) - 1, block), ends)]


@torch.no_grad()
def bits_per_byte(model, documents: list[str], device: str) -> float:
    """The model's negative log-likelihood of every token of the documents, in bits, over their UTF-8
    bytes."""
    encoding, block = gpt2_encoding(), model.config.block_size
    windows = [w for doc in documents for w in _windows(encoding.encode_ordinary(doc), block)]
    total_nats = 0.0
    by_length: dict[int, list] = {}
    for window in windows:
        by_length.setdefault(len(window[0]), []).append(window)
    for group in by_length.values():
        for start in range(0, len(group), BATCH):
            part = group[start:start + BATCH]
            x = torch.tensor([w[0] for w in part], device=device)
            y = torch.tensor([w[1] for w in part], device=device)
            logits, _ = model(x)
            total_nats += F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), y.reshape(-1),
                                          reduction="sum").item()
    return total_nats / math.log(2) / sum(len(doc.encode("utf-8")) for doc in documents)


@torch.no_grad()
def choice_accuracy(model, items: list[dict], device: str) -> float:
    """The share of items whose right ending has the highest mean log-likelihood per token (the context
    cut from the left to fit the model's block)."""
    encoding, block, right = gpt2_encoding(), model.config.block_size, 0
    for item in items:
        context = encoding.encode_ordinary(item["ctx"])
        scores = []
        for ending in item["endings"]:
            tail = encoding.encode_ordinary(" " + ending.strip())[: block - 1] or [EOT_ID]
            sequence = ([EOT_ID, *context] + tail)[-(block + 1):]
            x = torch.tensor([sequence[:-1]], device=device)
            logits, _ = model(x)
            logprobs = F.log_softmax(logits[0].float(), dim=-1)
            targets = torch.tensor(sequence[1:], device=device)
            picked = logprobs[torch.arange(len(targets), device=device), targets][-len(tail):]
            scores.append(picked.mean().item())
        right += int(max(range(len(scores)), key=scores.__getitem__) == item["label"])
    return right / len(items)
