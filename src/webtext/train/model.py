"""GPT-2 in PyTorch, with GPT-2's architecture and parameter names.

Pre-LayerNorm blocks, a final LayerNorm, learned position embeddings, GELU
MLPs, residual projections initialised with std 0.02/sqrt(2*n_layer), and the
token embedding tied to the output head. The vocabulary is padded from 50257 to
50304 (a multiple of 64) for faster matmuls; the padded logits are never
targets. Parameter names follow GPT-2's checkpoints (`transformer.h.N.attn.c_attn`,
`mlp.c_fc`, `ln_f`, ...), so official weights load with a transpose of the
Conv1D matrices.
"""

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
from torch.nn import functional as F

from webtext.train.loss import chunked_linear_cross_entropy

GPT2_VOCAB = 50257


@dataclass(frozen=True)
class GPTConfig:
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    block_size: int = 1024
    vocab_size: int = 50304  # GPT-2's 50257, padded to a multiple of 64
    dropout: float = 0.0
    bias: bool = True
    flash: bool = True  # scaled_dot_product_attention (flash / memory-efficient kernels where available)
    # full: logits, then cross-entropy | chunked: head and loss a chunk of rows at a time (loss.py)
    loss: str = "full"

    def __post_init__(self):
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be a multiple of n_head ({self.n_head})")
        if self.vocab_size < GPT2_VOCAB:
            raise ValueError(f"vocab_size must hold GPT-2's {GPT2_VOCAB} tokens")
        if self.loss not in ("full", "chunked"):
            raise ValueError(f"loss: full or chunked, not {self.loss!r}")

    def to_dict(self) -> dict:
        return asdict(self)


# The paper's four sizes (117M is 124M counted with the tied head once), and a tiny one for CPU tests.
SIZES = {
    "gpt2": dict(n_layer=12, n_head=12, n_embd=768),  # 124M
    "gpt2-medium": dict(n_layer=24, n_head=16, n_embd=1024),  # 345M (350M)
    "gpt2-large": dict(n_layer=36, n_head=20, n_embd=1280),  # 762M (774M)
    "gpt2-xl": dict(n_layer=48, n_head=25, n_embd=1600),  # 1542M (1558M)
    "tiny": dict(n_layer=2, n_head=2, n_embd=64, block_size=64),
}


def config_for(size: str, **overrides) -> GPTConfig:
    if size not in SIZES:
        raise ValueError(f"model size {size!r}: choose one of {sorted(SIZES)}")
    return GPTConfig(**{**SIZES[size], **overrides})


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head, self.flash, self.dropout = config.n_head, config.flash, config.dropout
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # q, k, v in one matmul
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.c_proj.residual_scaled = True
        self.resid_dropout = nn.Dropout(config.dropout)
        mask = torch.tril(torch.ones(config.block_size, config.block_size, dtype=torch.bool))
        self.register_buffer(
            "causal_mask", mask.view(1, 1, config.block_size, config.block_size), persistent=False
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        # (B, nh, T, hs)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        if self.flash:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                               dropout_p=self.dropout if self.training else 0.0)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))  # (B, nh, T, T)
            att = att.masked_fill(~self.causal_mask[:, :, :T, :T], float("-inf")).softmax(dim=-1)
            y = F.dropout(att, self.dropout, self.training) @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.c_proj.residual_scaled = True
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x), approximate="tanh")))  # GPT-2's tanh GELU


class Block(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList(Block(config) for _ in range(config.n_layer)),
            ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied, as in GPT-2
        self.apply(self._init_weights)

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            std = (
                0.02 / math.sqrt(2 * self.config.n_layer)
                if getattr(module, "residual_scaled", False)
                else 0.02
            )
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self, non_embedding: bool = True) -> int:
        n = sum(p.numel() for p in self.parameters())
        return n - self.transformer.wpe.weight.numel() if non_embedding else n

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        """(logits, loss): loss None without targets; logits None with the chunked loss, which never makes
        them."""
        B, T = idx.size()
        if T > self.config.block_size:
            raise ValueError(f"sequence of {T} tokens is longer than block_size {self.config.block_size}")
        pos = torch.arange(T, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))  # (B, T, C)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        if targets is not None and self.config.loss == "chunked":
            return None, chunked_linear_cross_entropy(
                x.view(B * T, -1), self.lm_head.weight, targets.reshape(-1)
            )
        logits = self.lm_head(x)  # (B, T, vocab)
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss

    def flops_per_token(self) -> float:
        """Training FLOPs per token (forward + backward), PaLM appendix B: 6N + 12 L H Q T."""
        c = self.config
        return 6 * self.num_params() + 12 * c.n_layer * c.n_head * (c.n_embd // c.n_head) * c.block_size

    @torch.no_grad()
    def generate(
        self,
        idx: torch.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.config.block_size:])
            logits = logits[:, -1, :GPT2_VOCAB] / max(temperature, 1e-6)  # never sample a padding id
            if top_k is not None:
                threshold = torch.topk(logits, min(top_k, logits.size(-1))).values[:, [-1]]
                logits = logits.masked_fill(logits < threshold, float("-inf"))
            next_id = torch.multinomial(logits.softmax(dim=-1), num_samples=1, generator=generator)
            idx = torch.cat((idx, next_id), dim=1)
        return idx


# Official GPT-2 checkpoints store these as Conv1D weights of shape (in, out); nn.Linear wants (out, in).
_CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")


def load_gpt2_state_dict(model: GPT, state_dict: dict[str, torch.Tensor]) -> None:
    """Load an official GPT-2 state dict (Hugging Face `GPT2LMHeadModel` names, from a local file)."""
    ours = model.state_dict()
    for name, tensor in state_dict.items():
        if name.endswith((".attn.bias", ".attn.masked_bias")):
            continue  # the original's causal-mask buffers
        key = name if name.startswith(("transformer.", "lm_head.")) else f"transformer.{name}"
        if key not in ours:
            raise KeyError(f"unexpected parameter {name}")
        value = tensor.t() if key.endswith(_CONV1D) else tensor
        if key == "transformer.wte.weight" and value.size(0) < ours[key].size(0):
            padded = ours[key].clone()
            padded[: value.size(0)] = value
            value = padded
        if value.shape != ours[key].shape:
            raise ValueError(f"{name}: shape {tuple(value.shape)} does not fit {tuple(ours[key].shape)}")
        ours[key] = value
    model.load_state_dict(ours)
