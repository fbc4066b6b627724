"""A live crawl in units (`webtext corpus --fetch live`, every core by default): one host is fetched by one
thread of one worker for the whole run, the corpus is the one Beam pipeline's, one Ctrl-C stops it within
2 s with nothing written of the requests in flight, and the rerun fetches only what is missing and gives
the corpus an uninterrupted crawl gives."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq
from warcio.archiveiterator import ArchiveIterator

from helpers.many_hosts import allow_flags, many_hosts
from webtext.cli.main import run
from webtext.engines.units.steps import write_chunks
from webtext.records import Link
from webtext.shards.reader import read_manifest

FLAGS = ["--fetch", "live", "--delay_s", "0", "--min_words", "20", "--quiet", "--no_report"]


def url_list(tmp_path: Path, hosts, pages: int) -> Path:
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(f"{base}/a/{i}\n" for base, _ in hosts for i in range(pages)))
    return urls


def counts(out: Path) -> dict:
    """Each stage's in, kept and drops by reason."""
    return {
        name: [stage["in"], stage["kept"], stage["dropped"]]
        for name, stage in read_manifest(str(out))["stages"].items()
    }


def shards(out: Path, kind: str = "tokens_sha256") -> list[str]:
    return [shard[kind] for shard in read_manifest(str(out))["shards"]]


def rows_but_fetch_times(out: Path) -> list[dict]:
    """Every text shard's rows, less `fetched_at` (the time its bytes came: a crawl's own)."""
    rows = []
    for path in sorted((out / "text").glob("*.parquet")):
        rows += pq.read_table(path).drop_columns(["fetched_at"]).to_pylist()
    return rows


def archived_pages(out: Path) -> set[tuple[str, str]]:
    """(base URL, path) of the pages in the WARC files, whole and partial (up to a cut-off record)."""
    paths = set()
    for path in [*(out / "warc").glob("crawl-*.warc.gz"), *(out / "warc").glob(".partial-crawl-*")]:
        try:
            stream = open(path, "rb")
        except FileNotFoundError:  # a partial file made whole meanwhile (its pages are read next time)
            continue
        with stream:
            try:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response":
                        url = urlsplit(record.rec_headers.get_header("WARC-Target-URI"))
                        paths.add((f"{url.scheme}://{url.netloc}", url.path))
            except Exception:  # the record a kill cut off
                pass
    return paths


def test_a_fetch_unit_holds_whole_hosts_biggest_first(tmp_path):
    def link(url):
        return Link(url, url, 5, ("a",), (5,), ("s",), 0)
    sizes = {"a.test": 5, "b.test": 1, "c.test": 3, "d.test": 3, "e.test": 1}
    links = sorted(
        (link(f"http://{host}/{i}") for host, n in sizes.items() for i in range(n)), key=lambda x: x.url
    )

    def chunks(unit_links, min_hosts):
        for path in tmp_path.glob("c*.jsonl"):
            path.unlink()
        assert write_chunks(str(tmp_path), links, unit_links, min_hosts) == len(links)
        return [[urlsplit(json.loads(line)["url"]).hostname for line in path.read_text().splitlines()]
                for path in sorted(tmp_path.glob("c*.jsonl"))]

    # Two links a unit, one host at least: a host is never cut, and units end only between hosts.
    assert [sorted(set(chunk)) for chunk in chunks(2, 1)] == [
        ["a.test"],
        ["c.test"],
        ["d.test"],
        ["b.test", "e.test"],
    ]
    # Two hosts at least (--fetch_threads 2): hosts of like size together.
    assert [sorted(set(chunk)) for chunk in chunks(2, 2)] == [
        ["a.test", "c.test"],
        ["b.test", "d.test"],
        ["e.test"],
    ]
    # Replay cuts where the count says.
    assert [len(chunk) for chunk in chunks(4, 0)] == [4, 4, 4, 1]

    # Fewer hosts than the workers' threads (--fetch_threads 64, 2 workers): a worker's share of the hosts a
    # unit, so that both workers fetch and extract (5 hosts were one unit, one core's worth).
    def spread(workers):
        for path in tmp_path.glob("c*.jsonl"):
            path.unlink()
        write_chunks(str(tmp_path), links, 2, 64, workers=workers)
        return [sorted({urlsplit(json.loads(line)["url"]).hostname for line in path.read_text().splitlines()})
                for path in sorted(tmp_path.glob("c*.jsonl"))]
    assert spread(1) == [["a.test", "b.test", "c.test", "d.test", "e.test"]]
    assert spread(2) == [["a.test", "c.test", "d.test"], ["b.test", "e.test"]]


def test_a_crawl_in_units_is_polite_per_host_and_equals_the_beam_pipeline(tmp_path):
    with many_hosts(5, latency_s=0.02) as hosts:
        urls = url_list(tmp_path, hosts, 6)
        flags = [*FLAGS, *allow_flags(hosts)]
        assert run(["corpus", "--urls", str(urls), "--out", str(tmp_path / "units"), "--workers", "2",
                    "--unit_links", "4", "--fetch_threads", "1", *flags]) == 0
        # One thread of one worker per host for the whole run, though a unit holds 4 links and a host 6.
        assert [host.max_in_flight for _, host in hosts] == [1] * 5
        assert all(
            host.hits[f"/a/{i}"] == 1 and host.hits["/robots.txt"] == 1 for _, host in hosts for i in range(6)
        )
        assert (
            run(["corpus", "--urls", str(urls), "--out", str(tmp_path / "beam"), "--workers", "0", *flags])
            == 0
        )
    units = tmp_path / "units"
    assert shards(units) == shards(tmp_path / "beam")
    assert rows_but_fetch_times(units) == rows_but_fetch_times(tmp_path / "beam")
    assert counts(units) == counts(tmp_path / "beam")
    assert counts(units)["fetch"][:2] == [30, 30]
    run_json = json.loads((units / "_work" / "run.json").read_text())
    assert run_json["units"] == 5 and run_json["workers"] == 2  # a unit a host
    # Its WARC files replay to the very same bytes, text shards included.
    replay = tmp_path / "replay"
    assert (
        run(
            [
                "corpus",
                "--urls",
                str(urls),
                "--warc",
                str(units / "warc" / "*.warc.gz"),
                "--out",
                str(replay),
                *FLAGS[2:],
            ]
        )
        == 0
    )
    assert shards(replay, "text_sha256") == shards(units, "text_sha256")


def test_ctrl_c_stops_a_crawl_within_2_s_and_the_rerun_fetches_only_what_is_missing(tmp_path):
    out = tmp_path / "out"
    with many_hosts(3, latency_s=0.25) as hosts:
        flags = [*FLAGS, *allow_flags(hosts), "--workers", "2", "--warc_pages_per_file", "2"]
        few = tmp_path / "few.txt"
        few.write_text(f"{hosts[0][0]}/a/0\n")
        assert run(["corpus", "--urls", str(few), "--out", str(out), *flags]) == 0  # the corpus there before
        before = (out / "manifest.json").read_bytes()
        urls = url_list(tmp_path, hosts, 12)
        assert run(["corpus", "--urls", str(urls), "--out", str(tmp_path / "whole"), *flags]) == 0
        hits_whole = [dict(host.hits) for _, host in hosts]

        crawl = subprocess.Popen(
            [sys.executable, "-m", "webtext", "corpus", "--urls", str(urls), "--out", str(out), *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while len(archived_pages(out)) < 7 and time.monotonic() < deadline:
            assert crawl.poll() is None, crawl.communicate()
            time.sleep(0.02)
        os.killpg(crawl.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole process group
        interrupted = time.monotonic()
        _, err = crawl.communicate(timeout=30)
        stopped_s = time.monotonic() - interrupted
        served = {
            (base, path)
            for (base, host), whole in zip(hosts, hits_whole)
            for path, n in host.hits.items()
            if n > whole.get(path, 0) and path != "/robots.txt"
        }
        hits_before = [dict(host.hits) for _, host in hosts]
        archived = archived_pages(out)

        assert crawl.returncode == 130, err[-2000:]
        assert stopped_s < 2.0, stopped_s
        assert "Traceback" not in err, err[-3000:]
        assert (out / "manifest.json").read_bytes() == before  # the corpus there before, untouched
        time.sleep(0.6)  # any request still in flight when it stopped has been answered by now
        assert [dict(host.hits) for _, host in hosts] == hits_before  # nothing fetched after the stop

        assert run(["corpus", "--urls", str(urls), "--out", str(out), *flags]) == 0
        refetched = {(base, path) for (base, host), earlier in zip(hosts, hits_before)
                     for path, n in host.hits.items() if n > earlier.get(path, 0) and path != "/robots.txt"}
    # The pages written whole before the stop are not fetched again; at most the one in flight per host
    # was served and not written.
    assert not refetched & archived
    assert len(served - archived) <= len(hosts)
    assert shards(out) == shards(tmp_path / "whole")
    assert rows_but_fetch_times(out) == rows_but_fetch_times(tmp_path / "whole")
    assert counts(out) == counts(tmp_path / "whole")
    assert read_manifest(str(out))["stages"]["fetch"]["kept_by"]["replayed_live"] >= 6
