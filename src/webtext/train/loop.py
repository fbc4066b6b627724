"""The training loop: AdamW, cosine schedule with warmup, clipping, accumulation, bf16, DDP, exact resume."""

import dataclasses
import json
import math
import os
import sys
import time
from contextlib import nullcontext

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from webtext.shards.gpt2 import gpt2_encoding
from webtext.train.batch_fit import fits_on_gpu, largest_that_fits
from webtext.train.checkpoint import (
    CHECKPOINT_NAME,
    checkpoint_path,
    kept_checkpoints,
    load_checkpoint,
    save_checkpoint,
)
from webtext.train.config import TrainConfig, TrainConfigError
from webtext.train.curves import write_curves
from webtext.train.data import ShardWindows, micro_batches
from webtext.train.hardware import (
    Runtime,
    attention_backend,
    mean_across_ranks,
    peak_flops,
    start_runtime,
    stop_runtime,
)
from webtext.train.model import GPT, config_for, load_gpt2_state_dict

LOG_NAME = "log.jsonl"


def lr_at(step: int, config: TrainConfig) -> float:
    """Linear warmup, then cosine decay to min_lr at max_steps."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.max_steps - config.warmup_steps)
    return config.min_lr + 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))) * (
        config.learning_rate - config.min_lr
    )


def make_optimizer(model: GPT, config: TrainConfig, device: str) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not biases, LayerNorms); fused on CUDA."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": config.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.learning_rate, betas=(config.beta1, config.beta2),
                             fused=device.startswith("cuda"))


def model_config(config: TrainConfig):
    """The model's shape, without building it: what the data and memory checks need first."""
    overrides = {"dropout": config.dropout, "flash": config.flash, "loss": config.loss}
    if config.block_size:
        overrides["block_size"] = config.block_size
    return config_for(config.model, **overrides)


def build_model(config: TrainConfig, runtime: Runtime) -> GPT:
    model = GPT(model_config(config))
    if config.init_from:
        try:
            load_gpt2_state_dict(model, _read_weights(config.init_from))
        except (OSError, TrainConfigError):
            raise
        # noqa: BLE001 (what torch or safetensors raise on a file that is no checkpoint)
        except Exception as error:
            raise TrainConfigError(f"--init_from {config.init_from}: not GPT-2 weights this model can take "
                                   f"({type(error).__name__}: {str(error).splitlines()[0][:160]})") from None
    return model.to(runtime.device)


def check_memory(config: TrainConfig) -> None:
    """Refuse, before anything is allocated, a model whose causal masks alone (one bool per pair of
    positions, in every layer, where attention is not flash) would not fit in this machine's memory."""
    shape = model_config(config)
    masks = shape.n_layer * shape.block_size ** 2
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if masks > memory // 2:
        raise TrainConfigError(
            f"--block_size={shape.block_size}: the causal masks alone would take "
            f"{masks / 2**30:.1f} GiB ({shape.n_layer} layers x {shape.block_size}^2 bytes), "
            f"more than half of this machine's {memory / 2**30:.0f} GiB; choose a smaller block"
        )


def _read_weights(path: str) -> dict:
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file
        return load_file(path)
    return torch.load(path, map_location="cpu", weights_only=True)


@torch.no_grad()
def evaluate(model, windows: ShardWindows, config: TrainConfig, runtime: Runtime) -> float:
    model.eval()
    total = torch.zeros((), device=runtime.device)
    for i in range(config.eval_batches):
        x, y = windows.micro_batch(i, 0, runtime.rank, runtime.world, config.batch_size, 1, runtime.device)
        with runtime.autocast():
            total += model(x, y)[1].float()
    model.train()
    return mean_across_ranks(total / config.eval_batches, runtime).item()


def sample_text(model: GPT, config: TrainConfig, runtime: Runtime) -> str:
    encoding = gpt2_encoding()
    prompt = torch.tensor([encoding.encode_ordinary(config.sample_prompt) or [0]], device=runtime.device)
    generator = torch.Generator(device=runtime.device).manual_seed(config.seed)
    model.eval()
    out = model.generate(prompt, config.sample_tokens, temperature=0.8, top_k=200, generator=generator)
    model.train()
    return encoding.decode(out[0].tolist())


def tensorboard_writer(folder: str):
    """torch's SummaryWriter into `folder`; TrainConfigError with what to install when TensorBoard is not."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as error:
        raise TrainConfigError(f"tensorboard=true needs TensorBoard: pip install tensorboard ({error})") \
            from None
    return SummaryWriter(folder)


class Logger:
    """Console lines and a JSONL file, from rank 0 only."""

    def __init__(self, out_dir: str, runtime: Runtime, quiet: bool, tensorboard: bool = False):
        self._enabled, self._quiet = runtime.is_main, quiet
        self._path = os.path.join(out_dir, LOG_NAME)
        self._board = None
        if self._enabled:
            os.makedirs(out_dir, exist_ok=True)
            if tensorboard:
                self._board = tensorboard_writer(os.path.join(out_dir, "tensorboard"))

    def draw(self) -> None:
        """The curves and the summary page, from the log so far (curves.py)."""
        if self._enabled:
            write_curves(os.path.dirname(self._path), self._path)

    def log(self, record: dict) -> None:
        if not self._enabled:
            return
        with open(self._path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        if self._board is not None:
            for key, value in record.items():
                if key not in ("step", "max_steps") and isinstance(value, (int, float)):
                    self._board.add_scalar(key, value, record["step"])
            self._board.flush()
        if not self._quiet:
            print(console_line(record), flush=True)


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def console_line(record: dict) -> str:
    """A log record as one console line: "step 25/300", then the figures, elapsed and ETA as clock times."""
    shown = dict(record)
    if "max_steps" in shown:
        shown["step"] = f"{shown['step']}/{shown.pop('max_steps')}"
    for key in ("elapsed_s", "eta_s"):
        if key in shown:
            shown[key.removesuffix("_s")] = _clock(shown.pop(key))
    return "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in shown.items())


def check_out_dir(config: TrainConfig) -> None:
    """Refuse what would mix two runs in one out_dir; with --overwrite, clear the old run's files."""
    old = [name for name in (CHECKPOINT_NAME, LOG_NAME) if os.path.exists(os.path.join(config.out_dir, name))]
    # a run stopped before its first checkpoint: nothing to continue
    if old == [LOG_NAME] and not config.resume:
        print(f"{config.out_dir} holds the log of a run stopped before its first checkpoint: starting afresh",
              file=sys.stderr)
        config = dataclasses.replace(config, overwrite=True)
    if config.resume:
        if CHECKPOINT_NAME not in old:
            raise TrainConfigError(
                f"--resume: {config.out_dir} holds no checkpoint ({CHECKPOINT_NAME}) to continue; "
                f"leave --resume out to start a run there"
            )
    elif old and not config.overwrite:
        raise TrainConfigError(f"{config.out_dir} holds a run ({', '.join(old)}): --resume continues it, "
                               f"--overwrite starts afresh, or choose another --out_dir")
    elif old and int(os.environ.get("RANK", "0")) == 0:
        for name in old:
            os.remove(os.path.join(config.out_dir, name))
        for path in kept_checkpoints(config.out_dir):  # the old run's numbered ones go with it
            os.remove(path)


def train(config: TrainConfig, quiet: bool = False) -> dict:
    """Train; return {"losses": [...per step...], "val_loss": ..., "sample": ...} (on every rank)."""
    check_out_dir(config)
    check_memory(config)
    torch.manual_seed(config.seed)
    runtime = start_runtime(config.device, config.dtype)
    finished, last_checkpoint = False, {}
    try:
        with attention_backend(config.attention, runtime.device):
            result = _train(config, runtime, quiet, last_checkpoint)
        finished = True
        return result
    except KeyboardInterrupt:
        if runtime.is_main:  # where to go on from, before the interrupt's own line
            print(interrupted_line(config, last_checkpoint.get("step")), file=sys.stderr, flush=True)
        raise
    finally:
        stop_runtime(runtime, finished)


def interrupted_line(config: TrainConfig, step: int | None) -> str:
    """What a Ctrl-C leaves: the last checkpoint (this run's, or the one it resumed from) and how to go on."""
    path = checkpoint_path(config.out_dir)
    if step is None and not os.path.exists(path):
        return f"webtext train: stopped before its first checkpoint; nothing was saved in {config.out_dir}"
    at = f" (step {step})" if step is not None else ""
    return (f"webtext train: stopped; the last checkpoint is {path}{at}: --out_dir={config.out_dir} "
            "--resume=true goes on from it")


class StepLosses:
    """Each step's loss kept on the device and read (one host sync, one all-reduce) only when asked."""

    def __init__(self, runtime: Runtime):
        self._runtime, self._pending, self.values = runtime, [], []

    def add(self, loss: torch.Tensor) -> None:
        self._pending.append(loss)

    def flush(self) -> list[float]:
        """Every step's loss since the last flush, averaged over the ranks, as floats."""
        if self._pending:
            means = mean_across_ranks(torch.stack(self._pending), self._runtime)
            self.values.extend(means.tolist())
            self._pending = []
        return self.values


def _train(config: TrainConfig, runtime: Runtime, quiet: bool, last_checkpoint: dict) -> dict:
    block = model_config(config).block_size
    # The data first: a block no split can fill is refused before the model is built.
    train_windows = ShardWindows(config.corpus, "train", block, config.seed)
    val_windows = ShardWindows(config.corpus, "validation", block, config.seed + 1)
    model = build_model(config, runtime)
    config = _fit_micro_batch(config, model, runtime)
    optimizer = make_optimizer(model, config, runtime.device)
    scaler = torch.amp.GradScaler(runtime.device.split(":")[0], enabled=runtime.dtype == torch.float16)
    start_step, best_val = 0, float("inf")
    if config.resume:
        state = load_checkpoint(config.out_dir, runtime.device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
        start_step, best_val = state["step"], state["best_val_loss"]
    runner = torch.compile(model, mode=config.compile_mode) if config.compile else model
    if runtime.distributed:
        runner = DistributedDataParallel(
            runner, device_ids=[runtime.local_rank] if runtime.device.startswith("cuda") else None
        )
    logger, peak = Logger(config.out_dir, runtime, quiet, config.tensorboard), peak_flops(runtime.device)
    tokens_per_step = config.batch_size * config.grad_accum * runtime.world * block
    losses, val_loss = StepLosses(runtime), None
    end_step = min(config.max_steps, config.stop_at_step or config.max_steps)
    batches = micro_batches(
        train_windows,
        start_step,
        end_step,
        runtime.rank,
        runtime.world,
        config.batch_size,
        config.grad_accum,
        runtime.device,
    )
    interval_start, interval_steps = time.perf_counter(), 0
    started = interval_start
    for step in range(start_step, end_step):
        losses.add(_optimizer_step(runner, optimizer, scaler, batches, step, config, runtime))
        interval_steps += 1
        last = step == end_step - 1
        logged = step % config.log_interval == 0 or last
        if logged:
            loss = losses.flush()[-1]  # waits for the GPU: the interval's time is then complete
            seconds = time.perf_counter() - interval_start
            tokens_per_s = tokens_per_step * interval_steps / seconds
            record = {"step": step, "max_steps": end_step, "loss": loss, "lr": lr_at(step, config),
                      "tokens_per_s": tokens_per_s}
            if peak:
                record["mfu"] = model.flops_per_token() * tokens_per_s / (peak * runtime.world)
            elapsed = time.perf_counter() - started  # since this run's first step, evaluations included
            record.update(elapsed_s=round(elapsed, 1),
                          eta_s=round(elapsed / (step + 1 - start_step) * (end_step - step - 1), 1))
            logger.log(record)
        if (step + 1) % config.eval_interval == 0 or last:
            val_loss = evaluate(model, val_windows, config, runtime)
            best_val = min(best_val, val_loss)
            logger.log({"step": step, "val_loss": val_loss, "val_perplexity": math.exp(min(val_loss, 50))})
            logger.draw()
        if runtime.is_main and ((step + 1) % config.checkpoint_interval == 0 or last):
            save_checkpoint(
                config.out_dir,
                model=model,
                optimizer=optimizer,
                step=step + 1,
                config=config.to_dict(),
                model_config=model.config.to_dict(),
                best_val_loss=best_val,
                scaler=scaler.state_dict() if scaler.is_enabled() else None,
                keep=config.keep_checkpoints,
            )
            last_checkpoint["step"] = step + 1
        if logged:
            # Evaluation and checkpoints are not training time: the next interval starts after them.
            interval_start, interval_steps = time.perf_counter(), 0
    sample = sample_text(model, config, runtime) if runtime.is_main and config.sample_tokens else ""
    if sample and not quiet:
        print(f"\nsample: {sample}")
    return {"losses": losses.flush(), "val_loss": val_loss, "sample": sample, "batch_size": config.batch_size,
            "grad_accum": config.grad_accum}


def _fit_micro_batch(config: TrainConfig, model: GPT, runtime: Runtime) -> TrainConfig:
    """With fit_batch on a GPU: the largest micro-batch that fits, the step's rows unchanged."""
    if not (config.fit_batch and runtime.device.startswith("cuda")):
        return config
    block = model.config.block_size
    size, accum = largest_that_fits(config.batch_size * config.grad_accum,
                                    lambda b: fits_on_gpu(model, b, block, runtime.autocast, runtime.device))
    if runtime.distributed:  # every rank must take the same split, or the all-reduces would not pair up
        agreed = torch.tensor([size], device=runtime.device)
        dist.all_reduce(agreed, op=dist.ReduceOp.MIN)
        size = int(agreed.item())
        accum = config.batch_size * config.grad_accum // size
    if runtime.is_main:
        print(f"fit_batch: micro-batch {size} x {accum} accumulation steps "
              f"(was {config.batch_size} x {config.grad_accum})", flush=True)
    return dataclasses.replace(config, batch_size=size, grad_accum=accum)


def _optimizer_step(runner, optimizer, scaler, batches, step: int, config: TrainConfig,
                    runtime: Runtime) -> torch.Tensor:
    """One optimizer step; its loss stays on the device (no host sync here)."""
    for group in optimizer.param_groups:
        group["lr"] = lr_at(step, config)
    total = torch.zeros((), device=runtime.device)
    for micro in range(config.grad_accum):
        x, y = next(batches)
        sync = micro == config.grad_accum - 1 or not runtime.distributed
        context = runner.no_sync() if not sync else nullcontext()  # all-reduce once, on the last micro-step
        with context:
            with runtime.autocast():
                loss = runner(x, y)[1] / config.grad_accum
            scaler.scale(loss).backward()
        total += loss.detach()
    if config.grad_clip:
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(runner.parameters(), config.grad_clip)
    scaler.step(optimizer)
    scaler.update()
    optimizer.zero_grad(set_to_none=True)
    return total
