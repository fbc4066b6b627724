"""`webtext corpus --workers N`: the stages unit by unit in N local processes (that they give the one Beam
pipeline's corpus, byte for byte, is test_conformance.py's); a run killed part-way, run again, takes up the
units it finished and redoes none."""

import glob
import json
import os
import signal
import subprocess
import sys
import time

from conftest import SAMPLE_FLAGS
from helpers.corpus_files import files, lines, manifest
from webtext.cli.main import run


def test_the_default_is_every_usable_core_for_a_local_corpus_and_one_pipeline_otherwise():
    from webtext.engines.config import CorpusConfig
    from webtext.engines.table import default_workers

    replayed = CorpusConfig.from_flags(inputs=("RS.zst",), fetch="replay", warc=("a.warc.gz",), out="out")
    assert default_workers(replayed, []) == len(os.sched_getaffinity(0))
    assert default_workers(replayed, ["--runner=DataflowRunner"]) == 0  # Beam flags: the user means Beam
    crawl = CorpusConfig.from_flags(inputs=("RS.zst",), out="out")  # a live crawl runs in units too
    assert default_workers(crawl, []) == len(os.sched_getaffinity(0))
    assert default_workers(CorpusConfig.from_flags(inputs=("RS.zst",), fetch="replay", warc=("a.warc.gz",),
                                                   out="gs://bucket/out"), []) == 0


def _finished_units(out) -> list[str]:
    return sorted(
        os.path.basename(d) for d in glob.glob(f"{out}.staging/_units/fetched/*") if ".partial" not in d
    )


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if text.encode() in cmdline.read() and int(entry) != os.getpid():
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def test_a_killed_run_resumes_its_finished_units_and_gives_the_same_bytes(sample_corpus, tmp_path):
    out = tmp_path / "out"
    command = ["corpus", *SAMPLE_FLAGS, "--out", str(out), "--workers", "1", "--unit_links", "4"]
    child = subprocess.Popen([sys.executable, "-m", "webtext", *command], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_finished_units(out)) < 2 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)  # the launching process alone: its worker must not outlive it
    child.wait()
    time.sleep(0.5)
    assert _processes_naming(str(out)) == []
    finished = _finished_units(out)
    assert 2 <= len(finished) < 9, finished
    assert not (out / "manifest.json").exists()

    assert run(command) == 0
    run_info = json.loads((out / "_work" / "run.json").read_text())
    # What this run did: its CPU seconds and memory per stage (the read and links units were done before).
    assert {row["stage"] for row in run_info["resources"]} >= {"extract", "filter", "dedup", "tokenize"}
    assert run_info["done_before"]["fetch"] == len(finished)
    assert not set(run_info["fetch_units_run"]) & set(finished)  # none redone...
    assert len(run_info["fetch_units_run"]) + len(finished) == run_info["units"] == 9  # ... and none left out
    assert files(out) == files(sample_corpus)
    assert manifest(out) == manifest(sample_corpus)
    assert not os.path.exists(f"{out}.staging")


def test_a_rerun_with_other_inputs_does_not_take_up_the_killed_runs_units(tmp_path):
    from webtext.run.staging import recover, staging_dir

    out = str(tmp_path / "out")
    assert recover(out, fingerprint="run A") is False  # a fresh staging directory, marked as run A's
    os.makedirs(f"{staging_dir(out)}/_units/fetched/p00000-c00000")
    assert recover(out, fingerprint="run A") is True  # the same run again: its units stay
    assert os.path.isdir(f"{staging_dir(out)}/_units/fetched/p00000-c00000")
    assert recover(out, fingerprint="run B") is False  # another run: nothing of A's is taken
    assert not os.path.exists(f"{staging_dir(out)}/_units/fetched")


def test_workers_refuse_a_remote_out_with_a_clear_message(tmp_path, capsys):
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.com/a\n")
    assert run(["corpus", "--urls", str(urls), "--out", "gs://bucket/out", "--workers", "2"]) == 2
    assert "--workers writes its units under a local --out" in capsys.readouterr().err


def test_tokenize_units_gather_consecutive_fetch_units_up_to_a_shards_worth_of_kept_documents():
    """About --docs_per_shard kept documents a tokenize unit (so a unit has a piece for most shards,
    not a file a document), or a 64th of the corpus if that is less (but at least a tokenizer batch);
    a fetch unit that kept none still belongs to one; none for no fetch unit."""
    from webtext.engines.units.launcher import _group_name, _tokenize_groups

    def fetch_units(kept: list[int]) -> tuple[list[str], dict[str, int]]:
        names = [f"p00000-c{i:05d}" for i in range(len(kept))]
        return [f"/run/fetched/{name}" for name in names], {n: k for n, k in zip(names, kept) if k}

    units, kept = fetch_units([8000] * 100)  # 800,000 documents: a 64th is more than a shard
    assert _tokenize_groups(units, kept, per_shard=10_000) == [units[i:i + 2] for i in range(0, 100, 2)]
    units, kept = fetch_units([1000] * 10)  # 10,000 documents: a tokenizer batch (2,048) a unit
    assert _tokenize_groups(units, kept, per_shard=10_000) == [units[0:3], units[3:6], units[6:9], units[9:]]
    units, kept = fetch_units([5, 0, 6, 0, 10, 0, 1])
    assert _tokenize_groups(units, kept, per_shard=10) == [units[0:3], units[3:5], units[5:7]]
    assert _tokenize_groups([], {}, per_shard=10) == []
    assert _group_name(units[3:5]) == "p00000-c00003--p00000-c00004"


def test_units_past_the_in_flight_bound_wait_their_turn_and_give_the_same_corpus(sample_corpus, tmp_path,
                                                                                monkeypatch):
    """Links two a fetch unit (17 units on the sample) with one unit in flight at a time: the launching
    process holds a bounded number of submissions, whatever the run's size; the corpus is the same bytes."""
    from webtext.engines.units import pool

    monkeypatch.setattr(pool, "IN_FLIGHT", 1)
    out = tmp_path / "out"
    assert run(["corpus", *SAMPLE_FLAGS, "--out", str(out), "--workers", "2", "--unit_links", "2",
                "--no_report", "--quiet"]) == 0
    assert json.loads((out / "_work" / "run.json").read_text())["units"] > 10
    assert files(out) == files(sample_corpus)
    assert manifest(out) == manifest(sample_corpus)
    assert lines(out, "rejects") == lines(sample_corpus, "rejects")
