"""The training loop on the sample corpus, on CPU: data, exact resume, DDP equivalence, config."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from helpers.servers import free_port
from webtext.shards.reader import TokenShard, split_shard_paths
from webtext.train.config import TrainConfig, TrainConfigError, load_train_config
from webtext.train.data import ShardWindows
from webtext.train.hardware import peak_flops
from webtext.train.loop import lr_at, train

FAST = dict(model="tiny", block_size=32, batch_size=4, eval_batches=2, log_interval=1, eval_interval=100,
            sample_tokens=4, learning_rate=1e-3, warmup_steps=2, device="cpu")


def config(corpus, out, **kw) -> TrainConfig:
    return TrainConfig(corpus=str(corpus), out_dir=str(out), **{**FAST, **kw})


def test_windows_come_from_the_train_shards_only(sample_corpus):
    windows = ShardWindows(str(sample_corpus), "train", 32, seed=0)
    train_streams = [
        TokenShard(p).flat_tokens().tobytes() for p in split_shard_paths(str(sample_corpus), "train")
    ]
    val_streams = [
        TokenShard(p).flat_tokens().tobytes() for p in split_shard_paths(str(sample_corpus), "validation")
    ]
    batch = windows.global_batch(step=3, rows=16)
    assert batch.shape == (16, 33) and batch.dtype == np.uint16
    for row in batch:
        assert any(row.tobytes() in s for s in train_streams)
        assert not any(row.tobytes() in s for s in val_streams)
    assert np.array_equal(batch, windows.global_batch(step=3, rows=16))  # a function of the step alone


def test_rows_of_a_global_batch_split_across_ranks_and_micro_steps(sample_corpus):
    windows = ShardWindows(str(sample_corpus), "train", 32, seed=0)
    one = [windows.micro_batch(5, m, 0, 1, 2, 2, "cpu")[0] for m in range(2)]
    two = [windows.micro_batch(5, 0, r, 2, 2, 1, "cpu")[0] for r in range(2)]
    assert all((a == b).all() for a, b in zip(one, two))


def test_loss_falls_and_logs_are_written(sample_corpus, tmp_path):
    result = train(config(sample_corpus, tmp_path, max_steps=30), quiet=True)
    assert result["losses"][-1] < result["losses"][0] - 0.5
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert {"step", "loss", "lr", "tokens_per_s"} <= set(records[0]) and "val_perplexity" in records[-1]
    assert result["sample"].startswith("The")


def test_resume_continues_exactly(sample_corpus, tmp_path):
    straight = train(config(sample_corpus, tmp_path / "a", max_steps=6), quiet=True)["losses"]
    first = train(config(sample_corpus, tmp_path / "b", max_steps=6, stop_at_step=3), quiet=True)["losses"]
    rest = train(config(sample_corpus, tmp_path / "b", max_steps=6, resume=True), quiet=True)["losses"]
    assert first + rest == straight


def test_two_process_ddp_matches_one_process(sample_corpus, tmp_path):
    """torchrun with 2 CPU processes (gloo), batch 2 each == 1 process, batch 2, grad_accum 2."""
    common = [
        f"--corpus={sample_corpus}",
        "--model=tiny",
        "--block_size=32",
        "--batch_size=2",
        "--max_steps=4",
        "--device=cpu",
        "--eval_batches=1",
        "--log_interval=1",
        "--sample_tokens=2",
        "--dropout=0.0",
    ]
    torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for command in ([torchrun, "--nproc_per_node=2", f"--master_port={free_port()}", "-m", "webtext", "train",
                     "--quiet", *common, "--grad_accum=1", f"--out_dir={tmp_path / 'ddp'}"],
                    [sys.executable, "-m", "webtext", "train", "--quiet", *common, "--grad_accum=2",
                     f"--out_dir={tmp_path / 'one'}"]):
        done = subprocess.run(command, timeout=300, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]

    def losses(name):
        lines = (tmp_path / name / "log.jsonl").read_text().splitlines()
        return [json.loads(line)["loss"] for line in lines if '"loss"' in line]

    assert losses("ddp") == pytest.approx(losses("one"), abs=1e-5)


def test_schedule_warms_up_then_decays():
    c = TrainConfig(learning_rate=1.0, min_lr=0.1, warmup_steps=10, max_steps=110)
    assert lr_at(0, c) == pytest.approx(0.1) and lr_at(9, c) == pytest.approx(1.0)
    assert lr_at(60, c) == pytest.approx(0.55) and lr_at(110, c) == pytest.approx(0.1)


def test_config_file_then_overrides_and_clear_errors(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('model = "gpt2"\nmax_steps = 10\nlearning_rate = 0.001\n')
    c = load_train_config(str(path), ["--max-steps=20", "--compile"])
    assert (c.model, c.max_steps, c.learning_rate, c.compile) == ("gpt2", 20, 0.001, True)
    with pytest.raises(TrainConfigError, match="unknown setting --max_step"):
        load_train_config(None, ["--max_step=3"])
    with pytest.raises(TrainConfigError, match="expected int"):
        load_train_config(None, ["--max_steps=many"])
    with pytest.raises(TrainConfigError, match="model"):
        load_train_config(None, ["--model=gpt5"])


def test_cpu_has_no_mfu_peak():
    assert peak_flops("cpu") is None


def test_a_corpus_made_with_the_default_flags_trains(tmp_path):
    from webtext.cli.main import run

    corpus = tmp_path / "corpus"
    assert run(["corpus", "--sample", "--out", str(corpus), "--quiet", "--no_report"]) == 0
    assert run(["train", "--quiet", f"--corpus={corpus}", f"--out_dir={tmp_path / 'run'}", "--max_steps=2",
                "--eval_interval=2", "--eval_batches=1", "--sample_tokens=0", "--device=cpu"]) == 0
    records = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert "val_loss" in records[-1]


def test_a_run_is_never_mixed_into_another_runs_out_dir(sample_corpus, tmp_path, capsys):
    from webtext.cli.main import run

    common = ["train", "--quiet", f"--corpus={sample_corpus}", f"--out_dir={tmp_path}", "--max_steps=2",
              "--block_size=32", "--eval_batches=1", "--sample_tokens=0", "--device=cpu"]
    assert run([*common, "--resume"]) == 2
    assert "holds no checkpoint" in capsys.readouterr().err and not (tmp_path / "log.jsonl").exists()
    assert run(common) == 0
    first_log = (tmp_path / "log.jsonl").read_text()
    assert run(common) == 2
    error = capsys.readouterr().err
    assert (
        "--resume continues it, --overwrite starts afresh" in error and len(error.strip().splitlines()) == 1
    )
    assert (tmp_path / "log.jsonl").read_text() == first_log
    assert run([*common, "--overwrite"]) == 0
    # the old log was replaced, not appended
    assert (tmp_path / "log.jsonl").read_text().count('"step": 0,') == 1


def test_train_help_lists_every_setting_with_its_default(capsys):
    from dataclasses import fields

    from webtext.cli.main import run

    assert run(["train", "--help"]) == 0
    shown = capsys.readouterr().out
    for setting in fields(TrainConfig):
        assert f"--{setting.name}=" in shown and setting.metadata["help"] in shown.replace("\n", " ")
