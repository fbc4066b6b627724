"""The whole `webtext corpus --fetch live` over the hostile loopback web: it completes (exit 0), its
manifest balances, its memory stays bounded, and every URL ends with the outcome the catalogue (and the
README's list of reasons) gives it."""

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from helpers.hostile_web import CATALOGUE, hostile_web
from helpers.peak_memory import TreePeak

FLAGS = [
    "--fetch",
    "live",
    "--delay_s",
    "0",
    "--timeout_s",
    "2",
    "--retries",
    "1",
    "--max_retry_after_s",
    "5",
    "--max_body_bytes",
    "2500000",
    "--extract_timeout_s",
    "20",
    "--min_words",
    "64",
    "--no_report",
    "--quiet",
]


def outcomes(out: Path) -> dict[str, str]:
    """Each URL's end: its fetch drop reason, "extract" or "filter" for a later drop, else "fetched".
    (A drop names the link by its canonical URL, whose scheme may differ: matched by path.)"""
    ends = {}
    for path in (out / "rejects").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            drop = json.loads(line)
            if drop["stage"] in ("fetch", "extract", "filter"):
                ends[urlsplit(drop["item"]).path] = (
                    drop["reason"] if drop["stage"] == "fetch" else drop["stage"]
                )
    return {path: ends.get(path, "fetched") for path in CATALOGUE}


def test_a_live_crawl_of_the_hostile_web_completes_with_every_outcome(tmp_path):
    out = tmp_path / "out"
    with hostile_web() as base:
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(base + path + "\n" for path in CATALOGUE))
        logs = tmp_path / "stderr.txt"
        with open(logs, "w") as stderr:
            command = subprocess.Popen(
                [sys.executable, "-m", "webtext", "corpus", "--urls", str(urls), "--out", str(out),
                 "--allow_origin", base, *FLAGS],
                stdout=subprocess.DEVNULL, stderr=stderr)
            # this run's own peak, its workers' included (peak_memory.py: why not getrusage)
            with TreePeak(command.pid) as peak:
                command.wait(timeout=600)
    assert command.returncode == 0, logs.read_text()[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert all(stage["balanced"] for stage in manifest["stages"].values())
    assert manifest["stages"]["fetch"]["in"] == len(CATALOGUE)
    assert outcomes(out) == {path: outcome for path, (_, outcome) in CATALOGUE.items()}
    assert 0 < peak.mib < 2048, peak.mib
