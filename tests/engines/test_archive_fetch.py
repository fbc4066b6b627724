"""End to end: dead links come back from loopback Wayback and Common Crawl fakes, with provenance,
counted by where they came from; replaying the WARC files gives the same shards and provenance."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from helpers.fake_archives import Archive, Snapshot, fake_archives
from helpers.loopback_server import _page, loopback_server
from webtext.cli.main import run
from webtext.cli.summary import format_summary
from webtext.crawl.archives import timestamp_utc
from webtext.report.stats import corpus_stats
from webtext.shards.reader import read_manifest

FLAGS = ["--min_words", "20", "--delay_s", "0", "--quiet", "--retries", "1",
         "--archive_requests_per_s", "1000", "--no_report"]
POSTED = timestamp_utc("20170615000000")


def _dump(path: Path, urls: list[str]) -> Path:
    lines = [json.dumps({"id": f"s{i}", "url": url, "score": 10, "created_utc": POSTED, "subreddit": "news",
                         "is_self": False, "over_18": False, "title": f"t{i}"}) for i, url in enumerate(urls)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _texts(out: Path) -> dict[str, dict]:
    rows = []
    for shard in sorted((out / "text").glob("*.parquet")):
        rows += pq.read_table(
            shard, columns=["url", "source", "archive_url", "fetched_at", "text"]
        ).to_pylist()
    return {row["url"].rsplit("/", 1)[-1]: row for row in rows}


# Fetched by two worker processes either way (as on a cluster, each has its own archive client): Beam's
# multi-process runner, or the units engine (a crawl's default).
ENGINES = {"beam": ["--direct_num_workers", "2", "--direct_running_mode", "multi_processing"],
           "units": ["--workers", "2"]}


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_live_then_archive_end_to_end_and_replayed(tmp_path: Path, engine: str):
    with loopback_server() as web:
        wayback_page, cc_page = (
            _page("Archived on the Wayback Machine", 31),
            _page("Archived by Common Crawl", 32),
        )
        archive = Archive(
            wayback={
                f"{web}/missing": [
                    Snapshot("20170601000000", wayback_page.encode()),
                    Snapshot("20170616080000", wayback_page.encode()),
                ]
            },
            crawls={"CC-MAIN-2017-26": {f"{web}/gone": [Snapshot("20170627000000", cc_page.encode())]}},
        )
        dump = _dump(
            tmp_path / "RS_2017-06.jsonl", [f"{web}/page", f"{web}/missing", f"{web}/gone", f"{web}/soft404"]
        )
        out = tmp_path / "out"
        with fake_archives(archive) as base:
            assert run(["corpus", "--input", str(dump), "--fetch", "live-then-archive", "--out", str(out),
                        "--wayback_url", f"{base}/wb", "--cc_index_url", f"{base}/cc-index",
                        "--cc_data_url", f"{base}/cc-data", *ENGINES[engine],
                        "--allow_origin", web, "--allow_origin", base, *FLAGS]) == 0
    manifest = read_manifest(str(out))
    fetch = manifest["stages"]["fetch"]
    assert fetch["kept_by"] == {"archived_cc": 1, "archived_wayback": 1, "live": 1}
    assert fetch["dropped"] == {"no_capture": 1} and fetch["balanced"]
    assert sum(fetch["kept_by"].values()) == fetch["kept"]
    summary = format_summary(manifest, str(out), 1.0, report=False)
    assert "kept: archived_cc 1, archived_wayback 1, live 1" in summary
    assert manifest["config"]["fetch"]["mode"] == "live-then-archive"
    assert manifest["inputs"]["warc"]  # the run's own WARC files, with their checksums
    texts = _texts(out)
    assert texts["page"]["source"] == "live" and texts["page"]["archive_url"] == ""
    assert (
        texts["missing"]["source"] == "wayback" and texts["missing"]["fetched_at"] == "2017-06-16T08:00:00Z"
    )
    assert "/wb/web/20170616080000id_/" in texts["missing"]["archive_url"]
    assert texts["gone"]["source"] == "commoncrawl" and texts["gone"]["fetched_at"] == "2017-06-27T00:00:00Z"
    assert "CC-MAIN-2017-26" in texts["gone"]["archive_url"] and "Common Crawl" in texts["gone"]["text"]
    drops = [
        json.loads(line)
        for path in (out / "rejects").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    (no_capture,) = [d for d in drops if d["reason"] == "no_capture"]
    assert no_capture["item"].endswith("/soft404") and "soft_404" in no_capture["detail"]

    # ...and replayed in-process once every server is gone: the same corpus, provenance included.
    replay = tmp_path / "replay"
    assert (
        run(
            [
                "corpus",
                "--input",
                str(dump),
                "--warc",
                str(out / "warc" / "*.warc.gz"),
                "--out",
                str(replay),
                *FLAGS,
            ]
        )
        == 0
    )
    again = read_manifest(str(replay))
    assert [s["tokens_sha256"] for s in again["shards"]] == [s["tokens_sha256"] for s in manifest["shards"]]
    assert again["stages"]["fetch"]["kept_by"] == {
        f"replayed_{kind}": n for kind, n in fetch["kept_by"].items()
    }
    assert _texts(replay) == texts
    assert corpus_stats(str(replay))["sources"] == {"commoncrawl": 1, "live": 1, "wayback": 1}
