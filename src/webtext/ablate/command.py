"""The `webtext ablate` command: its flags, the checks of what it is given (one line and exit 2 for a
mistake), the runs (one a core on a CPU, one after another on a GPU; the finished ones of an interrupted
ablation kept), their progress with an ETA, and the report."""

import argparse
import os
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context

from webtext.ablate.eval_sets import read_choice_set, read_text_set
from webtext.ablate.run_one import RunSpec, finished, run_one
from webtext.evalsets import EvalSetError, parse_named


class AblateError(ValueError):
    """A mistake in what the ablation was given: one line, exit 2."""


def add_ablate_parser(sub) -> None:
    p = sub.add_parser(
        "ablate",
        help="train small GPT-2s on corpus variants (several seeds each) and compare them on held-out "
        "text: which corpus makes the better model, and is the difference real",
        description="Each (variant, seed) is a run of `webtext train` on the same token budget; every eval "
        "set "
        "is measured in bits per byte (lower is better) along each run and at its end.",
    )
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=CORPUS",
        help="a corpus folder to compare (two or more)",
    )
    p.add_argument(
        "--eval",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="held-out text: plain text (a document a line), .jsonl or .parquet (repeatable)",
    )
    p.add_argument(
        "--eval_choice",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="multiple-choice items, JSONL with ctx, endings and label (HellaSwag's shape)",
    )
    p.add_argument("--seeds", type=int, default=3, help="runs a variant, seeds 0..N-1 (default 3)")
    p.add_argument("--tokens", type=int, default=300_000, help="training tokens a run (default 300,000)")
    p.add_argument("--out", required=True, help="folder for the runs and ablate.json / ablate.html")
    p.add_argument("--model", default="tiny", help="the trainer's model size (default tiny: CPU-sized)")
    p.add_argument("--block_size", type=int, default=64, help="tokens a training window (default 64)")
    p.add_argument("--batch_size", type=int, default=16, help="windows a step (default 16)")
    p.add_argument("--learning_rate", type=float, default=3e-3)
    p.add_argument("--min_lr", type=float, default=3e-4)
    p.add_argument("--device", default="auto", help="auto (a GPU if there is one), cpu, cuda")
    p.add_argument("--points", type=int, default=4, help="measurements along each run, for the curves")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="runs at once (default: one a usable core on a CPU, one on a GPU)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines")


def _named(specs: list[str], what: str) -> list[tuple[str, str]]:
    named = []
    for spec in specs:
        try:
            named.append(parse_named(spec))
        except EvalSetError as error:
            raise AblateError(f"{what} {error}") from None
    names = [n for n, _ in named]
    if len(set(names)) != len(names):
        raise AblateError(
            f"{what}: two have one name ({', '.join(sorted(n for n in names if names.count(n) > 1))})"
        )
    return named


def _checked_variants(specs: list[str], block: int) -> tuple[dict[str, str], dict[str, dict]]:
    """Each variant's folder and manifest, once it is a verified corpus with both splits long enough; the
    tokenizers alike."""
    from webtext.shards.reader import read_manifest
    from webtext.tokenize.verify import verify_corpus

    variants = _named(specs, "--variant")
    if len(variants) < 2:
        raise AblateError("--variant NAME=CORPUS: give two or more corpora to compare")
    manifests = {}
    for name, path in variants:
        try:
            manifest = read_manifest(path)
        except (OSError, ValueError) as error:
            raise AblateError(f"--variant {name}={path}: {error}") from None
        problems = verify_corpus(path)
        if problems:
            raise AblateError(f"--variant {name}={path}: `webtext verify` fails on it ({problems[0]})")
        for split in ("train", "validation"):
            if manifest["splits"].get(split, {}).get("tokens", 0) <= block + 1:
                raise AblateError(
                    f"--variant {name}={path}: its {split} split has no window of {block + 1} "
                    "tokens (a smaller --block_size, or a bigger corpus)"
                )
        manifests[name] = manifest
    tokenizers = {name: m["tokenizer"] for name, m in manifests.items()}
    if len({str(sorted(t.items())) for t in tokenizers.values()}) > 1:
        raise AblateError(
            "the variants were tokenized differently ("
            + "; ".join(
                f"{n}: {t.get('name')} {t.get('vocabulary_sha256', '')[:12]}" for n, t in tokenizers.items()
            )
            + "): their bits per byte would not compare"
        )
    return dict(variants), manifests


def plan(args) -> tuple[list[RunSpec], dict[str, dict], list[str], dict[str, int]]:
    """The runs, the variants' manifests, the text eval sets' names and the choice sets' ending counts."""
    if args.seeds < 1:
        raise AblateError("--seeds must be at least 1")
    if args.points < 1:
        raise AblateError("--points must be at least 1")
    tokens_a_step = args.batch_size * args.block_size
    if args.block_size < 2 or args.batch_size < 1 or args.tokens < tokens_a_step:
        raise AblateError(
            f"--tokens must be at least one step's ({args.batch_size} x {args.block_size} = "
            f"{tokens_a_step}), --block_size at least 2, --batch_size at least 1"
        )
    paths, manifests = _checked_variants(args.variant, args.block_size)
    evals, choices = _named(args.eval, "--eval"), _named(args.eval_choice, "--eval_choice")
    if not evals and not choices:
        raise AblateError("give at least one --eval NAME=PATH (held-out text) or --eval_choice NAME=PATH")
    try:
        for _, path in evals:
            read_text_set(path)
        endings = {name: len(read_choice_set(path)[0]["endings"]) for name, path in choices}
    except EvalSetError as error:
        raise AblateError(str(error)) from None
    steps = -(-args.tokens // tokens_a_step)
    train = (
        ("model", args.model),
        ("block_size", args.block_size),
        ("batch_size", args.batch_size),
        ("learning_rate", args.learning_rate),
        ("min_lr", args.min_lr),
        ("warmup_steps", max(1, steps // 10)),
        ("device", args.device),
    )
    specs = [
        RunSpec(
            name,
            paths[name],
            seed,
            os.path.join(args.out, "runs", f"{name}-seed{seed}"),
            steps,
            min(args.points, steps),
            train,
            tuple(evals),
            tuple(choices),
        )
        for name in manifests
        for seed in range(args.seeds)
    ]
    return specs, manifests, [n for n, _ in evals], endings


def _start_run_worker() -> None:
    """A CPU run's process: one core's threads, denormals flushed (with a tied head, underflowed softmax
    values make the weight-gradient matmul many times slower), dead with its parent, Ctrl-C its parent's."""
    import logging

    import torch

    from webtext.parent_death import die_with_parent
    from webtext.quiet_logs import BeamImportNoise

    logging.getLogger().addFilter(BeamImportNoise())  # before a module of the run imports Beam
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)


def _on_gpu(device: str) -> bool:
    if device.startswith("cuda"):
        return True
    if device != "auto":
        return False
    import torch

    return torch.cuda.is_available()


def run_ablate_command(args, _rest=None) -> int:
    from webtext.ablate.report import summarize, terminal_table, write_report
    from webtext.engines.table import usable_cores
    from webtext.train.config import TrainConfigError

    try:
        specs, manifests, evals, choices = plan(args)
    except (AblateError, TrainConfigError) as error:
        print(f"webtext ablate: {error}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    results = {spec.name: result for spec in specs if (result := finished(spec)) is not None}
    todo = [spec for spec in specs if spec.name not in results]
    say = (lambda line: None) if args.quiet else (lambda line: print(line, flush=True))
    if results:
        say(
            f"ablate: {len(results)} of {len(specs)} runs were finished by an earlier ablation with these "
            "settings: kept"
        )
    gpu = _on_gpu(args.device)
    jobs = 1 if gpu else max(1, min(args.jobs or usable_cores(), len(todo) or 1))
    say(
        f"ablate: {len(todo)} runs of {specs[0].steps} steps, {jobs} at a time"
        + (" on the GPU" if gpu else f" on {jobs} core(s)")
    )
    started, done_now = time.monotonic(), 0

    def finished_one(spec: RunSpec, result: dict) -> None:
        nonlocal done_now
        results[spec.name] = result
        done_now += 1
        left = len(todo) - done_now
        eta = (time.monotonic() - started) / done_now * left  # runs finish at the rate so far
        figures = ", ".join(f"{e} {v:.3f}" for e, v in result["bits_per_byte"].items())
        say(
            f"ablate: {len(results)}/{len(specs)} {spec.name}: {figures} bits/byte in "
            f"{result['seconds']:.0f} s" + (f"; ETA {eta:.0f} s" if left else "")
        )

    if gpu:
        for spec in todo:
            finished_one(spec, run_one(spec))
    elif todo:
        spawn = get_context("spawn")  # torch in a forked child of a threaded parent can hang
        with ProcessPoolExecutor(jobs, mp_context=spawn, initializer=_start_run_worker) as pool:
            pending = {pool.submit(run_one, spec): spec for spec in todo}
            try:
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        finished_one(pending.pop(future), future.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    settings = {
        "seeds": args.seeds,
        "tokens": args.tokens,
        "steps": specs[0].steps,
        **dict(specs[0].train),
        "variants": {spec.variant: spec.corpus for spec in specs},
    }
    ordered = [results[spec.name] for spec in specs]
    report = summarize(ordered, list(manifests), evals, choices, manifests, settings)
    paths = write_report(args.out, report)
    say(terminal_table(report))
    say("\n".join(paths))
    return 0


def parser_for_tests() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webtext")
    add_ablate_parser(parser.add_subparsers(dest="command"))
    return parser
