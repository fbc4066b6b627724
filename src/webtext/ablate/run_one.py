"""One run of an ablation: the trainer on one corpus variant with one seed, then the model measured on
every eval set at each kept checkpoint (the curves) and at the end. Its result is written beside its
checkpoints as result.json, with the key of everything it depends on, so that a resumed ablation keeps
the runs whose settings match."""

import dataclasses
import hashlib
import json
import os
import time

from webtext.ablate.eval_sets import read_choice_set, read_text_set
from webtext.atomic import write_atomically

RESULT = "result.json"


@dataclasses.dataclass(frozen=True)
class RunSpec:
    variant: str
    corpus: str
    seed: int
    out_dir: str
    steps: int
    points: int  # checkpoints measured along the run, for the curves
    train: tuple  # the trainer's settings, (name, value) pairs
    evals: tuple  # (name, path) of the text sets
    choices: tuple  # (name, path) of the multiple-choice sets

    @property
    def name(self) -> str:
        return f"{self.variant}-seed{self.seed}"

    def key(self) -> str:
        """What the run's numbers depend on: its settings, the corpus (its manifest) and the eval files."""
        def identity(path: str) -> list:
            stat = os.stat(path)
            return [os.path.realpath(path), stat.st_size, stat.st_mtime_ns]
        with open(os.path.join(self.corpus, "manifest.json"), "rb") as stream:
            manifest = hashlib.sha256(stream.read()).hexdigest()
        recorded = {**dataclasses.asdict(self), "out_dir": None, "corpus": manifest,
                    "evals": [(n, identity(p)) for n, p in self.evals],
                    "choices": [(n, identity(p)) for n, p in self.choices]}
        return hashlib.sha256(json.dumps(recorded, sort_keys=True, default=list).encode()).hexdigest()


def finished(spec: RunSpec) -> dict | None:
    """The run's result when an earlier ablation finished it with the same key, else None."""
    try:
        with open(os.path.join(spec.out_dir, RESULT), encoding="utf-8") as stream:
            result = json.load(stream)
    except (OSError, ValueError):
        return None
    return result if result.get("key") == spec.key() else None


def run_one(spec: RunSpec) -> dict:
    """Train, measure, write result.json; return the result."""
    import torch

    from webtext.ablate.evaluate import bits_per_byte, choice_accuracy
    from webtext.train.checkpoint import kept_checkpoints
    from webtext.train.config import TrainConfig
    from webtext.train.generate import load_model_file
    from webtext.train.loop import LOG_NAME, model_config, train

    settings = dict(spec.train)
    config = TrainConfig(corpus=spec.corpus, out_dir=spec.out_dir, seed=spec.seed, max_steps=spec.steps,
                         checkpoint_interval=max(1, spec.steps // spec.points), keep_checkpoints=spec.points,
                         eval_interval=spec.steps, log_interval=max(1, spec.steps // 50), sample_tokens=0,
                         overwrite=True, **settings)
    started = time.monotonic()
    train(config, quiet=True)
    trained_s = time.monotonic() - started
    device = "cuda" if config.device == "auto" and torch.cuda.is_available() else \
        ("cpu" if config.device == "auto" else config.device)
    texts = {name: read_text_set(path) for name, path in spec.evals}
    items = {name: read_choice_set(path) for name, path in spec.choices}
    tokens_per_step = config.batch_size * config.grad_accum * model_config(config).block_size
    curve, model = [], None
    for path in kept_checkpoints(spec.out_dir):
        step = int(os.path.basename(path).removeprefix("ckpt-").removesuffix(".pt"))
        model = load_model_file(path, device)
        measured = {name: bits_per_byte(model, docs, device) for name, docs in texts.items()}
        curve.append({"step": step, "tokens": step * tokens_per_step, "bits_per_byte": measured})
    accuracy = {name: choice_accuracy(model, chosen, device) for name, chosen in items.items()}
    with open(os.path.join(spec.out_dir, LOG_NAME), encoding="utf-8") as stream:
        losses = [(r["step"], r["loss"]) for r in map(json.loads, stream) if "loss" in r]
    result = {"key": spec.key(), "variant": spec.variant, "seed": spec.seed, "steps": spec.steps,
              "tokens": spec.steps * tokens_per_step, "bits_per_byte": curve[-1]["bits_per_byte"],
              "accuracy": accuracy, "curve": curve, "losses": losses, "train_s": round(trained_s, 2),
              "seconds": round(time.monotonic() - started, 2)}
    write_atomically(os.path.join(spec.out_dir, RESULT), json.dumps(result, indent=1).encode("utf-8"))
    return result

