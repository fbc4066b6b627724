"""Kill a live crawl part-way (SIGKILL), run it again: every page fetched before the kill was kept (the
WARC records are written page by page), the rerun fetches only what its WARC files lack, and the shards
equal those of an uninterrupted run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from helpers.loopback_server import Handler, loopback_server
from webtext.cli.main import run
from webtext.shards.reader import read_manifest

PAGES = 24
FLAGS = ["--fetch", "live", "--delay_s", "0", "--quiet", "--warc_pages_per_file", "4",
         "--min_words", "20", "--no_report"]


def archived_uris(out: Path) -> list[str]:
    """The responses in the complete WARC files and in the partial ones (up to their cut-off end)."""
    uris = []
    for path in list((out / "warc").glob("crawl-*.warc.gz")) + list((out / "warc").glob(".partial-crawl-*")):
        with open(path, "rb") as stream:
            try:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response":
                        uris.append(record.rec_headers.get_header("WARC-Target-URI"))
            except Exception:  # the record the kill cut off
                pass
    return uris


def shards(out: Path) -> list[str]:
    return [s["tokens_sha256"] for s in read_manifest(str(out))["shards"]]


def test_sigkill_then_rerun(tmp_path: Path):
    with loopback_server() as base:
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(f"{base}/slow/{i}\n" for i in range(PAGES)))
        flags = [*FLAGS, "--allow_origin", base]
        assert run(["corpus", "--urls", str(urls), "--out", str(tmp_path / "whole"), *flags]) == 0
        hits_whole = dict(Handler.hits)

        out = tmp_path / "killed"
        crawl = subprocess.Popen(
            [sys.executable, "-m", "webtext", "corpus", "--urls", str(urls), "--out", str(out), *flags],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while len(archived_uris(out)) < 6 and time.monotonic() < deadline:
            assert crawl.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.05)
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(10)
        assert not (out / "manifest.json").exists()
        hits_before = {f"/slow/{i}": Handler.hits.get(f"/slow/{i}", 0) for i in range(PAGES)}
        served = {path for path, n in hits_before.items() if n > hits_whole.get(path, 0)}
        archived = {urlsplit(uri).path for uri in archived_uris(out)}

        assert run(["corpus", "--urls", str(urls), "--out", str(out), *flags]) == 0
        refetched = [p for p, n in hits_before.items() if Handler.hits.get(p, 0) > n]

    # One host is fetched one page at a time: of the pages it had served, at most the last was not yet
    # written.
    assert len(archived) >= 6 and len(served - archived) <= 1
    # nothing archived was fetched again
    assert set(refetched) == {f"/slow/{i}" for i in range(PAGES)} - archived
    assert shards(out) == shards(tmp_path / "whole")
    counts = ("in", "kept", "dropped")  # kept_by differs: the rerun replays what the killed run had fetched
    again, whole = read_manifest(str(out))["stages"], read_manifest(str(tmp_path / "whole"))["stages"]
    assert {k: [v[c] for c in counts] for k, v in again.items()} == {
        k: [v[c] for c in counts] for k, v in whole.items()
    }
    assert again["fetch"]["kept_by"]["replayed_live"] == len(archived)
