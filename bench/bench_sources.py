"""Sources stage throughput: read + select + links on the local runner vs a plain zstandard + json loop.

Generates a synthetic Pushshift-style dump (zstd, 2 GiB window) of --lines lines, then measures
both over the same file in the same run. Usage: python bench/bench_sources.py [--lines 1000000]
"""

import argparse
import io
import json
import os
import random
import tempfile

import apache_beam as beam
import zstandard
from common import report, timed

from webtext.engines.config import CorpusConfig
from webtext.sources.transforms import ReadSubmissions, SelectLinks

HOSTS = [f"site{i}.example" for i in range(5000)] + ["i.redd.it", "imgur.com", "www.youtube.com"]


def synthetic_dump(path: str, lines: int, window_log: int = 31) -> None:
    """Pushshift-like lines, compressed as the real dumps are (--long=31: a 2 GiB window, which the reader
    must keep as history: up to 2 GiB however it reads), or with a smaller `window_log`."""
    rng = random.Random(0)
    params = zstandard.ZstdCompressionParameters.from_level(
        3, window_log=window_log, write_content_size=False
    )
    with (
        open(path, "wb") as raw,
        zstandard.ZstdCompressor(compression_params=params).stream_writer(raw) as out,
    ):
        buffer = io.StringIO()
        for i in range(lines):
            record = {
                "id": f"b{i:x}",
                "url": f"https://{rng.choice(HOSTS)}/a/{rng.randrange(lines // 3)}",
                "score": rng.choice([0, 1, 2, 3, 5, 40]),
                "created_utc": rng.randint(1_300_000_000, 1_530_000_000),
                "subreddit": "bench",
                "is_self": rng.random() < 0.15,
                "over_18": False,
                "author": "a",
            }
            buffer.write(json.dumps(record, separators=(",", ":")) + "\n")
            if i % 10000 == 9999:
                out.write(buffer.getvalue().encode())
                buffer = io.StringIO()
        out.write(buffer.getvalue().encode())


def plain_loop(path: str) -> int:
    """The baseline: decompress, json.loads, keep link posts with score >= 3."""
    kept = 0
    with open(path, "rb") as raw:
        reader = io.BufferedReader(zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(raw))
        for line in reader:
            record = json.loads(line)
            kept += (not record["is_self"]) and record["score"] >= 3
    return kept


def beam_stage(path: str, runner_args: list[str]) -> None:
    config = CorpusConfig.from_flags(inputs=(path,), warc=("unused",))
    options = beam.options.pipeline_options.PipelineOptions(["--runner=FnApiRunner", *runner_args])
    with beam.Pipeline(options=options) as p:
        submissions = (p | beam.Create([path]) | ReadSubmissions()).submissions
        _, _, links, _, _ = submissions | SelectLinks(config.links)
        links | beam.combiners.Count.Globally()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "RS_bench.zst")
        synthetic_dump(path, args.lines)
        with timed(times, "plain"):
            plain_loop(path)
        with timed(times, "beam"):
            beam_stage(path, [])
    report(f"sources: {args.lines:,} dump lines, read + select + links (1 core)", [
        ("plain zstandard + json loop", args.lines / times["plain"], "lines/s"),
        ("webtext stage, FnApiRunner in-process", args.lines / times["beam"], "lines/s"),
    ], ("webtext / plain", times["plain"] / times["beam"]))


if __name__ == "__main__":
    main()
