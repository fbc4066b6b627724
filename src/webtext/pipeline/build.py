"""The one Beam pipeline: submissions -> links -> fetch -> extract -> filter -> dedup -> tokenize -> shards.

Only wiring lives here. Every stage returns its kept records and its drops;
the tallies and drop records go to `_work/` and `rejects/`, from which the
driver writes manifest.json once the pipeline has finished.
"""

import json

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from webtext.config import CorpusConfig
from webtext.crawl.transforms import FetchPages, ReplayPages
from webtext.dedup.transforms import DeduplicateDocuments
from webtext.extract.transforms import ExtractText
from webtext.filters.transforms import FilterDocuments
from webtext.pipeline.accounting import TallyStage, counts_to_json_lines
from webtext.sources.transforms import ReadRedditListings, ReadSubmissions, SelectLinks
from webtext.tokenize.shards import shard_info_json
from webtext.tokenize.transforms import TokenizeDocuments, WriteShards

WORK_DIR = "_work"


def work_path(out_dir: str, name: str) -> str:
    return FileSystems.join(out_dir, WORK_DIR, name)


def _write_lines(pcoll, label: str, path: str, sort: bool = True):
    """A small result as one file, lines sorted so reruns give the same bytes."""
    lines = pcoll | f"{label}List" >> beam.combiners.ToList()
    if sort:
        lines = lines | f"{label}Sort" >> beam.Map(sorted)
    return (lines | f"{label}Flat" >> beam.FlatMap(lambda xs: xs)
            | f"{label}Write" >> beam.io.WriteToText(path, num_shards=1, shard_name_template=""))


def _link_json(link) -> str:
    return json.dumps(link._asdict(), sort_keys=True, ensure_ascii=False)


def _drop_json(drop) -> str:
    return json.dumps(drop._asdict(), sort_keys=True, ensure_ascii=False)


def build_pipeline(pipeline: beam.Pipeline, config: CorpusConfig, dump_paths: list[str],
                   url_list_paths: list[str], warc_paths: list[str]) -> None:
    out = config.out
    sources = []
    if dump_paths:
        sources.append(pipeline | "Dumps" >> beam.Create(dump_paths) | "ReadDumps" >> ReadSubmissions())
    if url_list_paths:
        sources.append(pipeline | "UrlLists" >> beam.Create(url_list_paths)
                       | "ReadUrlLists" >> ReadSubmissions(url_lists=True))
    if config.reddit_listings:
        # An API listing has no lines: each item counts as one, so the read stage still balances.
        listed = (pipeline | "Listings" >> beam.Create(sorted(config.reddit_listings))
                  | "ReadListings" >> ReadRedditListings(config.user_agent, config.reddit_api_url))
        sources.append((listed | "OnePerItem" >> beam.Map(lambda _: 1), listed,
                        pipeline | "NoListingDrops" >> beam.Create([])))
    line_counts = [s[0] for s in sources] | "AllLineCounts" >> beam.Flatten()
    submissions = [s[1] for s in sources] | "AllSubmissions" >> beam.Flatten()
    read_drops = [s[2] for s in sources] | "AllReadDrops" >> beam.Flatten()

    counted, grouped, links, select_drops, link_drops = submissions | "SelectLinks" >> SelectLinks(config)
    if config.fetch == "replay":
        fetched, fetch_drops = links | "ReplayPages" >> ReplayPages(warc_paths)
    elif warc_paths:  # live, resuming: what earlier runs already fetched is replayed, the rest fetched
        cached, cached_drops, missing = links | "ReplayCached" >> ReplayPages(warc_paths, missing_output=True)
        fresh, fresh_drops = missing | "FetchPages" >> FetchPages(config, FileSystems.join(out, "warc"))
        fetched = (cached, fresh) | "AllFetched" >> beam.Flatten()
        fetch_drops = (cached_drops, fresh_drops) | "AllFetchDrops" >> beam.Flatten()
    else:
        fetched, fetch_drops = links | "FetchPages" >> FetchPages(config, FileSystems.join(out, "warc"))
    docs, extract_drops = fetched | "ExtractText" >> ExtractText(config.extract_timeout_s)
    filtered, filter_drops = docs | "FilterDocuments" >> FilterDocuments(config)
    unique, dedup_drops, dedup_stats = filtered | "DeduplicateDocuments" >> DeduplicateDocuments(config)
    tokenized = unique | "TokenizeDocuments" >> TokenizeDocuments()
    shards = tokenized | "WriteShards" >> WriteShards(config, out)

    stages = [("read", line_counts, submissions, read_drops), ("select", submissions, counted, select_drops),
              ("links", grouped, links, link_drops), ("fetch", links, fetched, fetch_drops),
              ("extract", fetched, docs, extract_drops), ("filter", docs, filtered, filter_drops),
              ("dedup", filtered, unique, dedup_drops), ("tokenize", unique, tokenized, None)]
    tallies = [pipeline | f"Tally_{name}" >> TallyStage(name, inputs, kept, drops, inputs_are_counts=name == "read")
               for name, inputs, kept, drops in stages]
    counts = tallies | "AllTallies" >> beam.Flatten()
    _write_lines(counts | "TallyJson" >> beam.combiners.ToList() | "TallyLines" >> beam.FlatMap(counts_to_json_lines),
                 "Accounting", work_path(out, "accounting.jsonl"))
    _write_lines(shards | "ShardJson" >> beam.Map(shard_info_json), "Shards", work_path(out, "shards.jsonl"))
    _write_lines(dedup_stats | "DedupJson" >> beam.combiners.ToList() | "DedupLines" >> beam.FlatMap(counts_to_json_lines),
                 "DedupStats", work_path(out, "dedup.jsonl"))
    (links | "LinkJson" >> beam.Map(_link_json)
     | "WriteLinks" >> beam.io.WriteToText(FileSystems.join(out, "links", "links"), file_name_suffix=".jsonl"))
    drops = [d for _, _, _, d in stages if d is not None] | "AllDrops" >> beam.Flatten()
    (drops | "DropJson" >> beam.Map(_drop_json)
     | "WriteRejects" >> beam.io.WriteToText(FileSystems.join(out, "rejects", "drops"), file_name_suffix=".jsonl"))
