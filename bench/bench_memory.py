"""Peak resident memory of the whole process tree of `webtext corpus --workers N` as the input grows:
dump lines through link selection (every link then unarchived, so the later stages cost little), and
replayed documents through every stage and the report (report.html, stats.json). Sampled from /proc every 0.1
s: the launching process, its
workers, their extraction children and the report's processes, summed at each moment (proportional set sizes,
so the pages
forked workers share count once).

Usage: python bench/bench_memory.py [--lines 1000000,3000000] [--docs 10000,30000] [--workers 2]
The issue's sizes: --lines 1000000,10000000 --docs 10000,100000,1000000 (hours on 2 cores).
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import threading
import time

from bench_scaling import synthetic_site
from bench_sources import synthetic_dump
from common import report
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# The dump's zstd window: 8 MiB, not the real dumps' 2 GiB, whose decoder holds up to 2 GiB of history
# (up to 2 GiB per read unit, whatever reads it: bench_long_input.py's plain loop shows it); the figures
# here are then the pipeline's own.
DUMP_WINDOW_LOG = 23


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    return children


def _own_bytes(pid: int) -> int:
    """A process's proportional set size (its pages, each shared one divided among its sharers: forked
    workers share most of theirs), or its resident size where the kernel has no smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def tree_bytes(root: int) -> int:
    children, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        total += _own_bytes(pid)
    return total


def peak_tree_rss(command: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB of the process tree) of a command; its _work/run.json's stages printed."""
    started, peak = time.perf_counter(), 0
    process = subprocess.Popen(command)
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, tree_bytes(process.pid))
    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    if code:
        sys.exit(f"{command} exited {code}")
    return time.perf_counter() - started, peak / 2**20


def one_page_warc(path: str) -> str:
    with open(path, "wb") as raw:
        writer = WARCWriter(raw, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://unlinked.example/", "response",
                                                      payload=io.BytesIO(b"<p>x</p>"), http_headers=headers))
    return path


def corpus(workers: int, out: str, *inputs: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "webtext",
        "corpus",
        *inputs,
        "--out",
        out,
        "--workers",
        str(workers),
        "--quiet",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", default="1000000,3000000")
    parser.add_argument("--docs", default="10000,30000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--docs_per_shard",
        type=int,
        default=2000,
        help="a shard is assembled in one worker's memory: past workers x this many documents, the "
        "peak is set (the default 10,000 reaches it at 20,000 documents on 2 workers)",
    )
    args = parser.parse_args()
    for label, sizes, make in [
        ("dump lines through link selection", args.lines, lambda tmp, n: [
            "--input", _made(synthetic_dump, os.path.join(tmp, "RS.zst"), n, DUMP_WINDOW_LOG),
            "--warc", one_page_warc(os.path.join(tmp, "one.warc.gz"))]),
        ("replayed documents through every stage and the report", args.docs, lambda tmp, n: (
            lambda warc_urls: ["--warc", warc_urls[0], "--urls", warc_urls[1],
                               "--docs_per_shard", str(args.docs_per_shard)])(synthetic_site(tmp, n))),
    ]:
        rows, peaks = [], []
        for n in (int(s) for s in sizes.split(",") if s):
            with tempfile.TemporaryDirectory() as tmp:
                inputs = make(tmp, n)
                seconds, peak = peak_tree_rss(corpus(args.workers, os.path.join(tmp, "out"), *inputs))
            rows.append((f"{n:,}: peak memory of the process tree ({seconds:.0f} s)", peak, "MiB"))
            peaks.append(peak)
        if peaks:
            report(f"memory: {label}, --workers {args.workers}", rows,
                   ("largest peak over smallest", max(peaks) / min(peaks)))


def _made(make, path: str, *args) -> str:
    make(path, *args)
    return path


if __name__ == "__main__":
    main()
