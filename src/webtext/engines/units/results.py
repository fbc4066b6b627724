"""What a run in units leaves for the manifest and the user, as the one Beam pipeline leaves it:
_work/results.jsonl (the accounting, shards, dedup figures, damaged inputs), links/ and rejects/."""

import glob
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator

from webtext.crawl.warc_index import WarcIndex
from webtext.dedup.examples import dedup_examples, example_pairs
from webtext.dedup.over_signatures import SignatureStore
from webtext.engines.base import RESULTS_NAME, Kind, result_line, work_path
from webtext.engines.units import worker
from webtext.engines.units.records import StepDone
from webtext.engines.units.steps import DAMAGED
from webtext.engines.units.unit_dir import DROPS, read_pickles
from webtext.reasons import DEDUP, TOKENIZE
from webtext.records import as_json, with_text


def write_results(out: str, root: str, read: StepDone, linked: StepDone, fetched: StepDone,
                  dedup: SignatureStore, tokenized: StepDone, shards: list,
                  keep_dropped_text: bool = False) -> None:
    """_work/results.jsonl as the one pipeline writes it; links/ and rejects/ from the units' (dedup's
    drops with their documents' texts, when `keep_dropped_text`)."""
    counts, lines = Counter(), []
    done = (read, linked, fetched, tokenized)
    for step in done:
        counts.update(step.counts)
    counts[(DEDUP, "in")] += dedup.records_in  # counted as the units' records were read into the store
    counts[(DEDUP, "kept")] += dedup.kept_count()
    for reason, n in dedup.drop_count().items():
        counts[(DEDUP, f"dropped:{reason}")] += n
    counts[(TOKENIZE, "kept")] += sum(shard["documents"] for shard in shards)  # as written, as Beam counts it
    if read.beam_results:  # the first stages ran as Beam: their tallies and damaged files are there
        with open(read.beam_results, encoding="utf-8") as stream:
            lines += [line.rstrip("\n") for line in stream if line.strip()]
    lines += [result_line(Kind.ACCOUNTING, [list(key), n]) for key, n in counts.items()]
    lines += [result_line(Kind.SHARDS, shard) for shard in shards]
    lines += [result_line(Kind.DEDUP, [list(key), n]) for key, n in dedup.stats]
    lines += [result_line(Kind.DEDUP_EXAMPLE, example) for example in _dedup_examples(dedup, root)]
    for unit in sorted(read.units):
        with open(os.path.join(unit, DAMAGED), encoding="utf-8") as stream:
            lines += [result_line(Kind.DAMAGED, damaged) for damaged in json.load(stream)]
    with WarcIndex(os.path.join(root, "warc.sqlite")) as index:
        lines += [result_line(Kind.DAMAGED, damaged._asdict()) for damaged in index.damaged()]
    os.makedirs(os.path.join(out, "_work"), exist_ok=True)
    with open(work_path(out, RESULTS_NAME), "w", encoding="utf-8") as stream:
        stream.writelines(line + "\n" for line in sorted(lines))
    if not read.beam_results:
        _concatenate(sorted(glob.glob(os.path.join(root, "linked", "p*", "c*.jsonl"))),
                     os.path.join(out, "links", "links-00000-of-00001.jsonl"))
    drop_files = [os.path.join(unit, DROPS) for step in done for unit in sorted(step.units)]
    # The names Beam's WriteToText gives its one file of each: the corpus is laid out alike by either engine.
    dedup_drops = _drops_with_text(dedup, root) if keep_dropped_text else (
        as_json(drop) + "\n" for drop in dedup.drops())
    _concatenate(drop_files, os.path.join(out, "rejects", "drops-00000-of-00001.jsonl"), then=dedup_drops)


def _drops_with_text(dedup: SignatureStore, root: str) -> Iterator[str]:
    """Dedup's drops as rejects/ lines, each with its document's text, read a unit at a time (a live unit
    writes its documents in the order they came: sorted here, for the same bytes on a rerun)."""
    for unit, drops in dedup.drops_by_unit():
        docs = read_pickles(os.path.join(root, "fetched", unit, worker.DOCS))
        yield from sorted(as_json(with_text(drops[doc.doc_id], doc)) + "\n"
                          for doc in docs if doc.doc_id in drops)


def _dedup_examples(dedup: SignatureStore, root: str) -> list[dict]:
    """The report's near-duplicate examples (dedup/examples.py), their documents read from their units."""
    pairs = example_pairs(dedup.drops())
    wanted = {doc_id for pair in pairs for doc_id in pair}
    docs = [
        doc
        for unit in dedup.units_of(wanted)
        for doc in read_pickles(os.path.join(root, "fetched", unit, worker.DOCS))
        if doc.doc_id in wanted
    ]
    settings = dedup.settings
    return dedup_examples(pairs, docs, settings.num_perm, settings.shingle_words)


def _concatenate(paths: list[str], target: str, then: Iterable[str] = ()) -> None:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as out:
        for path in paths:
            with open(path, encoding="utf-8") as stream:
                shutil.copyfileobj(stream, out)
        out.writelines(then)
