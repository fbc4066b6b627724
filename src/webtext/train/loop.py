"""The training loop: AdamW, cosine schedule with warmup, clipping, accumulation, bf16, DDP, exact resume."""

import json
import math
import os
import time

import torch
from torch.nn.parallel import DistributedDataParallel

from webtext.tokenize.gpt2 import gpt2_encoding
from webtext.train.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from webtext.train.config import TrainConfig
from webtext.train.data import ShardWindows
from webtext.train.hardware import Runtime, mean_across_ranks, peak_flops, start_runtime, stop_runtime
from webtext.train.model import GPT, config_for, load_gpt2_state_dict


def lr_at(step: int, config: TrainConfig) -> float:
    """Linear warmup, then cosine decay to min_lr at max_steps."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.max_steps - config.warmup_steps)
    return config.min_lr + 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))) * (config.learning_rate - config.min_lr)


def make_optimizer(model: GPT, config: TrainConfig, device: str) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not biases, LayerNorms); fused on CUDA."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": config.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.learning_rate, betas=(config.beta1, config.beta2),
                             fused=device.startswith("cuda"))


def build_model(config: TrainConfig, runtime: Runtime) -> GPT:
    overrides = {"dropout": config.dropout, "flash": config.flash}
    if config.block_size:
        overrides["block_size"] = config.block_size
    model = GPT(config_for(config.model, **overrides))
    if config.init_from:
        load_gpt2_state_dict(model, _read_weights(config.init_from))
    return model.to(runtime.device)


def _read_weights(path: str) -> dict:
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file
        return load_file(path)
    return torch.load(path, map_location="cpu", weights_only=True)


@torch.no_grad()
def evaluate(model, windows: ShardWindows, config: TrainConfig, runtime: Runtime) -> float:
    model.eval()
    losses = []
    for i in range(config.eval_batches):
        x, y = windows.micro_batch(i, 0, runtime.rank, runtime.world, config.batch_size, 1, runtime.device)
        with runtime.autocast():
            losses.append(model(x, y)[1].item())
    model.train()
    return mean_across_ranks(sum(losses) / len(losses), runtime)


def sample_text(model: GPT, config: TrainConfig, runtime: Runtime) -> str:
    encoding = gpt2_encoding()
    prompt = torch.tensor([encoding.encode_ordinary(config.sample_prompt) or [0]], device=runtime.device)
    generator = torch.Generator(device=runtime.device).manual_seed(config.seed)
    model.eval()
    out = model.generate(prompt, config.sample_tokens, temperature=0.8, top_k=200, generator=generator)
    model.train()
    return encoding.decode(out[0].tolist())


class Logger:
    """Console lines and a JSONL file, from rank 0 only."""

    def __init__(self, out_dir: str, runtime: Runtime, quiet: bool):
        self._enabled, self._quiet = runtime.is_main, quiet
        self._path = os.path.join(out_dir, "log.jsonl")
        if self._enabled:
            os.makedirs(out_dir, exist_ok=True)

    def log(self, record: dict) -> None:
        if not self._enabled:
            return
        with open(self._path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        if not self._quiet:
            print("  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in record.items()),
                  flush=True)


def train(config: TrainConfig, quiet: bool = False) -> dict:
    """Train; return {"losses": [...per step...], "val_loss": ..., "sample": ...} (on every rank)."""
    torch.manual_seed(config.seed)
    runtime = start_runtime(config.device, config.dtype)
    finished = False
    try:
        result = _train(config, runtime, quiet)
        finished = True
        return result
    finally:
        stop_runtime(runtime, finished)


def _train(config: TrainConfig, runtime: Runtime, quiet: bool) -> dict:
    model = build_model(config, runtime)
    optimizer = make_optimizer(model, config, runtime.device)
    start_step, best_val = 0, float("inf")
    if config.resume and os.path.exists(checkpoint_path(config.out_dir)):
        state = load_checkpoint(config.out_dir, runtime.device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_step, best_val = state["step"], state["best_val_loss"]
    block = model.config.block_size
    train_windows = ShardWindows(config.corpus, "train", block, config.seed)
    val_windows = ShardWindows(config.corpus, "validation", block, config.seed + 1)
    runner = torch.compile(model) if config.compile else model
    if runtime.distributed:
        runner = DistributedDataParallel(runner, device_ids=[runtime.local_rank] if runtime.device.startswith("cuda") else None)
    logger, peak = Logger(config.out_dir, runtime, quiet), peak_flops(runtime.device)
    tokens_per_step = config.batch_size * config.grad_accum * runtime.world * block
    losses, val_loss = [], None
    end_step = min(config.max_steps, config.stop_at_step or config.max_steps)
    for step in range(start_step, end_step):
        started = time.perf_counter()
        loss = _optimizer_step(runner, optimizer, train_windows, step, config, runtime)
        losses.append(loss)
        seconds = time.perf_counter() - started
        if step % config.log_interval == 0 or step == config.max_steps - 1:
            tokens_per_s = tokens_per_step / seconds
            record = {"step": step, "loss": loss, "lr": lr_at(step, config), "tokens_per_s": tokens_per_s}
            if peak:
                record["mfu"] = model.flops_per_token() * tokens_per_s / (peak * runtime.world)
            logger.log(record)
        last = step == end_step - 1
        if (step + 1) % config.eval_interval == 0 or last:
            val_loss = evaluate(model, val_windows, config, runtime)
            best_val = min(best_val, val_loss)
            logger.log({"step": step, "val_loss": val_loss, "val_perplexity": math.exp(min(val_loss, 50))})
        if runtime.is_main and ((step + 1) % config.checkpoint_interval == 0 or last):
            save_checkpoint(config.out_dir, model=model, optimizer=optimizer, step=step + 1, config=config.to_dict(),
                            model_config=model.config.to_dict(), best_val_loss=best_val)
    sample = sample_text(model, config, runtime) if runtime.is_main else ""
    if sample and not quiet:
        print(f"\nsample: {sample}")
    return {"losses": losses, "val_loss": val_loss, "sample": sample}


def _optimizer_step(runner, optimizer, windows: ShardWindows, step: int, config: TrainConfig,
                    runtime: Runtime) -> float:
    for group in optimizer.param_groups:
        group["lr"] = lr_at(step, config)
    total = 0.0
    for micro in range(config.grad_accum):
        x, y = windows.micro_batch(step, micro, runtime.rank, runtime.world, config.batch_size, config.grad_accum,
                                   runtime.device)
        sync = micro == config.grad_accum - 1 or not runtime.distributed
        context = runner.no_sync() if not sync else torch.enable_grad()  # all-reduce once, on the last micro-step
        with context:
            with runtime.autocast():
                loss = runner(x, y)[1] / config.grad_accum
            loss.backward()
        total += loss.item()
    if config.grad_clip:
        torch.nn.utils.clip_grad_norm_(runner.parameters(), config.grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return mean_across_ranks(total, runtime)
