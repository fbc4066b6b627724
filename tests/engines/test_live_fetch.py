"""A live run against a loopback server writes WARC files; replaying them gives the same shards."""

import json
from pathlib import Path

from helpers.loopback_server import loopback_server
from webtext.cli.main import run
from webtext.shards.reader import read_manifest

FLAGS = ["--min_words", "20", "--delay_s", "0", "--quiet"]


def crawl(urls: Path, out: Path, base: str) -> int:
    """A live crawl of the URL list into `out`, the loopback server's origin allowed."""
    return run(["corpus", "--urls", str(urls), "--fetch", "live", "--out", str(out), "--allow_origin", base,
                *FLAGS])


def test_live_then_replay(tmp_path: Path):
    with loopback_server() as base:
        urls = tmp_path / "urls.txt"
        urls.write_text("\n".join(base + p for p in ("/page", "/other", "/private/page", "/missing", "/pdf",
                                                      "/redirect")) + "\n")
        live = tmp_path / "live"
        assert crawl(urls, live, base) == 0
    manifest = read_manifest(str(live))
    fetch = manifest["stages"]["fetch"]
    assert fetch["dropped"] == {"content_type": 1, "http_4xx": 1, "robots": 1}
    assert fetch["kept"] == 3 and manifest["documents"] == 2  # /redirect is /page again: a duplicate
    assert manifest["stages"]["dedup"]["dropped"] == {"exact_duplicate": 1}
    assert manifest["inputs"]["warc"]

    replay = tmp_path / "replay"
    warc = str(live / "warc" / "*.warc.gz")
    # Replay needs no server: it is gone by now.
    assert run(["corpus", "--urls", str(urls), "--warc", warc, "--out", str(replay), *FLAGS]) == 0
    again = read_manifest(str(replay))
    assert [s["tokens_sha256"] for s in again["shards"]] == [s["tokens_sha256"] for s in manifest["shards"]]
    assert again["stages"]["fetch"]["dropped"] == {"not_archived": 3}
    rows = [json.loads(line) for line in (live / "links").glob("*.jsonl").__next__().read_text().splitlines()]
    assert len(rows) == 6


def test_a_repeated_live_run_takes_what_its_warc_files_hold(tmp_path: Path):
    from warcio.archiveiterator import ArchiveIterator

    with loopback_server() as base:
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{base}/page\n{base}/other\n")
        out = tmp_path / "out"
        assert crawl(urls, out, base) == 0
    first = read_manifest(str(out))
    # The server is gone: a second live run into the same directory must not need it.
    assert crawl(urls, out, base) == 0
    second = read_manifest(str(out))
    assert [s["tokens_sha256"] for s in second["shards"]] == [s["tokens_sha256"] for s in first["shards"]]
    counts = ("in", "kept", "dropped")
    assert [second["stages"]["fetch"][c] for c in counts] == [first["stages"]["fetch"][c] for c in counts]
    assert second["stages"]["fetch"]["kept_by"] == {"replayed_live": first["stages"]["fetch"]["kept"]}
    kinds = []
    for path in (out / "warc").glob("*.warc.gz"):
        with open(path, "rb") as stream:
            kinds += [record.rec_type for record in ArchiveIterator(stream)]
    assert kinds.count("request") == kinds.count("response") == 2
