"""A rerun into an existing corpus that is interrupted, at any moment, leaves that corpus as it was."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from webtext.cli.main import run
from webtext.run.staging import previous_dir, promote, recover, staging_dir
from webtext.tokenize.verify import verify_corpus

SAMPLE = ["corpus", "--sample", "--val_fraction", "0.2", "--docs_per_shard", "8", "--quiet"]


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rerun") / "out"
    assert run([*SAMPLE, "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("after_s", [0.5, 3.0, 6.0])
def test_sigint_during_a_rerun_leaves_the_previous_corpus_intact(corpus, after_s):
    before = snapshot(corpus)
    rerun = subprocess.Popen([sys.executable, "-m", "webtext", *SAMPLE, "--docs_per_shard", "5", "--out",
                              str(corpus)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             # a shell's background job would start with SIGINT ignored: as a terminal's
                             # Ctrl-C
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(after_s)
    rerun.send_signal(signal.SIGINT)
    _, err = rerun.communicate(timeout=120)
    if rerun.returncode == 0 or "after the new corpus was in place" in err:  # the new corpus must be whole
        assert rerun.returncode in (0, 130)
        assert verify_corpus(str(corpus)) == []
        assert run([*SAMPLE, "--out", str(corpus)]) == 0  # back to the fixture's corpus for the next case
        return
    assert rerun.returncode == 130 and "interrupted" in err and "Traceback" not in err, err[-2000:]
    assert snapshot(corpus) == before
    assert verify_corpus(str(corpus)) == []


def test_an_interrupted_swap_is_undone_or_finished_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    for name in ("tokens", "text"):
        (out / name).mkdir(parents=True)
        (out / name / "a").write_text(f"old {name}")
    (out / "manifest.json").write_text("old")
    staging = Path(staging_dir(str(out)))
    (staging / "tokens").mkdir(parents=True)
    (staging / "tokens" / "a").write_text("new tokens")
    (staging / "manifest.json").write_text("new")
    # Cut off after the previous corpus moved aside, before the new one moved in.
    previous = Path(previous_dir(str(out)))
    previous.mkdir()
    for name in ("manifest.json", "tokens", "text"):
        os.rename(out / name, previous / name)
    recover(str(out))
    assert snapshot(out) == {"manifest.json": b"old", "text/a": b"old text", "tokens/a": b"old tokens"}
    assert not previous.exists() and not staging.exists()
    # A swap that completed but did not clean up: the new corpus stays.
    (staging / "tokens").mkdir(parents=True)
    (staging / "tokens" / "a").write_text("new tokens")
    (staging / "manifest.json").write_text("new")
    promote(str(out))
    assert snapshot(out) == {"manifest.json": b"new", "tokens/a": b"new tokens"}
    previous.mkdir()
    recover(str(out))
    assert not previous.exists() and snapshot(out)["manifest.json"] == b"new"


def _session_processes(session: int) -> list[int]:
    """The processes still alive (not zombies) in a session."""
    alive = []
    for entry in os.listdir("/proc"):
        try:
            fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except (OSError, ValueError, IndexError):
            continue
        if entry.isdigit() and int(fields[3]) == session and fields[0] != "Z":
            alive.append(int(entry))
    return alive


def test_a_terminals_ctrl_c_is_quiet_and_leaves_no_process_behind(tmp_path):
    """Ctrl-C in a terminal reaches the whole process group: the launcher, its workers and their extraction
    children. One message, exit 130, no traceback from any of them, and none of them left once it exits."""
    out = tmp_path / "out"
    run_ = subprocess.Popen([sys.executable, "-m", "webtext", *SAMPLE, "--out", str(out), "--workers", "2",
                             "--unit_links", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(Path(f"{out}.staging/_units").glob("fetched/*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # the fetch units have begun: workers and extraction children are all up
    os.killpg(run_.pid, signal.SIGINT)
    _, err = run_.communicate(timeout=60)
    assert run_.returncode == 130, err[-2000:]
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("webtext: interrupted"), err[
        -3000:
    ]
    deadline = time.monotonic() + 0.5  # an extraction child killed with its worker may take a moment to end
    while _session_processes(run_.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _session_processes(run_.pid) == []
