"""The one Beam pipeline: submissions -> links -> fetch -> extract -> filter -> dedup -> tokenize -> shards.

Only wiring lives here. Every stage returns its kept records and its drops;
the tallies and drop records go to `_work/` and `rejects/`, from which the
driver writes manifest.json once the pipeline has finished.
"""

import functools
import json

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from webtext.crawl.replay import fetch_outcome
from webtext.crawl.transforms import FetchPages, ReplayPages
from webtext.dedup.transforms import DeduplicateDocuments
from webtext.engines.base import RESULTS_NAME, Kind, result_line, work_path
from webtext.engines.beam.tally import TallyStage
from webtext.engines.config import CorpusConfig
from webtext.engines.record_chain import PER_RECORD, extracting, filtering, signing
from webtext.reasons import DEDUP, EXTRACT, FETCH, FILTER, LINKS, READ, SELECT, TOKENIZE
from webtext.records import as_json
from webtext.sources.transforms import ReadRedditListings, ReadSubmissions, SelectLinks
from webtext.stagekit import drive_step
from webtext.tokenize.shards import shard_info_json
from webtext.tokenize.transforms import TokenizeToShards


def _write_lines(lines, label: str, path: str):
    """A small result as one file, lines sorted so reruns give the same bytes."""
    return (lines | f"{label}List" >> beam.combiners.ToList()
            | f"{label}Sorted" >> beam.FlatMap(sorted)
            | f"{label}Write" >> beam.io.WriteToText(path, num_shards=1, shard_name_template=""))


def _read_sources(pipeline, config: CorpusConfig, dump_paths: list[str], url_list_paths: list[str]):
    """(line counts, submissions, read drops, damaged files) from every kind of source."""
    sources = []
    if dump_paths:
        sources.append(pipeline | "Dumps" >> beam.Create(dump_paths) | "ReadDumps" >> ReadSubmissions(
            max_line_bytes=config.links.max_line_bytes))
    if url_list_paths:
        sources.append(pipeline | "UrlLists" >> beam.Create(url_list_paths)
                       | "ReadUrlLists" >> ReadSubmissions(
            url_lists=True, max_line_bytes=config.links.max_line_bytes))
    if config.reddit_listings:
        # An API listing has no lines: each item counts as one, so the read stage still balances.
        listed = (pipeline | "Listings" >> beam.Create(sorted(config.reddit_listings))
                  | "ReadListings" >> ReadRedditListings(config.fetch.user_agent, config.reddit_api_url))
        sources.append((listed | "OnePerItem" >> beam.Map(lambda _: 1), listed,
                        pipeline | "NoListingDrops" >> beam.Create([]),
                        pipeline | "NoListingDamage" >> beam.Create([])))
    return tuple(
        parts | f"All{name}" >> beam.Flatten()
        for name, parts in zip(("LineCounts", "Submissions", "ReadDrops", "DamagedFiles"), zip(*sources))
    )


def _fetch(links, config: CorpusConfig, warc_paths: list[str], warc_dir: str):
    """(fetch results, drops, damaged WARC files): replayed, fetched live, or live resuming from earlier
    WARC files."""
    if not config.fetch.crawls:
        replayed = links | "ReplayPages" >> ReplayPages(
            warc_paths, max_body_bytes=config.fetch.max_body_bytes
        )
        return replayed.results, replayed.drops, replayed.damaged
    if not warc_paths:
        fetched, drops = links | "FetchPages" >> FetchPages(config.fetch, warc_dir, config.links.cutoff_utc)
        return fetched, drops, links.pipeline | "NoDamagedWarc" >> beam.Create([])
    # Live, resuming: what earlier runs already fetched is replayed, the rest fetched.
    cached = links | "ReplayCached" >> ReplayPages(
        warc_paths, missing_output=True, max_body_bytes=config.fetch.max_body_bytes
    )
    fresh, fresh_drops = cached.missing | "FetchPages" >> FetchPages(
        config.fetch, warc_dir, config.links.cutoff_utc
    )
    return ((cached.results, fresh) | "AllFetched" >> beam.Flatten(),
            (cached.drops, fresh_drops) | "AllFetchDrops" >> beam.Flatten(), cached.damaged)


def _per_record(fetched, config: CorpusConfig) -> list:
    """The per-record chain (record_chain.PER_RECORD: extract, filter, sign), a DoFn a step, each with
    the same driver a unit worker runs: each step's (kept, drops)."""
    routed, records = [], fetched
    for make in PER_RECORD:
        records, drops = drive_step(records, _LABELS[make], functools.partial(make, config))
        routed.append((records, drops))
    return routed


# The steps' labels in the graph (and in a runner's UI).
_LABELS = {extracting: "ExtractText", filtering: "FilterDocuments", signing: "Sign"}


def _selected_links(pipeline, config: CorpusConfig, dump_paths: list[str], url_list_paths: list[str]):
    """(links, the read, select and links stages as build_pipeline lists them, damaged input files)."""
    line_counts, submissions, read_drops, damaged_files = _read_sources(
        pipeline, config, dump_paths, url_list_paths
    )
    rescore_with = (config.fetch.user_agent, config.reddit_api_url) if config.rescore else None
    counted, grouped, links, select_drops, link_drops = \
        submissions | "SelectLinks" >> SelectLinks(config.links, rescore_with)
    stages = [(READ, line_counts, submissions, read_drops, {"inputs_are_counts": True}),
              (SELECT, submissions, counted, select_drops, {}), (LINKS, grouped, links, link_drops, {})]
    return links, stages, damaged_files


def build_pipeline(pipeline: beam.Pipeline, config: CorpusConfig, dump_paths: list[str],
                   url_list_paths: list[str], warc_paths: list[str], warc_dir: str | None = None) -> None:
    """The whole pipeline, writing under `config.out`; a live crawl's WARC files go to `warc_dir`
    (default `config.out`/warc), which outlives any one run."""
    out = config.out
    warc_dir = warc_dir or FileSystems.join(out, "warc")
    links, stages, damaged_files = _selected_links(pipeline, config, dump_paths, url_list_paths)
    fetched, fetch_drops, damaged_warc = _fetch(links, config, warc_paths, warc_dir)
    (docs, extract_drops), (filtered, filter_drops), (signed, sign_drops) = _per_record(fetched, config)
    deduplicated = signed | "DeduplicateDocuments" >> DeduplicateDocuments(
        config.dedup, config.keep_dropped_text, signed=True)
    unique, dedup_drops, dedup_stats, kept_tally = deduplicated[:4]
    dedup_drops = (sign_drops, dedup_drops) | "AllDedupDrops" >> beam.Flatten()
    shards, tokenize_drops = unique | "TokenizeToShards" >> TokenizeToShards(
        config.shards, out, expected=kept_tally
    )
    written = shards | "DocumentsWritten" >> beam.Map(lambda shard: shard.documents)

    # Each stage: (name, records in, records kept, drops, how TallyStage counts them). The read stage's
    # input is line counts and tokenize's output document counts; fetch says how each page was kept.
    stages += [(FETCH, links, fetched, fetch_drops, {"kept_as": fetch_outcome}),
               (EXTRACT, fetched, docs, extract_drops, {}), (FILTER, docs, filtered, filter_drops, {}),
               (DEDUP, filtered, unique, dedup_drops, {}),
               (TOKENIZE, unique, written, tokenize_drops, {"kept_are_counts": True})]
    _write_outputs(pipeline, out, stages, links, (damaged_files, damaged_warc), work_path(out, RESULTS_NAME),
                   shards=shards, dedup_stats=dedup_stats, dedup_examples=deduplicated.examples)


def build_links_pipeline(pipeline: beam.Pipeline, config: CorpusConfig, dump_paths: list[str],
                         url_list_paths: list[str], results_path: str) -> None:
    """The pipeline's first three stages alone: links/ and the rejects and results of those stages, for
    a run whose later stages go unit by unit (launcher.py)."""
    links, stages, damaged_files = _selected_links(pipeline, config, dump_paths, url_list_paths)
    _write_outputs(pipeline, config.out, stages, links, (damaged_files,), results_path)


def _write_outputs(pipeline, out: str, stages: list, links, damaged: tuple, results_path: str, shards=None,
                   dedup_stats=None, dedup_examples=None) -> None:
    """links/, rejects/ and the results file (tallies, shards, dedup stats, damaged inputs)."""
    tallies = [pipeline | f"Tally_{name}" >> TallyStage(name, inputs, kept, drops, **counting)
               for name, inputs, kept, drops, counting in stages]
    counts = tallies | "AllTallies" >> beam.Flatten()
    # The run's small results, for the manifest, in one file (one sink, not four: each costs the
    # local runner its own stages). Each line is [kind, value].
    results = [counts | "TallyJson" >> beam.Map(lambda c: result_line(Kind.ACCOUNTING, [list(c[0]), c[1]])),
               (damaged | "AllDamaged" >> beam.Flatten()
                | "DamagedJson" >> beam.Map(lambda d: result_line(Kind.DAMAGED, d._asdict())))]
    if shards is not None:
        results.append(
            shards
            | "ShardJson" >> beam.Map(lambda s: result_line(Kind.SHARDS, json.loads(shard_info_json(s))))
        )
    if dedup_stats is not None:
        results.append(dedup_stats
                       | "DedupJson" >> beam.Map(lambda c: result_line(Kind.DEDUP, [list(c[0]), c[1]])))
    if dedup_examples is not None:
        results.append(dedup_examples
                       | "DedupExampleJson" >> beam.Map(lambda e: result_line(Kind.DEDUP_EXAMPLE, e)))
    _write_lines(results | "AllResults" >> beam.Flatten(), "Results", results_path)
    (
        links
        | "LinkJson" >> beam.Map(as_json)
        | "WriteLinks"
        >> beam.io.WriteToText(FileSystems.join(out, "links", "links"), file_name_suffix=".jsonl")
    )
    drops = [d for _, _, _, d, _ in stages if d is not None] | "AllDrops" >> beam.Flatten()
    (
        drops
        | "DropJson" >> beam.Map(as_json)
        | "WriteRejects"
        >> beam.io.WriteToText(FileSystems.join(out, "rejects", "drops"), file_name_suffix=".jsonl")
    )
