"""Transient failures inside bundles: the runner retries them, and the corpus comes out the same.

Beam retries a failed bundle whole, so a stage must not leave duplicates or half files behind
from the failed attempt. The failures here are real I/O errors from a filesystem: `flaky://`
is the local filesystem registered with Beam under another scheme, except that the first
attempt at some writes fails (a shard's rename after its bytes were written, the first file
each rejects/links writer opens). The runner is Beam's BundleBasedDirectRunner, the local
runner that retries failed bundles (up to 4 attempts); the FnApiRunner does not retry.
"""

import json
import os
import shutil
import threading
from collections import Counter
from pathlib import Path

from apache_beam.io.filesystem import FileMetadata
from apache_beam.io.localfilesystem import LocalFileSystem

from conftest import SAMPLE_FLAGS
from helpers.loopback_server import loopback_server
from webtext.cli.main import run
from webtext.shards.reader import read_manifest

PREFIX = "flaky://"


def _local(path: str) -> str:
    return path[len(PREFIX):] if path.startswith(PREFIX) else path


class FlakyFileSystem(LocalFileSystem):
    """flaky:///x is /x, except that some writes fail on their first attempt (raise OSError).

    At most two failures hit one bundle (the runner gives a bundle 4 attempts).
    """

    armed = False
    failed: Counter = Counter()  # kind of write -> transient failures raised
    _seen: set = set()
    _lock = threading.Lock()

    @classmethod
    def scheme(cls):
        return "flaky"

    @classmethod
    def _fail_first(cls, kind: str, key: str) -> None:
        with cls._lock:
            if not cls.armed or key in cls._seen:
                return
            cls._seen.add(key)
            cls.failed[kind] += 1
        raise OSError(f"transient failure ({kind}) of {key}")

    def join(self, base, *paths):
        return PREFIX + super().join(_local(base), *paths)

    def split(self, path):
        head, tail = super().split(_local(path))
        return PREFIX + head, tail

    def _list(self, dir_or_prefix):  # Beam's own match() globs over this listing
        for root, _, files in os.walk(_local(dir_or_prefix)):
            for name in files:
                local = os.path.join(root, name)
                yield FileMetadata(PREFIX + local, os.path.getsize(local), os.path.getmtime(local))

    def create(self, path, *args, **kwargs):
        if "/beam-temp-" in path:  # a WriteToText bundle's own file: the first in each sink fails once
            self._fail_first("text_sink_create", path.rsplit("/", 1)[0])
        return super().create(_local(path), *args, **kwargs)

    def rename(self, sources, destinations):
        for destination in destinations:
            if "/warc/crawl-" in destination:  # a fetch bundle's WARC file: the first one fails once
                self._fail_first("warc_rename", destination.rsplit("/", 1)[0])
            if "/tokens/" in destination or "/text/" in destination:  # bytes written, the commit fails:
                self._fail_first("shard_rename", destination.rsplit("/", 1)[0])  # once per directory
        return super().rename([_local(p) for p in sources], [_local(p) for p in destinations])

    def open(self, path, *args, **kwargs):
        return super().open(_local(path), *args, **kwargs)

    def mkdirs(self, path):
        return super().mkdirs(_local(path))

    def copy(self, sources, destinations):
        return super().copy([_local(p) for p in sources], [_local(p) for p in destinations])

    def delete(self, paths):  # LocalFileSystem's own delete matches paths back through this class
        for path in map(_local, paths):
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)

    def exists(self, path):
        return super().exists(_local(path))

    def size(self, path):
        return super().size(_local(path))

    def last_updated(self, path):
        return super().last_updated(_local(path))

    def checksum(self, path):
        return super().checksum(_local(path))

    def metadata(self, path):
        found = super().metadata(_local(path))
        return FileMetadata(PREFIX + found.path, found.size_in_bytes, found.last_updated_in_seconds)


def _corpus(out: str) -> int:
    return run(["corpus", *SAMPLE_FLAGS, "--out", out, "--no_report", "--runner", "BundleBasedDirectRunner"])


def _lines(directory: Path) -> list[str]:
    return sorted(line for path in directory.glob("*.jsonl") for line in path.read_text().splitlines())


def test_retried_bundles_give_the_same_corpus_without_duplicates_or_losses(sample_corpus, tmp_path: Path):
    """The corpus a run without failures makes (the sample's: the engines make it alike, test_conformance.py)
    against the one a run whose writes fail at first makes."""
    clean, flaky = sample_corpus, tmp_path / "flaky"
    FlakyFileSystem.armed, FlakyFileSystem._seen, FlakyFileSystem.failed = True, set(), Counter()
    try:
        assert _corpus(f"{PREFIX}{flaky}") == 0
    finally:
        FlakyFileSystem.armed = False
    # The failures happened: the first shard commit in tokens/ and in text/ of the staging directory
    # (retried by the runner) and the first move of each into place at the swap (retried by it), and
    # the first file of each text sink (links, rejects, the accounting files).
    expected = read_manifest(str(clean))
    assert FlakyFileSystem.failed["shard_rename"] == 4 and FlakyFileSystem.failed["text_sink_create"] >= 2
    got = read_manifest(str(flaky))
    assert got["stages"] == expected["stages"] and all(s["balanced"] for s in got["stages"].values())
    assert [(s["tokens_sha256"], s["text_sha256"]) for s in got["shards"]] == \
        [(s["tokens_sha256"], s["text_sha256"]) for s in expected["shards"]]
    assert _lines(flaky / "rejects") == _lines(clean / "rejects")  # each drop once
    assert _lines(flaky / "links") == _lines(clean / "links")
    leftovers = [p for p in flaky.rglob("*") if p.name.startswith((".tmp-", "beam-temp-"))]
    assert leftovers == []
    assert sum(json.loads(line)["reason"] != "" for line in _lines(flaky / "rejects")) == \
        sum(sum(s["dropped"].values()) for s in got["stages"].values())


def test_a_retried_fetch_bundle_fetches_again_and_replays_the_same(tmp_path: Path):
    """The fetch DoFn's side effect is WARC files: a retried bundle writes its pages again, and
    whatever the WARC directory then holds (duplicates included) replays to the same corpus."""
    with loopback_server() as base:
        flags = ["--fetch", "live", "--delay_s", "0", "--allow_origin", base, "--warc_pages_per_file", "3",
                 "--min_words", "20", "--no_report", "--quiet", "--runner", "BundleBasedDirectRunner"]
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(f"{base}/slow/{i}\n" for i in range(8)) + f"{base}/missing\n")
        # The corpus without failures, from the units engine: the one pipeline's (test_conformance.py)
        clean_flags = [*flags[:-2], "--workers", "2"]
        assert run(["corpus", "--urls", str(urls), "--out", str(tmp_path / "clean"), *clean_flags]) == 0
        FlakyFileSystem.armed, FlakyFileSystem._seen, FlakyFileSystem.failed = True, set(), Counter()
        try:
            assert run(["corpus", "--urls", str(urls), "--out", f"{PREFIX}{tmp_path / 'flaky'}", *flags]) == 0
        finally:
            FlakyFileSystem.armed = False
    assert FlakyFileSystem.failed["warc_rename"] == 1
    assert not list((tmp_path / "flaky" / "warc").glob(".tmp-*"))  # the failed write cleaned up after itself
    clean, flaky = read_manifest(str(tmp_path / "clean")), read_manifest(str(tmp_path / "flaky"))
    assert flaky["stages"] == clean["stages"]
    assert [s["tokens_sha256"] for s in flaky["shards"]] == [s["tokens_sha256"] for s in clean["shards"]]
    replayed = tmp_path / "replayed"
    assert run(["corpus", "--urls", str(urls), "--warc", str(tmp_path / "flaky" / "warc" / "crawl-*.warc.gz"),
                "--out", str(replayed), "--min_words", "20", "--no_report", "--quiet"]) == 0
    assert [s["tokens_sha256"] for s in read_manifest(str(replayed))["shards"]] == \
        [s["tokens_sha256"] for s in clean["shards"]]
