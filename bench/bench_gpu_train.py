"""GPT-2 124M on one GPU: tokens/s and MFU at context 1024 in bf16, eager vs torch.compile, plus a short run's
loss curve on a corpus. Prints one summary table. Without a GPU it says so and exits 0.

Usage: python bench/bench_gpu_train.py [--corpus out/sample] [--steps 30] [--batch 16]
"""

import argparse
import tempfile
import time

import torch

from common import report
from webtext.train.config import TrainConfig
from webtext.train.hardware import peak_flops
from webtext.train.loop import make_optimizer, train
from webtext.train.model import GPT, config_for


def throughput(compile_model: bool, batch: int, steps: int) -> tuple[float, float | None]:
    torch.manual_seed(0)
    model = GPT(config_for("gpt2")).cuda()
    optimizer = make_optimizer(model, TrainConfig(model="gpt2"), "cuda")
    runner = torch.compile(model) if compile_model else model
    x = torch.randint(0, 50257, (batch, 1024), device="cuda")
    for step in range(steps + 5):  # 5 warm-up steps (and compilation) are not timed
        if step == 5:
            torch.cuda.synchronize()
            started = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = runner(x, x)[1]
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    torch.cuda.synchronize()
    tokens_per_s = batch * 1024 * steps / (time.perf_counter() - started)
    peak = peak_flops("cuda")
    return tokens_per_s, (model.flops_per_token() * tokens_per_s / peak) if peak else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="out/sample")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=16)
    args, _ = parser.parse_known_args()
    if not torch.cuda.is_available():
        print("no GPU here: bench_gpu_train skipped")
        return
    name = torch.cuda.get_device_name()
    rows = []
    for compiled in (False, True):
        tokens_per_s, mfu = throughput(compiled, args.batch, args.steps)
        label = "torch.compile" if compiled else "eager"
        rows.append((f"GPT-2 124M bf16 T=1024 {label}: tokens/s", tokens_per_s, "tok/s"))
        rows.append((f"GPT-2 124M bf16 T=1024 {label}: MFU", 100 * (mfu or 0), "%"))
    with tempfile.TemporaryDirectory() as out:
        result = train(TrainConfig(corpus=args.corpus, out_dir=out, model="gpt2", block_size=256, batch_size=16,
                                   max_steps=args.steps, eval_interval=args.steps, log_interval=args.steps,
                                   compile=True), quiet=True)
    curve = result["losses"]
    rows += [(f"loss on {args.corpus}, step {i}", curve[i], "") for i in range(0, len(curve), max(1, len(curve) // 6))]
    report(f"GPU training on {name}", rows)


if __name__ == "__main__":
    main()
