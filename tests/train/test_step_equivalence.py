"""The training step as written for speed gives the losses of the plainest correct loop (float32, on CPU)."""

import numpy as np
import pytest
import torch

from webtext.train.batch_fit import largest_that_fits, micro_batch_sizes
from webtext.train.config import TrainConfig, TrainConfigError
from webtext.train.data import ShardWindows
from webtext.train.hardware import PrecisionError
from webtext.train.loop import lr_at, make_optimizer, train
from webtext.train.model import GPT, config_for

FAST = dict(model="tiny", block_size=32, eval_batches=1, log_interval=3, eval_interval=100, sample_tokens=0,
            learning_rate=1e-3, warmup_steps=2, device="cpu", dtype="float32", max_steps=6)


def reference_losses(config: TrainConfig) -> list[float]:
    """One process, eager, a host read of every micro-step's loss: the loop as it was before it was made
    fast."""
    torch.manual_seed(config.seed)
    model = GPT(config_for(config.model, block_size=config.block_size, dropout=config.dropout))
    optimizer = make_optimizer(model, config, "cpu")
    windows = ShardWindows(config.corpus, "train", config.block_size, config.seed)
    losses = []
    for step in range(config.max_steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, config)
        rows = torch.from_numpy(
            windows.global_batch(step, config.batch_size * config.grad_accum).astype(np.int64)
        )
        total = 0.0
        for micro in range(config.grad_accum):
            chunk = rows[micro * config.batch_size:(micro + 1) * config.batch_size]
            loss = model(chunk[:, :-1], chunk[:, 1:])[1] / config.grad_accum
            loss.backward()
            total += loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(total)
    return losses


@pytest.mark.parametrize("batch_size, grad_accum", [(4, 1), (2, 2)])
def test_training_losses_equal_the_plain_loop(sample_corpus, tmp_path, batch_size, grad_accum):
    config = TrainConfig(corpus=str(sample_corpus), out_dir=str(tmp_path), batch_size=batch_size,
                         grad_accum=grad_accum, **FAST)
    assert train(config, quiet=True)["losses"] == pytest.approx(reference_losses(config), abs=1e-5)


def test_accumulation_changes_only_how_rows_go_through_the_model(sample_corpus, tmp_path):
    whole = TrainConfig(
        corpus=str(sample_corpus), out_dir=str(tmp_path / "a"), batch_size=4, grad_accum=1, **FAST
    )
    split = TrainConfig(
        corpus=str(sample_corpus), out_dir=str(tmp_path / "b"), batch_size=1, grad_accum=4, **FAST
    )
    assert train(split, quiet=True)["losses"] == pytest.approx(train(whole, quiet=True)["losses"], abs=1e-5)


def test_chunked_loss_trains_like_the_full_one(sample_corpus, tmp_path):
    full = TrainConfig(corpus=str(sample_corpus), out_dir=str(tmp_path / "a"), batch_size=4, **FAST)
    chunked = TrainConfig(
        corpus=str(sample_corpus), out_dir=str(tmp_path / "b"), batch_size=4, loss="chunked", **FAST
    )
    assert train(chunked, quiet=True)["losses"] == pytest.approx(train(full, quiet=True)["losses"], abs=1e-5)


def test_rows_of_one_rank_are_those_rows_of_the_global_batch(sample_corpus):
    windows = ShardWindows(str(sample_corpus), "train", 32, seed=0)
    whole = windows.global_batch(step=7, rows=12)
    assert np.array_equal(windows.rows(7, 12, 4, 3), whole[4:7])
    x, y = windows.micro_batch(7, micro=1, rank=1, world=2, batch_size=3, grad_accum=2, device="cpu")
    assert torch.equal(x, torch.from_numpy(whole[9:12, :-1].astype(np.int64)))  # row (1*2 + 1) * 3
    assert torch.equal(y, torch.from_numpy(whole[9:12, 1:].astype(np.int64)))


def test_float16_on_a_cpu_is_refused_with_what_to_use(sample_corpus, tmp_path):
    config = TrainConfig(corpus=str(sample_corpus), out_dir=str(tmp_path), **{**FAST, "dtype": "float16"})
    with pytest.raises(PrecisionError, match="bfloat16 or float32"):
        train(config, quiet=True)
    assert not (tmp_path / "log.jsonl").exists()


def test_micro_batch_finder_keeps_the_rows_of_a_step():
    assert micro_batch_sizes(12) == [12, 6, 4, 3, 2, 1]
    assert largest_that_fits(64, lambda b: b <= 20) == (16, 4)
    assert largest_that_fits(16, lambda b: True) == (16, 1)
    with pytest.raises(RuntimeError, match="not even a micro-batch of 1 row"):
        largest_that_fits(8, lambda b: False)


@pytest.mark.parametrize("setting", ["--attention=fast", "--loss=fused", "--compile_mode=turbo"])
def test_unknown_kernel_choices_are_named(setting):
    from webtext.train.config import load_train_config

    name = setting.removeprefix("--").split("=")[0]
    with pytest.raises(TrainConfigError, match=f"{name}: one of"):
        load_train_config(None, [setting])
