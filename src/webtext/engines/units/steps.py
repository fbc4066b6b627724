"""The read, select and links stages of a run in units (launcher.py), in the pool's worker processes.

`read_unit` streams one input file: each line parsed and selected where it is read, and every counted
(canonical URL, submission) appended to one of `partitions` spill files by a hash of its URL. Then
`link_unit` takes one partition from every file: all the submissions of a URL are in it, so it
builds that URL's link exactly as the Beam stage's GroupByKey would, and writes the links in chunks
of `unit_links`, each a fetch unit. Memory: one partition's counted submissions at a time.
"""

import json
import math
import os
import pickle
import resource

from webtext.crawl.host_fetch import host_key
from webtext.crawl.settings import FetchSettings
from webtext.engines.units.records import UnitTally
from webtext.engines.units.unit_dir import Tally, finish_unit, fresh_unit_dir, read_pickles
from webtext.hashing import bucket
from webtext.reasons import LINKS, READ, SELECT
from webtext.records import DamagedInput, Drop, Link, as_json
from webtext.sources.links import linked, selected
from webtext.sources.parse_file import LineCount, parsed_file
from webtext.sources.settings import LinkRules

DAMAGED = "damaged.json"
SELECT_BATCH = 4096  # submissions selected and spilled together: what a read unit holds at a time


def partition_name(partition: int) -> str:
    return f"p{partition:05d}.pickle"


def read_unit(path: str, url_list: bool, rules: LinkRules, by_host: bool, partitions: int,
              final: str) -> UnitTally:
    """One input file through the read and select stages, its counted submissions spilled by URL (by host,
    for a crawl: `by_host`)."""
    partial = fresh_unit_dir(final)
    tally = Tally(partial)
    _open_files_for(partitions + 64)
    with tally.timing(READ):  # reading, parsing and selecting are one loop: their time is the read stage's
        spills = [open(os.path.join(partial, partition_name(p)), "wb") for p in range(partitions)]
        damaged, submissions = [], []
        try:
            for outcome in parsed_file(path, url_list, rules.max_line_bytes):
                if isinstance(outcome, LineCount):
                    tally.counts[(READ, "in")] += outcome.lines
                elif isinstance(outcome, DamagedInput):
                    damaged.append(outcome._asdict())
                elif isinstance(outcome, Drop):
                    tally.drop(outcome)
                else:
                    submissions.append(outcome)
                    if len(submissions) >= SELECT_BATCH:
                        _select(submissions, rules, by_host, tally, spills)
                        submissions = []
            _select(submissions, rules, by_host, tally, spills)
        finally:
            for spill in spills:
                spill.close()
        with open(os.path.join(partial, DAMAGED), "w", encoding="utf-8") as out:
            json.dump(damaged, out)
    return finish_unit(tally, partial, final)


def _open_files_for(files: int) -> None:
    """Raise this process's open-file limit to `files` where its hard limit allows (the soft one is often
    1024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < files:
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (files if hard == resource.RLIM_INFINITY else min(files, hard), hard)
        )


def _select(submissions: list, rules: LinkRules, by_host: bool, tally: Tally, spills: list) -> None:
    tally.counts[(READ, "kept")] += len(submissions)
    # A crawl spills a host's links into one partition (and write_chunks keeps them in one chunk), so that
    # one fetch unit, and so one thread of one worker, fetches that host for the whole run: politeness per
    # host, not per worker.
    for url, sub in tally.outcomes(SELECT, [selected(sub, rules) for sub in submissions]):
        spill = bucket(host_key(url) if by_host else url, len(spills))
        pickle.dump((url, sub), spills[spill], protocol=pickle.HIGHEST_PROTOCOL)


def hosts_a_unit(fetch: FetchSettings) -> int:
    """The most hosts a fetch unit needs to keep its worker's fetch threads busy: --fetch_threads when
    fetching, 0 (links only) when replaying. write_chunks lowers it where there are few hosts."""
    return fetch.fetch_threads if fetch.crawls else 0


def link_unit(read_dirs: list[str], partition: int, rules: LinkRules, unit_links: int, min_hosts: int,
              final: str, workers: int = 1) -> UnitTally:
    """One partition of every file's counted submissions -> links, written in chunks ("c00000.jsonl")."""
    partial = fresh_unit_dir(final)
    tally = Tally(partial)
    with tally.timing(LINKS):
        by_url: dict[str, list] = {}
        for read_dir in read_dirs:
            for url, sub in read_pickles(os.path.join(read_dir, partition_name(partition))):
                by_url.setdefault(url, []).append(sub)
        outcomes = [linked(url, by_url[url], rules) for url in sorted(by_url)]
        links = tally.outcomes(LINKS, outcomes, count_kept=False)
        tally.counts[(LINKS, "kept")] += write_chunks(partial, links, unit_links, min_hosts=min_hosts,
                                                      workers=workers)
    return finish_unit(tally, partial, final)


def write_chunks(unit_dir: str, links: list[Link], unit_links: int, min_hosts: int = 0,
                 workers: int = 1) -> int:
    """Links (sorted by URL) into files ("c00000.jsonl", ...): each a fetch unit's links. Returns the links
    written.

    Replayed (`min_hosts` 0): `unit_links` links a file, in URL order. Fetched: whole hosts, biggest first,
    a file ending after a host once it holds `unit_links` links and `min_hosts` hosts (--fetch_threads: a
    thread a host, so that the unit keeps its worker's threads busy), or, where there are fewer hosts than
    `workers` times that, a `workers`-th of them: every worker then has a unit to fetch and extract (40
    hosts were one unit, and one core's worth of extraction, on any number of cores). Hosts of like size
    share a unit, which lasts about as long as one of them takes."""
    if min_hosts:
        by_host: dict[str, list[Link]] = {}
        for link in links:
            by_host.setdefault(host_key(link.url), []).append(link)
        hosts = sorted(by_host.items(), key=lambda item: (-len(item[1]), item[0]))
        min_hosts = min(min_hosts, max(1, math.ceil(len(hosts) / max(1, workers))))
    else:
        hosts = [(None, links[start:start + unit_links]) for start in range(0, len(links), unit_links)]
    written, chunk, lines, in_chunk = 0, 0, [], 0
    for i, (_, host_links) in enumerate(hosts):
        lines += [as_json(link) + "\n" for link in host_links]
        in_chunk += 1
        if i + 1 == len(hosts) or (len(lines) >= unit_links and in_chunk >= min_hosts):
            with open(os.path.join(unit_dir, f"c{chunk:05d}.jsonl"), "w", encoding="utf-8") as out:
                out.writelines(lines)
            written, chunk, lines, in_chunk = written + len(lines), chunk + 1, [], 0
    return written
