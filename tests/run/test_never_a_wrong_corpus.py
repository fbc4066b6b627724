"""A run in units never swaps in a corpus it cannot prove, and never loses the one that was there: one owner
per --out, a swap a kill cannot break, units taken up only when made from the same inputs, settings and code
and still matching their checksums, counts that must add up across stages."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLE_FLAGS
from helpers.corpus_files import files, manifest, snapshot
from helpers.runs import webtext
from webtext.cli.main import run
from webtext.run.staging import staging_dir
from webtext.tokenize.verify import verify_corpus

NO_REPORT = [*SAMPLE_FLAGS, "--no_report"]


def verified(out: Path) -> int:
    """`webtext verify OUT`, once the killed run's last worker has let go of --out (its death signal)."""
    for _ in range(50):
        code = run(["verify", str(out)])
        if code != 2:
            return code
        time.sleep(0.1)
    return code


def test_a_second_run_on_the_same_out_is_refused_at_once_naming_the_first(sample_corpus, tmp_path):
    out, go_on = tmp_path / "out", tmp_path / "go-on"
    first = webtext("corpus", *NO_REPORT, "--out", str(out), "--workers", "1",
                    env={"WEBTEXT_HOLD_AT": "before-swap", "WEBTEXT_HOLD_UNTIL": str(go_on)})
    deadline = time.monotonic() + 60
    while not os.path.exists(f"{out}.lock") or not open(f"{out}.lock").read():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    second = webtext("corpus", *NO_REPORT, "--out", str(out), "--docs_per_shard", "5")
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2
    assert err.count("\n") == 1 and f"in use by process {first.pid}" in err, err
    go_on.touch()
    assert first.wait(120) == 0, first.stderr.read()
    assert files(out) == files(sample_corpus)  # the first run's corpus, not a mixture
    assert verify_corpus(str(out)) == []


def test_the_lock_of_a_killed_run_is_taken_over(sample_corpus, tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom webtext.run.out_lock import owning\n"
            "with owning(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)\n",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "held\n"
    assert run(["corpus", *NO_REPORT, "--out", str(out)]) == 2  # held by a live process: refused
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert run(["corpus", *NO_REPORT, "--out", str(out)]) == 0  # its holder is gone: taken over
    assert files(out) == files(sample_corpus)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> tuple[Path, dict, dict]:
    """A corpus (docs_per_shard 8), and the snapshots of it and of the one a rerun with 5 makes."""
    root = tmp_path_factory.mktemp("swap")
    new = root / "new"
    assert run(["corpus", *NO_REPORT, "--out", str(new), "--docs_per_shard", "5"]) == 0
    old = root / "old"
    assert run(["corpus", *NO_REPORT, "--out", str(old)]) == 0
    return old, snapshot(old), snapshot(new)


def _without_work(files_: dict) -> dict:
    """A corpus's files less the run's own notes (_work/) and the manifest's record of its --out."""
    kept = {name: data for name, data in files_.items() if not name.startswith("_work/")}
    if "manifest.json" in kept:
        recorded = json.loads(kept["manifest.json"])
        recorded["config"].pop("out")
        recorded.pop("command", None)  # names --out too
        kept["manifest.json"] = recorded
    return kept


@pytest.mark.parametrize("point", ["swap-aside-text", "swap-in-manifest.json", "swap-clean"])
def test_a_kill_anywhere_in_the_swap_leaves_a_corpus_that_verify_or_the_next_run_makes_whole(
    corpora, tmp_path, point
):
    template, old, new = corpora
    out = tmp_path / "out"
    shutil.copytree(template, out)
    killed = webtext("corpus", *NO_REPORT, "--out", str(out), "--docs_per_shard", "5",
                     env={"WEBTEXT_KILL_AT": point})
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert verified(out) == 0
    after = _without_work(snapshot(out))
    assert after in (_without_work(old), _without_work(new))  # one of them, whole
    assert after == _without_work(new)  # the swap had begun with the new corpus verified: it is finished
    assert not os.path.exists(f"{out}.previous") and not os.path.exists(f"{out}.swap.json")


def test_a_kill_before_the_swap_leaves_the_previous_corpus_and_the_next_run_ends_whole(corpora, tmp_path):
    template, old, new = corpora
    out = tmp_path / "out"
    shutil.copytree(template, out)
    killed = webtext("corpus", *NO_REPORT, "--out", str(out), "--docs_per_shard", "5",
                     env={"WEBTEXT_KILL_AT": "before-swap"})
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert snapshot(out) == old
    assert run(["corpus", *NO_REPORT, "--out", str(out), "--docs_per_shard", "5"]) == 0
    assert _without_work(snapshot(out)) == _without_work(new)


def _killed_before_the_swap(out: Path) -> Path:
    """A run killed with every unit done: its staging directory's units, for a rerun to take up."""
    killed = webtext("corpus", *NO_REPORT, "--out", str(out), "--workers", "1", "--unit_links", "4",
                     env={"WEBTEXT_KILL_AT": "before-swap"})
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    return Path(staging_dir(str(out))) / "_units"


def _cut_last_record(path: Path) -> None:
    """The file cut at a record boundary: its last pickle gone, the rest whole."""
    import pickle

    with open(path, "rb") as stream:
        ends = []
        while True:
            try:
                pickle.load(stream)
            except EOFError:
                break
            ends.append(stream.tell())
    assert len(ends) >= 2
    os.truncate(path, ends[-2])


def test_damaged_units_are_redone_never_trusted(sample_corpus, tmp_path):
    out = tmp_path / "out"
    units = _killed_before_the_swap(out)
    fetched = sorted(p for p in (units / "fetched").iterdir())
    with_docs = [u for u in fetched if (u / "docs.pickle").stat().st_size > 2000]
    _cut_last_record(with_docs[0] / "docs.pickle")  # a document lost
    _cut_last_record(with_docs[1] / "signed.pickle")  # a duplicate kept
    pieces = next((units / "pieces").iterdir()) / "pieces.arrow"
    data = bytearray(pieces.read_bytes())
    data[len(data) // 2] ^= 0x01  # a flipped byte of text or tokens
    pieces.write_bytes(bytes(data))
    index = units / "warc.sqlite"
    data = bytearray(index.read_bytes())
    data[len(data) // 2] ^= 0x01
    index.write_bytes(bytes(data))
    (units / "fetched" / "p00000-c00000.partial-999999").mkdir()  # a killed worker's unit, begun
    assert run(["corpus", *NO_REPORT, "--out", str(out), "--workers", "1", "--unit_links", "4"]) == 0
    run_info = json.loads((out / "_work" / "run.json").read_text())
    assert set(run_info["redone"]) == {with_docs[0].name, with_docs[1].name, pieces.parent.name}
    assert run_info["done_before"]["fetch"] == len(fetched) - 2
    assert files(out) == files(sample_corpus)
    assert manifest(out)["stages"] == manifest(sample_corpus)["stages"]


def test_units_that_recorded_exceptions_are_redone(tmp_path, caplog):
    """A unit whose tally holds <stage>_error drops (perhaps a bug since fixed) is done again by the rerun."""
    from webtext.engines.units import pool, unit_dir
    from webtext.records import Drop

    finals = []
    for name, reason in (("p00000-c00000", "extract_error"), ("p00000-c00001", "extract_empty")):
        partial = unit_dir.fresh_unit_dir(str(tmp_path / name))
        tally = unit_dir.Tally(partial)
        tally.drop(Drop("extract", reason, "https://example.com/" + name))
        unit_dir.finish_unit(tally, partial, str(tmp_path / name))
        finals.append(str(tmp_path / name))
    done, redone = pool._units_to_take_up("fetch units", finals)
    assert done == [finals[1]] and redone == ["p00000-c00000"]
    assert not os.path.exists(finals[0])
    assert "exception drop" in caplog.text


def test_a_same_size_rewrite_with_its_mtime_put_back_is_another_input(tmp_path, caplog):
    from webtext.engines.config import CorpusConfig
    from webtext.run.fingerprint import run_fingerprint
    from webtext.run.staging import recover

    dump, evalset = tmp_path / "RS.jsonl", tmp_path / "eval.jsonl"
    dump.write_text('{"id": "a"}\n')
    evalset.write_text('{"text": "one two three"}\n')
    config = CorpusConfig.from_flags(
        inputs=(str(dump),),
        fetch="replay",
        warc=("x.warc.gz",),
        out=str(tmp_path / "o"),
        decontaminate=(f"e={evalset}",),
    )
    before = run_fingerprint(config, [str(dump)], 256)
    assert run_fingerprint(config, [str(dump)], 256) == before
    stat = dump.stat()
    dump.write_text('{"id": "b"}\n')
    os.utime(dump, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert dump.stat().st_size == stat.st_size and dump.stat().st_mtime_ns == stat.st_mtime_ns
    rewritten = run_fingerprint(config, [str(dump)], 256)
    assert rewritten != before
    out = str(tmp_path / "o")
    assert recover(out, before) is False
    assert recover(out, rewritten) is False  # discarded, saying why
    assert f"inputs changed: {dump}" in caplog.text
    evalset.write_text('{"text": "one two four"}\n')  # an edited eval set is another run too
    assert run_fingerprint(config, [str(dump)], 256) != rewritten


def test_the_fingerprint_holds_the_code():
    from webtext.run.fingerprint import code_identity

    code = code_identity()
    assert len(code["source_sha256"]) == 64 and code["versions"]["trafilatura"] != "not installed"


def test_a_chain_of_counts_that_breaks_between_stages_is_named():
    from webtext.run.accounting import account_problems, accounting_from_counts

    counts = [(("links", "in"), 10), (("links", "kept"), 8), (("links", "dropped:wikipedia"), 2),
              (("fetch", "in"), 7), (("fetch", "kept"), 7), (("extract", "in"), 7), (("extract", "kept"), 6)]
    problems = account_problems(accounting_from_counts(counts))
    assert "links kept 8 but fetch read 7" in problems
    assert "extract: in 7 != kept 6 + dropped 0" in problems
    assert not [p for p in problems if p.startswith("select kept")]  # submissions regroup into links


def test_the_extraction_child_dies_with_its_worker(tmp_path):
    """A worker killed mid-page (here: a call that sleeps a minute) takes its extraction child with it."""
    worker = subprocess.Popen([sys.executable, "-c",
                               "from webtext.extract.sandbox import SandboxedCall\n"
                               "call = SandboxedCall('time:sleep', 120, die_with_parent=True)\n"
                               "call.start(); print(call.pid(), flush=True); call(60)\n"],
                              stdout=subprocess.PIPE, text=True)
    child = int(worker.stdout.readline())
    time.sleep(0.5)  # the child is in the call
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 2
    while os.path.exists(f"/proc/{child}") and time.monotonic() < deadline:
        try:
            os.waitpid(child, os.WNOHANG)  # not ours: only a zombie of another parent would stay
        except ChildProcessError:
            pass
        time.sleep(0.05)
    state = (
        open(f"/proc/{child}/stat").read().split(")")[1].split()[0]
        if os.path.exists(f"/proc/{child}")
        else "gone"
    )
    assert state in ("gone", "Z")


def test_a_killed_writers_temporary_files_are_swept_and_a_live_ones_kept(tmp_path):
    from webtext.atomic import remove_dead_writers_temporaries

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that is gone
    (tmp_path / "tokens").mkdir()
    gone = tmp_path / "tokens" / f".tmp-train-00000-of-00001.arrow-{dead.pid}-0123456789ab"
    live = tmp_path / "tokens" / f".tmp-train-00001-of-00001.arrow-{os.getpid()}-0123456789ab"
    older = tmp_path / ".tmp-manifest.json"  # an earlier version's one temporary name
    for path in (gone, live, older):
        path.write_bytes(b"half a file")
    remove_dead_writers_temporaries(str(tmp_path))
    assert not gone.exists() and not older.exists() and live.exists()
