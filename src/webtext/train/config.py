"""The trainer's configuration: a typed, frozen dataclass from a TOML/JSON file plus --key=value overrides."""

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field, fields

from webtext.train.hardware import ATTENTION_BACKENDS
from webtext.train.model import SIZES

COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def setting(default, help: str):
    """A field with its help text, which `webtext train --help` lists."""
    return field(default=default, metadata={"help": help})


def settings_help() -> str:
    """Every setting, its default and what it means: the epilog of `webtext train --help`."""
    def shown(value) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    rows = [
        f"  --{f.name}={shown(f.default)}".ljust(34) + f" {f.metadata.get('help', '')}"
        for f in fields(TrainConfig)
    ]
    return "settings (--key=value, or key = value in a --config file):\n" + "\n".join(rows)


class TrainConfigError(ValueError):
    """A training setting that cannot work; the message says what to change."""


@dataclass(frozen=True)
class TrainConfig:
    corpus: str = setting(
        "out/sample", "a webtext corpus directory (its manifest names the train/validation shards)"
    )
    out_dir: str = setting("out/train", 'checkpoints, log.jsonl')
    model: str = setting("tiny", 'tiny | gpt2 | gpt2-medium | gpt2-large | gpt2-xl')
    block_size: int = setting(0, "0: the model size's own (1024 for GPT-2)")
    dropout: float = setting(0.0, 'dropout rate (0 for pretraining at this scale)')
    flash: bool = setting(
        True, "scaled_dot_product_attention (false: the plain matmul-softmax-matmul attention)"
    )
    attention: str = setting(
        "auto", "SDPA kernel on CUDA: auto (PyTorch's choice) | flash | cudnn | efficient | math"
    )
    loss: str = setting(
        "full", "full (logits, then cross-entropy) | chunked (head + loss per chunk of rows, no full logits)"
    )
    init_from: str = setting(
        "", "a local official GPT-2 checkpoint (Hugging Face state dict, .bin or .safetensors)"
    )
    batch_size: int = setting(8, 'sequences per micro-step per process')
    grad_accum: int = setting(1, 'micro-steps per optimizer step')
    fit_batch: bool = setting(
        False, "on a GPU: the largest micro-batch that fits, keeping batch_size*grad_accum rows a step"
    )
    max_steps: int = setting(200, 'optimizer steps; the learning-rate schedule ends here')
    learning_rate: float = setting(6e-4, 'peak learning rate, after warmup')
    min_lr: float = setting(6e-5, 'learning rate at max_steps (cosine decay)')
    warmup_steps: int = setting(20, 'linear warmup steps')
    weight_decay: float = setting(0.1, 'AdamW weight decay on matrices (not biases or LayerNorms)')
    beta1: float = setting(0.9, 'AdamW beta1')
    beta2: float = setting(0.95, 'AdamW beta2')
    grad_clip: float = setting(1.0, '0 turns clipping off')
    device: str = setting("auto", 'auto | cpu | cuda | cuda:N')
    dtype: str = setting(
        "auto", "auto (bf16 on GPUs that have it, else float32) | float32 | bfloat16 | float16"
    )
    compile: bool = setting(False, 'torch.compile')
    compile_mode: str = setting("default", 'torch.compile mode: default | reduce-overhead | max-autotune | '
                                           'max-autotune-no-cudagraphs')
    seed: int = setting(1337, 'model initialisation and the data order')
    log_interval: int = setting(10, 'steps between log lines (each one reads the loss from the GPU)')
    eval_interval: int = setting(50, 'steps between validation losses')
    eval_batches: int = setting(10, 'validation micro-batches per evaluation')
    checkpoint_interval: int = setting(100, 'steps between checkpoints (out_dir/ckpt.pt, written atomically)')
    keep_checkpoints: int = setting(
        1, "checkpoints kept: ckpt.pt is always the latest; above 1, the newest N are also kept as "
           "ckpt-<step>.pt (hard links: no second copy on disk)")
    tensorboard: bool = setting(False, "also log to TensorBoard (out_dir/tensorboard) when it is installed")
    overwrite: bool = setting(
        False, "start afresh in an out_dir that holds a run (its ckpt.pt and log.jsonl go)"
    )
    resume: bool = setting(False, 'continue from out_dir/ckpt.pt exactly where it stopped')
    stop_at_step: int = setting(
        0,
        "end the run (with a checkpoint) after this many steps, keeping max_steps' "
        "schedule; for time-boxed or preemptible jobs that --resume later. 0: run to "
        "max_steps.",
    )
    sample_prompt: str = setting("The", 'prompt of the text sampled at the end')
    sample_tokens: int = setting(48, 'tokens sampled at the end (0: none)')

    def __post_init__(self):
        if self.model not in SIZES:
            raise TrainConfigError(f"model: choose one of {sorted(SIZES)}, not {self.model!r}")
        for name in ("batch_size", "grad_accum", "max_steps", "log_interval", "eval_interval", "eval_batches",
                     "checkpoint_interval", "keep_checkpoints"):
            if getattr(self, name) < 1:
                raise TrainConfigError(f"{name} must be at least 1")
        if self.block_size < 0:
            raise TrainConfigError("block_size must be >= 0 (0: the model's own)")
        if not 0 <= self.min_lr <= self.learning_rate:
            raise TrainConfigError("min_lr must be between 0 and learning_rate")
        if self.warmup_steps < 0 or not 0 <= self.dropout < 1:
            raise TrainConfigError("warmup_steps must be >= 0 and dropout in [0, 1)")
        if self.dtype not in ("auto", "float32", "bfloat16", "float16"):
            raise TrainConfigError(f"dtype: auto, float32, bfloat16 or float16, not {self.dtype!r}")
        choices = {
            "attention": ATTENTION_BACKENDS,
            "loss": ("full", "chunked"),
            "compile_mode": COMPILE_MODES,
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise TrainConfigError(f"{name}: one of {', '.join(allowed)}, not {getattr(self, name)!r}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _convert(name: str, kind: type, text: str):
    if kind is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise TrainConfigError(f"--{name}: expected true or false, not {text!r}")
    try:
        return kind(text)
    except ValueError as error:
        raise TrainConfigError(f"--{name}: expected {kind.__name__}, not {text!r}") from error


def load_train_config(path: str | None = None, overrides: list[str] = ()) -> TrainConfig:
    """Defaults, then the file (TOML or JSON), then --key=value overrides; unknown keys are errors."""
    kinds = {f.name: f.type if isinstance(f.type, type) else type(f.default) for f in fields(TrainConfig)}
    values: dict = {}
    if path:
        with open(path, "rb") as stream:
            try:
                values = json.load(stream) if path.endswith(".json") else tomllib.load(stream)
            except ValueError as error:  # tomllib.TOMLDecodeError, json.JSONDecodeError
                raise TrainConfigError(
                    f"--config {path}: not valid {'JSON' if path.endswith('.json') else 'TOML'} ({error})"
                ) from None
        if not isinstance(values, dict):
            raise TrainConfigError(f"--config {path}: expected a table of settings")
    for item in overrides:
        key, sep, text = item.removeprefix("--").partition("=")
        key = key.replace("-", "_")  # --max-steps is --max_steps
        if key not in kinds:
            raise TrainConfigError(f"unknown setting --{key} (known: {', '.join(sorted(kinds))})")
        if not sep:
            if kinds[key] is not bool:
                raise TrainConfigError(f"--{key} needs a value: --{key}=...")
            text = "true"
        values[key] = _convert(key, kinds[key], text)
    unknown = set(values) - set(kinds)
    if unknown:
        raise TrainConfigError(f"unknown setting(s) {sorted(unknown)} in {path}")
    return TrainConfig(**values)
