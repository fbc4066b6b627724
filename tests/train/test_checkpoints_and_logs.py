"""What a trainer's user reaches for: more than one checkpoint kept, where the last one is after Ctrl-C,
the log in TensorBoard."""

import glob
import os
import signal
import subprocess
import sys
import time

import pytest

from webtext.train.checkpoint import kept_checkpoints, load_checkpoint
from webtext.train.config import TrainConfig
from webtext.train.loop import train

FAST = dict(model="tiny", block_size=32, batch_size=4, eval_batches=2, log_interval=1, eval_interval=100,
            sample_tokens=0, learning_rate=1e-3, warmup_steps=2, device="cpu")


def test_the_newest_n_checkpoints_are_kept_beside_the_latest(sample_corpus, tmp_path):
    train(TrainConfig(corpus=str(sample_corpus), out_dir=str(tmp_path), max_steps=10, checkpoint_interval=2,
                      keep_checkpoints=3, **FAST), quiet=True)
    assert [os.path.basename(p) for p in kept_checkpoints(str(tmp_path))] == [
        "ckpt-00000006.pt", "ckpt-00000008.pt", "ckpt-00000010.pt"]
    assert os.path.samefile(tmp_path / "ckpt.pt", tmp_path / "ckpt-00000010.pt")
    assert load_checkpoint(str(tmp_path), "cpu")["step"] == 10
    # one checkpoint (the default): no numbered ones, and an overwrite takes the old run's numbered ones too
    train(TrainConfig(corpus=str(sample_corpus), out_dir=str(tmp_path), max_steps=4, checkpoint_interval=2,
                      overwrite=True, **FAST), quiet=True)
    assert kept_checkpoints(str(tmp_path)) == []


def test_tensorboard_gets_the_logged_figures(sample_corpus, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    train(TrainConfig(corpus=str(sample_corpus), out_dir=str(tmp_path), max_steps=4, tensorboard=True,
                      **FAST), quiet=True)
    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    assert {"loss", "lr", "val_loss"} <= set(events.Tags()["scalars"])
    assert [e.step for e in events.Scalars("loss")] == [0, 1, 2, 3]


def test_ctrl_c_says_where_the_last_checkpoint_is(sample_corpus, tmp_path):
    out = tmp_path / "run"
    trainer = subprocess.Popen(
        [sys.executable, "-m", "webtext", "train", f"--corpus={sample_corpus}", f"--out_dir={out}",
         "--model=tiny", "--block_size=32", "--batch_size=4", "--device=cpu", "--max_steps=100000",
         "--checkpoint_interval=2", "--eval_interval=100000", "--log_interval=1", "--quiet"],
        stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not glob.glob(f"{out}/ckpt.pt") and time.monotonic() < deadline:
        time.sleep(0.1)
    trainer.send_signal(signal.SIGINT)
    _, err = trainer.communicate(timeout=60)
    assert trainer.returncode == 130
    assert f"the last checkpoint is {out}/ckpt.pt (step " in err, err
    assert f"--out_dir={out} --resume=true goes on from it" in err
