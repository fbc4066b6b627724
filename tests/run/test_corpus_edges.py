"""Never lose a corpus, round two: the edges an operator or an attacker reaches. Each test names the
scenario it reproduces; the previous corpus in --out must come out of each untouched (or whole)."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLE_FLAGS
from helpers.corpus_files import files, snapshot
from helpers.runs import webtext
from webtext.cli.main import run
from webtext.run.out_lock import lock_path
from webtext.tokenize.verify import verify_corpus

NO_REPORT = [*SAMPLE_FLAGS, "--no_report"]


@pytest.fixture
def previous(sample_corpus, tmp_path) -> Path:
    """A whole corpus (the sample's, with its report and card) in a folder of the test's own."""
    out = tmp_path / "out"
    shutil.copytree(sample_corpus, out)
    return out


def one_line(text: str) -> str:
    assert text.count("\n") == 1, text
    return text


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_run_that_keeps_nothing_fails_and_leaves_the_previous_corpus(previous, tmp_path, capsys, workers):
    """A live crawl whose every link is refused (loopback, no --allow_origin: as with the network down):
    exit 1, one line naming the stage that dropped everything and why, the previous corpus as it was."""
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(f"http://127.0.0.1:9/page-{i}\n" for i in range(5)))
    before = snapshot(previous)
    capsys.readouterr()
    assert run(["corpus", "--urls", str(urls), "--fetch", "live", "--out", str(previous), "--quiet",
                "--workers", workers]) == 1
    err = one_line(capsys.readouterr().err)
    assert "kept no document: fetch dropped all 5 records (ssrf 5)" in err, err
    assert f"{previous} is unchanged" in err
    assert snapshot(previous) == before
    assert verify_corpus(str(previous)) == []


def test_card_and_report_of_a_tiny_corpus_do_not_crash():
    """A corpus whose stats have no quantiles (nothing to measure) still gets a card: dashes, no KeyError."""
    from webtext.report.card import _contents

    stats = {"length_quantiles": {}, "karma_quantiles": {}, "top_domains": [], "top_subreddits": [],
             "sources": {}, "languages": {}}
    table = "\n".join(_contents(stats))
    assert "| GPT-2 tokens | – | – | – | – | – | – |" in table


def test_out_without_a_slash_is_built_and_rebuilt(tmp_path, monkeypatch):
    """`--out out`, as a new user writes it: the swap's journal is `out.swap.json` in the current folder."""
    monkeypatch.chdir(tmp_path)
    assert run(["corpus", *NO_REPORT, "--out", "out"]) == 0
    assert run(["corpus", *NO_REPORT, "--out", "out", "--docs_per_shard", "5"]) == 0
    assert verify_corpus("out") == []
    assert not os.path.exists("out.staging") and not os.path.exists("out.swap.json")


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder"])
def test_a_lock_path_that_is_not_a_plain_file_is_refused_never_written_through(
        previous, tmp_path, capsys, kind):
    """A `corpus.lock` shipped beside a downloaded corpus, pointing at a file of the user's: `verify` must
    not truncate it. A FIFO or a folder there: refused too, with one line."""
    victim = tmp_path / "precious.txt"
    victim.write_text("the user's own file\n")
    lock = Path(f"{previous}.lock")
    if kind == "symlink":
        lock.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    capsys.readouterr()
    assert run(["verify", str(previous)]) == 2
    err = one_line(capsys.readouterr().err)
    assert "not a plain file" in err and str(lock) in err
    assert victim.read_text() == "the user's own file\n"
    assert run(["card", str(previous)]) == 2


def _holder(out: Path) -> subprocess.Popen:
    """Another process holding `out`'s lock, as a run does from its first step to its last."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom webtext.run.out_lock import owning\n"
         "with owning(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)\n", str(out)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    return holder


def test_the_lock_is_keyed_by_the_real_path_of_out(previous, tmp_path, capsys):
    """A run through a symlink to OUT, while another owns OUT: refused, not a second writer."""
    link = tmp_path / "link"
    link.symlink_to(previous)
    assert lock_path(str(link)) == lock_path(str(previous)) == lock_path(f"{previous}/")
    holder = _holder(previous)
    try:
        capsys.readouterr()
        assert run(["corpus", *NO_REPORT, "--out", str(link)]) == 2
        assert "in use by process" in one_line(capsys.readouterr().err)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", ["card", "report"])
def test_card_and_report_wait_for_no_run_they_are_refused_while_one_owns_the_corpus(
        previous, capsys, command):
    """`card` or `report` across a run's swap would write the previous corpus's card into the new one."""
    before = snapshot(previous)
    holder = _holder(previous)
    try:
        capsys.readouterr()
        assert run([command, str(previous)]) == 2
        assert "in use by process" in one_line(capsys.readouterr().err)
    finally:
        holder.kill()
        holder.wait()
    assert snapshot(previous) == before


@pytest.mark.parametrize("workers", ["0", "1"])
@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_an_input_that_is_not_a_regular_file_is_refused_with_one_line(tmp_path, capsys, workers, kind):
    """`--input /dev/zero` was hashed forever; a FIFO drained by the fingerprint, then the worker blocked."""
    if kind == "device":
        path = "/dev/zero"
    else:
        path = str(tmp_path / "fifo.jsonl")
        os.mkfifo(path)
    capsys.readouterr()
    assert run(["corpus", "--input", path, "--out", str(tmp_path / "out"), "--quiet",
                "--workers", workers]) == 2
    err = one_line(capsys.readouterr().err)
    assert f"{path} is not a regular file" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_card_escapes_every_string_it_takes_from_the_corpus():
    """Subreddit names, domains and URLs come from strangers: no raw HTML or Markdown reaches the card."""
    from webtext.report.markdown import md_text

    hostile = '<img src=x onerror=alert(1)> <script>alert(2)</script> [link](javascript:x) a|b *em*'
    escaped = md_text(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert "](" not in escaped and "|" not in escaped.replace("\\|", "")
    assert md_text("line\nbreak\x1b[31m") == "line\\\\x0abreak\\\\x1b\\[31m"


def test_leftovers_of_a_failed_run_are_never_promoted_with_the_next(sample_corpus, tmp_path):
    """A run that failed (or was killed) before its swap leaves shards in OUT.staging; the rerun resumes that
    folder and writes its own: only the shards its manifest lists reach OUT, and `verify` finds strays."""
    out = tmp_path / "out"
    killed = webtext("corpus", *NO_REPORT, "--out", str(out), "--workers", "1",
                     env={"WEBTEXT_KILL_AT": "before-swap"})
    killed.communicate(timeout=180)
    staging = Path(f"{out}.staging")
    for folder, ending in (("tokens", "arrow"), ("text", "parquet")):
        first = sorted((staging / folder).glob(f"train-*.{ending}"))[0]
        shutil.copy(first, staging / folder / f"train-99999.{ending}")  # the failed run's extra shard
    assert run(["corpus", *NO_REPORT, "--out", str(out), "--workers", "1"]) == 0
    assert files(out) == files(sample_corpus)  # exactly the manifest's shards
    assert verify_corpus(str(out)) == []
    shutil.copy(sorted((out / "text").glob("train-*"))[0], out / "text" / "train-00007.parquet")
    assert verify_corpus(str(out)) == ["text/train-00007.parquet: not in the manifest (a stray file: a "
                                       "reader that globs text/ would read it as part of the corpus)"]


@pytest.mark.parametrize("point", ["swap-in-text", "swap-in-README.md", "swap-aside-links"])
def test_a_swap_killed_then_its_staging_deleted_brings_the_previous_corpus_back_whole(previous, point):
    """Killed while the new corpus moved in (or the old one out), then OUT.staging deleted as the messages
    say to: the previous corpus comes back whole, never the new shards under the old manifest."""
    before = snapshot(previous)
    killed = webtext("corpus", *NO_REPORT, "--out", str(previous), "--docs_per_shard", "5",
                     env={"WEBTEXT_KILL_AT": point})
    killed.communicate(timeout=180)
    assert killed.returncode == -9
    shutil.rmtree(f"{previous}.staging")
    for _ in range(50):  # the killed run's last worker lets go of the lock as it dies
        if (code := run(["verify", str(previous)])) != 2:
            break
    assert code == 0
    after = {name: data for name, data in snapshot(previous).items() if not name.startswith("_work/")}
    assert after == {name: data for name, data in before.items() if not name.startswith("_work/")}
    assert not os.path.exists(f"{previous}.previous") and not os.path.exists(f"{previous}.swap.json")


@pytest.fixture
def small_disk(tmp_path):
    """A real filesystem that fills up: an 8 MiB tmpfs (root only; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int = 0) -> None:
    """Write a filler file until the disk has at most `leave` bytes free."""
    with open(disk / "filler", "ab") as out:
        try:
            while (free := shutil.disk_usage(disk).free) > leave:
                out.write(b"\0" * min(1 << 16, max(free - leave, 4096)))
                out.flush()
        except OSError:
            pass


def _copy_of(sample_corpus: Path, disk: Path) -> Path:
    out = disk / "out"
    shutil.copytree(sample_corpus, out)
    return out


@pytest.mark.parametrize("workers", ["0", "1"])
def test_a_full_disk_during_the_run_names_enospc_and_keeps_the_previous_corpus(
        sample_corpus, small_disk, capsys, workers):
    """The units engine's SQLite index, a shard written by a Beam DoFn: either way ENOSPC, exit 1."""
    out = _copy_of(sample_corpus, small_disk)
    before = snapshot(out)
    _fill(small_disk, leave=64 << 10)
    capsys.readouterr()
    assert run(["corpus", *NO_REPORT, "--out", str(out), "--docs_per_shard", "5", "--workers", workers]) == 1
    err = one_line(capsys.readouterr().err)
    assert "No space left on device (ENOSPC)" in err and "bug" not in err, err
    assert f"{out} is unchanged" in err or f"the previous corpus in {out} is in place" in err, err
    assert snapshot(out) == before
    assert verify_corpus(str(out)) == []


def test_a_full_disk_at_the_swaps_journal_puts_the_previous_corpus_back(sample_corpus, small_disk, tmp_path):
    """The disk fills while the previous corpus is moved aside: the journal's next write fails, and the
    swap is undone with renames (exit 1, ENOSPC named, the previous corpus in place), never exit 2 with
    OUT empty."""
    out = _copy_of(sample_corpus, small_disk)
    before = snapshot(out)
    go_on = tmp_path / "go-on"
    held = webtext("corpus", *NO_REPORT, "--out", str(out), "--docs_per_shard", "5", "--workers", "1",
                   env={"WEBTEXT_HOLD_AT": "swap-aside-tokens", "WEBTEXT_HOLD_UNTIL": str(go_on)})
    journal = Path(f"{out}.swap.json")
    for _ in range(1200):
        if journal.exists() or held.poll() is not None:
            break
        time.sleep(0.05)
    assert journal.exists(), held.communicate()
    _fill(small_disk)
    go_on.touch()
    _, err = held.communicate(timeout=120)
    assert held.returncode == 1, err
    assert "No space left on device (ENOSPC)" in err and f"the previous corpus is in place in {out}" in err
    assert snapshot(out) == before
    assert not journal.exists() and not os.path.exists(f"{out}.previous")
    assert verify_corpus(str(out)) == []


def test_a_corpus_whose_swap_was_cut_off_is_named_so_by_its_readers(previous, capsys):
    """A swap cut off in its "aside" phase (OUT has no manifest yet): `show` and `export` point at
    `verify`, which finishes it, rather than saying there is no corpus."""
    journal = Path(f"{previous}.swap.json")
    Path(f"{previous}.previous").mkdir()
    (previous / "manifest.json").rename(Path(f"{previous}.previous") / "manifest.json")
    journal.write_text('{"phase": "aside"}')
    capsys.readouterr()
    assert run(["show", str(previous)]) == 2
    assert f"`webtext verify {previous}` finishes it" in one_line(capsys.readouterr().err)
    assert run(["verify", str(previous)]) == 0
    assert not journal.exists() and verify_corpus(str(previous)) == []


def test_a_rerun_right_after_a_kill_waits_for_the_killed_runs_dying_workers(tmp_path, sample_corpus):
    """A killed run's workers die with it a moment later, holding their inherited copy of the lock till
    then: a rerun started in that moment waits for them rather than be refused (it was, now and then)."""
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import os, sys, time\nfrom webtext.run.out_lock import owning\n"
         "with owning(sys.argv[1]):\n    if os.fork() == 0:\n        time.sleep(1.5)\n        os._exit(0)\n"
         "    print('held', flush=True)\n    time.sleep(60)\n", str(out)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    holder.kill()  # the run; its "worker" (the forked child) still holds the lock for a moment
    holder.wait()
    started = time.monotonic()
    assert run(["corpus", *NO_REPORT, "--out", str(out)]) == 0
    assert time.monotonic() - started < 60
    assert files(out) == files(sample_corpus)
