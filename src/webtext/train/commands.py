"""The trainer's commands, `webtext train` and `webtext generate`: their parsers, and their runs with the
trainer's mistakes as one line and exit 2. PyTorch is imported only when one of them runs."""

import sys


def add_train_parsers(sub) -> None:
    train = sub.add_parser(
        "train",
        help="train GPT-2 on a corpus's token shards (--key=value sets any setting)",
        add_help=False,
        description="Train GPT-2 on a webtext corpus. Settings come from the defaults, then "
        "--config (TOML or JSON), then --key=value flags, e.g. --model=gpt2 "
        "--corpus=out/webtext --max_steps=5000. Under torchrun it trains with DDP.",
    )
    train.add_argument("--config", help="a TOML or JSON file of settings")
    train.add_argument("--quiet", action="store_true", help="no console log (log.jsonl is still written)")
    train.add_argument(
        "-h", "--help", action="store_true", help="show this help, with every setting, and exit"
    )
    train.set_defaults(train_parser=train)
    generate = sub.add_parser("generate", help="sample text from a training run's checkpoint")
    generate.add_argument("--out_dir", required=True, help="the training run's directory (its ckpt.pt)")
    generate.add_argument("--prompt", default="\n", help="the text to continue (default: a new line)")
    generate.add_argument("--max_new_tokens", type=int, default=100)
    generate.add_argument("--temperature", type=float, default=0.8, help="below 1: surer, above: more varied")
    generate.add_argument("--top_k", type=int, default=200, help="sample among the k likeliest tokens")
    generate.add_argument("--samples", type=int, default=1, help="how many continuations")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--device", default="auto", help="auto (a GPU if there is one), cpu, cuda, ...")


def needs_torch(command: str, error: ImportError) -> int:
    """A command that needs PyTorch where it is not installed: what to install, exit 2."""
    print(f"webtext {command} needs PyTorch: pip install -e '.[train]' ({error})", file=sys.stderr)
    return 2


def run_train_command(args, overrides: list[str]) -> int:
    try:
        from webtext.train.config import TrainConfigError, load_train_config, settings_help
        from webtext.train.data import CorpusDataError
        from webtext.train.hardware import PrecisionError
        from webtext.train.loop import train
    except ImportError as error:
        return needs_torch("train", error)
    if args.help:  # the settings come from TrainConfig, which needs torch: listed here, not by argparse
        print(args.train_parser.format_help() + "\n" + settings_help())
        return 0
    try:
        config = load_train_config(args.config, overrides)
        train(config, quiet=args.quiet)
    except (TrainConfigError, PrecisionError, CorpusDataError, OSError) as error:
        print(f"webtext train: {error}", file=sys.stderr)
        return 2
    return 0


def run_generate_command(args, _rest) -> int:
    try:
        from webtext.train.config import TrainConfigError
        from webtext.train.generate import generate
    except ImportError as error:
        return needs_torch("generate", error)
    try:
        texts = generate(
            args.out_dir,
            args.prompt,
            args.max_new_tokens,
            args.temperature,
            args.top_k,
            args.samples,
            args.seed,
            args.device,
        )
    except (TrainConfigError, OSError) as error:
        print(f"webtext generate: {error}", file=sys.stderr)
        return 2
    print("\n---------------\n".join(texts))
    return 0
