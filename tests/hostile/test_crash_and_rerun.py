"""Kill a live crawl part-way (SIGKILL), run it again: it fetches only what its WARC files lack, and
the shards equal those of an uninterrupted run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from helpers.loopback_server import Handler, loopback_server
from webtext.pipeline.cli import run
from webtext.tokenize.reader import read_manifest

PAGES = 24
FLAGS = ["--fetch", "live", "--delay_s", "0", "--quiet", "--allow_loopback", "--warc_pages_per_file", "4",
         "--min_words", "20", "--no_report"]


def archived_uris(out: Path) -> list[str]:
    uris = []
    for path in (out / "warc").glob("crawl-*.warc.gz"):
        with open(path, "rb") as stream:
            uris += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                     if r.rec_type == "response"]
    return uris


def shards(out: Path) -> list[str]:
    return [s["tokens_sha256"] for s in read_manifest(str(out))["shards"]]


def test_sigkill_then_rerun(tmp_path: Path):
    with loopback_server() as base:
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(f"{base}/slow/{i}\n" for i in range(PAGES)))
        assert run(["corpus", "--urls", str(urls), "--out", str(tmp_path / "whole"), *FLAGS]) == 0

        out = tmp_path / "killed"
        crawl = subprocess.Popen([sys.executable, "-m", "webtext", "corpus", "--urls", str(urls), "--out", str(out),
                                  *FLAGS], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(list((out / "warc").glob("crawl-*.warc.gz"))) < 2 and time.monotonic() < deadline:
            assert crawl.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.05)
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(10)
        assert not (out / "manifest.json").exists()
        archived = {urlsplit(uri).path for uri in archived_uris(out)}
        hits_before = {f"/slow/{i}": Handler.hits.get(f"/slow/{i}", 0) for i in range(PAGES)}

        assert run(["corpus", "--urls", str(urls), "--out", str(out), *FLAGS]) == 0
        refetched = [p for p, n in hits_before.items() if Handler.hits.get(p, 0) > n]

    assert len(archived) >= 8  # at least two whole files of four pages survived the kill
    assert set(refetched) == {f"/slow/{i}" for i in range(PAGES)} - archived  # nothing archived was fetched again
    assert shards(out) == shards(tmp_path / "whole")
    assert read_manifest(str(out))["stages"] == read_manifest(str(tmp_path / "whole"))["stages"]
