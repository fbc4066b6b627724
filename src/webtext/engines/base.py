"""What an engine owes a run, whatever the engine: the run's layout in its staging folder, the inputs it is
handed, and the typed results it hands back.

An engine (engines/beam: one Beam pipeline on any runner; engines/units: units in local worker processes)
takes the composed config (engines/config.py) with `out` set to the staging folder, and writes there the
shards, links/, rejects/ and the results file, `_work/results.jsonl`: one line a result, `[kind, value]`,
written by Beam's sinks on a cluster as by the units engine's launcher. `RunResults` is that file typed,
what run/ reads to build the manifest: the engines never share anything else with the run.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from webtext.engines.config import CorpusConfig

WORK_DIR = "_work"  # the run's own records: results, the units engine's run.json, show's WARC index
UNITS_DIR = "_units"  # the units engine's finished units, under the staging folder (a rerun takes them up)
RESULTS_NAME = "results.jsonl"
RUN_NAME = "run.json"  # under _work/, by the units engine: its units, workers, CPU and memory per phase


def work_path(out_dir: str, name: str) -> str:
    """A file of the run's records: `/`-joined, for a local folder and a gs:// or s3:// one alike."""
    return f"{out_dir.rstrip('/')}/{WORK_DIR}/{name}"


@dataclass(frozen=True)
class RunInputs:
    """The files a run reads, globs expanded."""

    dumps: list[str]
    url_lists: list[str]
    warc: list[str]  # to replay (a crawl: the WARC files its earlier runs wrote, its cache)
    warc_dir: str  # where a crawl writes its WARC files (--out/warc, which outlives any one run)


class Kind:
    """The kinds of result line, and what each holds."""

    ACCOUNTING = "accounting"  # [[stage, outcome], count]: every stage's in, kept and dropped:<reason>
    SHARDS = "shards"  # a shard's record for the manifest (tokenize/shards.py's ShardInfo, as JSON)
    DEDUP = "dedup"  # [[statistic, key], count]: cluster sizes and unconverged nodes
    DAMAGED = "damaged"  # an input file read only in part (records.DamagedInput, as JSON)
    DEDUP_EXAMPLE = "dedup_example"  # a near-duplicate pair for the report (dedup/examples.py)
    ALL = (ACCOUNTING, SHARDS, DEDUP, DAMAGED, DEDUP_EXAMPLE)


def result_line(kind: str, value) -> str:
    """One line of the results file (without its newline)."""
    if kind not in Kind.ALL:
        raise ValueError(f"no result kind {kind!r}")
    return json.dumps([kind, value], sort_keys=True, ensure_ascii=False)


@dataclass
class RunResults:
    """What an engine hands back: the results file, typed."""

    counts: list[tuple[tuple[str, str], int]] = field(default_factory=list)
    shards: list[dict] = field(default_factory=list)
    dedup_stats: list[tuple[tuple[str, int], int]] = field(default_factory=list)
    damaged: list[dict] = field(default_factory=list)
    dedup_examples: list[dict] = field(default_factory=list)

    @classmethod
    def parse(cls, lines: Iterable[str]) -> "RunResults":
        results = cls()
        for line in lines:
            if not line.strip():
                continue
            kind, value = json.loads(line)
            if kind == Kind.ACCOUNTING:
                results.counts.append(((value[0][0], value[0][1]), value[1]))
            elif kind == Kind.SHARDS:
                results.shards.append(value)
            elif kind == Kind.DEDUP:
                results.dedup_stats.append(((value[0][0], value[0][1]), value[1]))
            elif kind == Kind.DAMAGED:
                results.damaged.append(value)
            elif kind == Kind.DEDUP_EXAMPLE:
                results.dedup_examples.append(value)
            else:
                raise ValueError(f"a results line of no known kind: {kind!r}")
        return results


class Engine(Protocol):
    """Runs the corpus pipeline into `staged.out` (a staging folder) and hands back its results."""

    def run(self, staged: CorpusConfig, inputs: RunInputs) -> RunResults: ...
