"""Extraction: option choice on annotated pages, and extract + filter throughput on the local runner
next to a plain loop of trafilatura.extract over the same pages, in the same run.

Needs ../shared/data (real pages with snippet ground truth). Usage: python bench/bench_extract.py [--repeat 6]
[--rounds 3]
       python bench/bench_extract.py --against OTHER/src [--rounds 5]   (what a change costs: `git worktree
       add OTHER <commit before it>`, then the stage's CPU per page with this code and that one, alternating)
"""

import argparse
import contextlib
import functools
import json
import os
import pathlib
import resource
import time

import apache_beam as beam
import trafilatura
from common import measured_in_fresh_process, pin_to_one_cpu, report, report_rounds

from webtext.crawl.charset import decode_html
from webtext.crawl.replay import read_warc, warc_html
from webtext.engines.config import CorpusConfig
from webtext.engines.record_chain import extracting, filtering
from webtext.extract.evaluate import SETTINGS, annotated_pages, score
from webtext.records import FetchResult, Link
from webtext.stagekit import drive_step


def as_result(response, copy: int) -> FetchResult:
    html, encoding = decode_html(response.body, response.content_type)
    link = Link(f"{response.target_uri}#{copy}", response.target_uri, 5, ("s",), (5,), ("r",), 1)
    return FetchResult(link, 200, response.target_uri, response.content_type, encoding, html, "")


DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=6, help="pass over the pages this many times")
    parser.add_argument(
        "--rounds", type=int, default=3, help="measure both sides this many times, interleaved"
    )
    parser.add_argument("--against", metavar="OTHER/src", help="compare with the code in another checkout")
    parser.add_argument("--measure", choices=["plain", "stage", "stage_wide"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is missing: bench_extract skipped")
        return
    warc = str(DATA / "pages.warc.gz")
    if args.measure:
        print(json.dumps(measure(args.measure, warc, args.repeat)))
        return
    if args.against:
        against(args.against, warc, args.repeat, args.rounds)
        return
    pages = annotated_pages(DATA, warc_html(str(DATA / "pages.warc.gz")))
    rows = []
    for name, extract in SETTINGS.items():
        recall, rejection = score(extract, pages)
        rows += [
            (f"{name}: snippets found", 100 * recall, "%"),
            (f"{name}: boilerplate left out", 100 * rejection, "%"),
        ]
    report(f"extraction options on {len(pages)} annotated pages", rows)

    # Both sides read the pages from the WARC file and pass over them --repeat times, each run in a
    # fresh process, so that neither runs in the heap and imports the other (or the scoring above)
    # left behind. Rounds of both sides, interleaved: a slow spell of the machine then hits both
    # sides once. The table shows the best of the rounds; the ratio line, every round's own ratio.
    def fresh(what: str) -> dict:
        return measured_in_fresh_process(__file__, "--measure", what, "--repeat", str(args.repeat))

    rounds = [(fresh("plain"), fresh("stage")) for _ in range(args.rounds)]
    wide = fresh("stage_wide")
    n, per_pass = len(pages) * args.repeat, len(pages)

    def past_start_up(key: str, stage: dict) -> float:
        return (stage["whole"][key] - stage["small"][key]) / (n - per_pass)

    plain = min((p for p, _ in rounds), key=lambda m: m["cpu"])
    stage = min((s for _, s in rounds), key=lambda m: past_start_up("cpu", m))
    per_page = past_start_up("cpu", stage)
    pinned = stage["cores"] == 1
    report(
        f"extract + filter: {n} pages" + ("" if pinned else " (no CPU pinning on this OS: not per core)"),
        [
            ("plain loop: read WARC, decode, trafilatura.extract, 1 core", n / plain["wall"], "pages/s"),
            (
                "webtext: read WARC, extract (sandboxed), filters, 1 core",
                n / stage["whole"]["wall"],
                "pages/s",
            ),
            ("webtext past start-up, 1 core", 1 / past_start_up("wall", stage), "pages/s"),
            ("plain loop CPU", 1000 * plain["cpu"] / n, "ms/page"),
            ("webtext CPU past start-up, 1 core", 1000 * per_page, "ms/page"),
            (f"webtext past start-up, {wide['cores']} cores", 1 / past_start_up("wall", wide), "pages/s"),
            (
                f"webtext CPU past start-up, {wide['cores']} cores (both processes)",
                1000 * past_start_up("cpu", wide),
                "ms/page",
            ),
        ],
        ("webtext per core / plain loop (CPU per page)", per_page / (plain["cpu"] / n)),
    )
    report_rounds([past_start_up("cpu", s) / (p["cpu"] / n) for p, s in rounds])


def against(source: str, warc: str, repeat: int, rounds: int) -> None:
    """The extract + filter stage's CPU per page past start-up, one core, with this code and with the code
    in `source`, in alternating fresh processes: what a change costs."""
    pages = sum(1 for _ in read_warc(warc))

    def per_page(code: str | None) -> float:
        flags = ("--measure", "stage", "--repeat", str(repeat))
        stage = measured_in_fresh_process(__file__, *flags, source=code)
        return (stage["whole"]["cpu"] - stage["small"]["cpu"]) / (pages * (repeat - 1))

    mine, theirs = [], []
    for _ in range(rounds):
        theirs.append(per_page(source))
        mine.append(per_page(None))
    report(f"extract + filter, CPU per page past start-up, 1 core: this code against {source}", [
        ("this code", 1000 * min(mine), "ms/page"), ("that code", 1000 * min(theirs), "ms/page")],
        ("this code / that code (best of rounds)", min(mine) / min(theirs)))
    report_rounds([m / t for m, t in zip(mine, theirs)])


def measure(what: str, warc: str, repeat: int) -> dict:
    """One side's numbers, in this process. Per core: this process and the extraction child it
    starts (the child inherits the mask) run on one CPU, so the stage's two processes share one
    core as they would share one of a cluster's, and wall time is CPU time. Let onto every core
    ("stage_wide"), the child extracts while this process filters; their CPU times then add up to
    more (they slow each other down)."""
    if what != "stage_wide":
        pin_to_one_cpu()
    if what == "plain":
        return plain_run(warc, repeat)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"small": stage_run(warc, 1), "whole": stage_run(warc, repeat), "cores": cores}


def plain_run(warc: str, repeat: int) -> dict:
    with measured() as numbers:
        for _ in range(repeat):
            for response in read_warc(warc):
                html, _ = decode_html(response.body, response.content_type)
                trafilatura.extract(html, url=response.target_uri, include_comments=False, deduplicate=False)
    return numbers


@contextlib.contextmanager
def measured():
    """{"wall": seconds, "cpu": seconds of this process and its finished children}, filled on exit."""
    def cpu():
        return sum(
            getattr(resource.getrusage(who), field)
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
            for field in ("ru_utime", "ru_stime")
        )
    numbers, wall, used = {}, time.perf_counter(), cpu()
    yield numbers
    numbers.update(wall=time.perf_counter() - wall, cpu=cpu() - used)


def stage_run(warc: str, repeat: int) -> dict:
    config = CorpusConfig.from_flags(inputs=("x",), warc=("y",), languages=())
    with measured() as numbers:
        with beam.Pipeline(runner="FnApiRunner") as p:
            results = (p | beam.Create([(warc, i) for i in range(repeat)])
                       | beam.FlatMap(lambda wi: [as_result(r, wi[1]) for r in read_warc(wi[0])]))
            # the per-record chain's extract and filter steps, as the one Beam pipeline runs them
            docs, _ = drive_step(results, "Extract", functools.partial(extracting, config))
            drive_step(docs, "Filter", functools.partial(filtering, config))
    return numbers


if __name__ == "__main__":
    main()
