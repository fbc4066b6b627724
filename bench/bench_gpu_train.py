"""GPT-2 124M on one GPU at T=1024: the bare step loop beside the real `webtext train` path, side by side.

For each micro-batch B (16, 32, 64), eager and torch.compile, it prints tokens/s, MFU (against the
GPU's own dense bf16 peak) and peak GPU memory of:
- the bare step loop: forward, backward, gradient clipping and a fused AdamW step on batches already on
  the GPU; nothing else (the most a training command could reach with this model code);
- the train path: `webtext.train.loop.train` on a corpus of token shards (data from memory-mapped shards,
  learning-rate schedule, logging), its steady-state tokens/s read from its own log.
Then the kernel choices the trainer offers, each on the bare loop: the chunked head+loss against the
full logits, and the SDPA attention kernels. Without a GPU it says so and exits 0.

Usage: python bench/bench_gpu_train.py [--steps 20] [--batches 16,32,64] [--json results.jsonl]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import torch

from webtext.train.config import TrainConfig
from webtext.train.hardware import attention_backend, peak_flops
from webtext.train.loop import make_optimizer, train
from webtext.train.model import GPT, config_for

BLOCK = 1024
WARMUP_STEPS = 5


def synthetic_corpus(directory: str, tokens: int) -> str:
    """A corpus directory as `webtext corpus` lays it out (manifest + Arrow token shards), random ids."""
    rng = np.random.default_rng(0)
    shards = []
    for split, count in (("train", tokens), ("validation", tokens // 10)):
        ids = rng.integers(0, 50257, size=count, dtype=np.uint16)
        documents = pa.ListArray.from_arrays(
            pa.array(np.arange(0, count + 1, 4096).clip(max=count), pa.int32()), pa.array(ids, pa.uint16())
        )
        table = pa.table({"doc_id": [f"{split}{i}" for i in range(len(documents))], "tokens": documents})
        path = f"{split}-00000-of-00001.arrow"
        with pa.ipc.new_file(os.path.join(directory, path), table.schema) as writer:
            writer.write_table(table)
        shards.append({"split": split, "tokens_path": path})
    with open(os.path.join(directory, "manifest.json"), "w") as out:
        json.dump({"shards": shards}, out)
    return directory


def mfu(model: GPT, tokens_per_s: float) -> float:
    peak = peak_flops("cuda")
    return 100 * model.flops_per_token() * tokens_per_s / peak if peak else float("nan")


def bare_loop(batch: int, compiled: bool, steps: int, loss: str = "full", attention: str = "auto") -> dict:
    """tokens/s, MFU and peak memory of the plain step on batches already on the GPU."""
    torch.manual_seed(0)
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    model = GPT(config_for("gpt2", loss=loss)).cuda()
    config = TrainConfig(model="gpt2")
    optimizer = make_optimizer(model, config, "cuda")
    runner = torch.compile(model) if compiled else model
    # Laid out as the trainer's batches are (inputs and targets are views of one (B, T+1) tensor), so
    # that torch.compile makes the same graph for both and the train path can reuse its compilation.
    chunk = torch.randint(0, 50257, (batch, BLOCK + 1), device="cuda")
    x, y = chunk[:, :-1], chunk[:, 1:]
    with attention_backend(attention, "cuda"):
        for step in range(steps + WARMUP_STEPS):
            if step == WARMUP_STEPS:
                torch.cuda.synchronize()
                started = time.perf_counter()
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss_value = runner(x, y)[1]
            loss_value.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
    tokens_per_s = batch * BLOCK * steps / (time.perf_counter() - started)
    return {"tokens_per_s": tokens_per_s, "mfu": mfu(model, tokens_per_s),
            "peak_gib": torch.cuda.max_memory_allocated() / 2**30}


def train_path(corpus: str, batch: int, compiled: bool, steps: int, **settings) -> dict:
    """The same, through `webtext train`'s loop: steady-state tokens/s from its log (intervals after the
    first)."""
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    interval = 5
    with tempfile.TemporaryDirectory() as out:
        config = TrainConfig(corpus=corpus, out_dir=out, model="gpt2", batch_size=batch, grad_accum=1,
                             max_steps=WARMUP_STEPS + steps + 1, log_interval=interval, warmup_steps=2,
                             eval_interval=10**6, eval_batches=1, checkpoint_interval=10**6, sample_tokens=0,
                             compile=compiled, **settings)
        result = train(config, quiet=True)
        with open(os.path.join(out, "log.jsonl")) as log:
            records = [json.loads(line) for line in log if '"tokens_per_s"' in line]
    # past step 0 and the first interval
    steady = [r["tokens_per_s"] for r in records if r["step"] > interval]
    tokens_per_s = statistics.median(steady)
    model = GPT(config_for("gpt2"))
    return {"tokens_per_s": tokens_per_s, "mfu": mfu(model, tokens_per_s),
            "peak_gib": torch.cuda.max_memory_allocated() / 2**30, "micro_batch": result["batch_size"]}


def measured(label: str, run, results: list, json_path: str | None) -> dict | None:
    try:
        row = run()
    except torch.OutOfMemoryError:
        row = {"error": "out of GPU memory"}
    except Exception as error:  # a kernel choice this GPU or PyTorch lacks: say so and go on
        row = {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"}
    row["run"] = label
    results.append(row)
    if "error" in row:
        print(f"  {label:<52} {row['error']}", flush=True)
    else:
        print(f"  {label:<52} {row['tokens_per_s']:>11,.0f} tok/s  MFU {row['mfu']:5.1f}%  "
              f"peak {row['peak_gib']:5.1f} GiB", flush=True)
    if json_path:
        with open(json_path, "a") as out:
            out.write(json.dumps(row) + "\n")
    return None if "error" in row else row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batches", default="16,32,64")
    parser.add_argument("--json", help="also append each row to this JSON-lines file")
    parser.add_argument(
        "--extras", default="loss,attention", help="kernel comparisons to run after the main table"
    )
    args, _ = parser.parse_known_args()
    if not torch.cuda.is_available():
        print("no GPU here: bench_gpu_train skipped")
        return
    torch.backends.cuda.matmul.allow_tf32 = True
    print(f"== GPT-2 124M, T={BLOCK}, bf16 on {torch.cuda.get_device_name()} (torch {torch.__version__})",
          flush=True)
    results: list[dict] = []
    with tempfile.TemporaryDirectory() as directory:
        corpus = synthetic_corpus(directory, tokens=20_000_000)
        for compiled in (True, False):
            mode = "compiled" if compiled else "eager"
            for batch in (int(b) for b in args.batches.split(",")):
                bare = measured(
                    f"bare step loop B={batch} {mode}",
                    lambda: bare_loop(batch, compiled, args.steps),
                    results,
                    args.json,
                )
                path = measured(f"webtext train B={batch} {mode}",
                                lambda: train_path(corpus, batch, compiled, args.steps), results, args.json)
                if bare and path:
                    print(
                        f"  {'  train path / bare loop':<52} "
                        f"{path['tokens_per_s'] / bare['tokens_per_s']:.3f}x",
                        flush=True,
                    )
        extras = args.extras.split(",")
        if "loss" in extras:
            for compiled, batch in ((True, 64), (False, 16)):
                mode = "compiled" if compiled else "eager"
                measured(f"bare loop B={batch} {mode}, chunked head+loss",
                         lambda: bare_loop(batch, compiled, args.steps, loss="chunked"), results, args.json)
        if "attention" in extras:
            for backend in ("flash", "cudnn", "efficient"):
                measured(f"bare loop B=16 eager, attention={backend}",
                         lambda: bare_loop(16, False, args.steps, attention=backend), results, args.json)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
