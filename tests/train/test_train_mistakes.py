"""`webtext train`: each mistake gets one line and exit 2 before anything heavy is allocated, a run
stopped before its first checkpoint is no trap, and every log line says where the run is and when it
will end."""

import pytest
import torch

from webtext.cli.main import run
from webtext.train.loop import console_line


def common(corpus, out) -> list[str]:
    return ["train", "--quiet", f"--corpus={corpus}", f"--out_dir={out}", "--max_steps=2", "--block_size=32",
            "--eval_batches=1", "--sample_tokens=0", "--device=cpu"]


def one_line_error(capsys, argv, expected: str) -> None:
    assert run(argv) == 2
    error = capsys.readouterr().err.strip()
    assert expected in error and len(error.splitlines()) == 1 and "Traceback" not in error, error


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu(sample_corpus, tmp_path, capsys):
    one_line_error(capsys, [*common(sample_corpus, tmp_path / "run"), "--device=cuda"], "no CUDA GPU")


def test_a_config_file_that_is_not_toml(sample_corpus, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("max_steps = = 3\n")
    one_line_error(
        capsys, ["train", f"--config={bad}", f"--corpus={sample_corpus}"], f"--config {bad}: not valid TOML"
    )


def test_init_from_a_file_that_is_no_checkpoint(sample_corpus, tmp_path, capsys):
    junk = tmp_path / "weights.pt"
    junk.write_bytes(b"not a checkpoint at all" * 10)
    one_line_error(capsys, [*common(sample_corpus, tmp_path / "run"), f"--init_from={junk}"],
                   f"--init_from {junk}: not GPT-2 weights")


def test_a_block_no_split_can_fill_is_refused_before_the_model_is_built(sample_corpus, tmp_path, capsys):
    argv = [*common(sample_corpus, tmp_path / "run"), "--block_size=20000"]
    one_line_error(capsys, argv, "has no window of 20001 tokens")


def test_a_block_whose_masks_cannot_fit_is_refused_with_the_estimate(sample_corpus, tmp_path, capsys):
    """--block_size=100000 was killed by the kernel after 35 s: its masks were allocated before any check.
    Here a block whose masks take this machine's whole memory, whatever its size."""
    import math
    import os

    block = math.isqrt(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) + 1
    one_line_error(capsys, [*common(sample_corpus, tmp_path / "run"), f"--block_size={block}"],
                   "the causal masks alone would take")


def test_a_run_stopped_before_its_first_checkpoint_is_started_afresh(sample_corpus, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "log.jsonl").write_text('{"step": 0, "loss": 10.9}\n')  # as a Ctrl-C at step 0 leaves it
    assert run(common(sample_corpus, out)) == 0
    assert "stopped before its first checkpoint: starting afresh" in capsys.readouterr().err
    assert (out / "log.jsonl").read_text().count('"step": 0,') == 1


def test_a_log_line_says_step_n_of_m_elapsed_and_eta():
    line = console_line({"step": 25, "max_steps": 300, "loss": 3.25, "elapsed_s": 62.0, "eta_s": 3725.0})
    assert line == "step 25/300  loss 3.25  elapsed 1:02  eta 1:02:05"


def test_a_run_draws_its_curves_and_generate_samples_from_its_checkpoint(sample_corpus, tmp_path, capsys):
    out = tmp_path / "run"
    assert run([*common(sample_corpus, out), "--max_steps=4", "--eval_interval=2"]) == 0
    assert (out / "loss.png").read_bytes().startswith(b"\x89PNG")
    assert "step</th><td>3 of 4" in (out / "summary.html").read_text()
    capsys.readouterr()
    argv = ["generate", f"--out_dir={out}", "--prompt=The city council", "--max_new_tokens=8", "--device=cpu"]
    assert run(argv) == 0
    first = capsys.readouterr().out
    assert first.startswith("The city council") and len(first) > len("The city council")
    assert run(argv) == 0 and capsys.readouterr().out == first  # seeded: the same text again
    one_line_error(capsys, ["generate", f"--out_dir={tmp_path / 'none'}"], "holds no checkpoint")
