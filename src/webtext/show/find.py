"""`webtext show OUT`: one document of a corpus with everything known of where it came from (its URL and
final URL, the Reddit submissions that linked it, the WARC record its bytes were read from), or, with
`--dropped`, one record of rejects/ with the stage and reason that dropped it.

The WARC files are those the manifest lists. Where a record sits in them is looked up in an index of
their responses (crawl/warc_index.py), made at the first `show` and kept with the corpus (`_index_path`).
`--list` pages through many (show_list.py)."""

import glob
import hashlib
import json
import os
import random

import pyarrow.parquet as pq

from webtext.crawl.warc_index import WarcIndex, build_index
from webtext.engines.base import WORK_DIR
from webtext.printable import printable
from webtext.reasons import describe
from webtext.shards.reader import read_manifest
from webtext.urls import canonical_url
from webtext.utc import utc_time

SHOWN = ["doc_id", "url", "final_url", "domain", "title", "karma", "subreddits", "submission_ids", "scores",
         "first_seen_utc", "language", "n_tokens", "published", "fetched_at", "source", "archive_url"]


class NotFound(LookupError):
    """No document (or dropped record) matches what was asked."""


def _text_shards(corpus: str, manifest: dict) -> list[tuple[str, dict]]:
    return [(os.path.join(corpus, shard["text_path"]), shard) for shard in manifest["shards"]]


def find_document(corpus: str, doc_id: str | None = None, url: str | None = None, domain: str | None = None,
                  seed: int | None = None) -> dict:
    """The document asked for (by id, by URL, canonical or final, or at random, among a domain's if
    given) as a dict of its Parquet row, with `split` and `shard`."""
    manifest = read_manifest(corpus)
    shards = _text_shards(corpus, manifest)
    if doc_id or url:
        key = canonical_url(url) if url else None
        for path, shard in shards:  # the key columns of each shard; the whole row only of the one found
            keys = pq.read_table(path, columns=["doc_id", "url", "final_url"])
            ids, urls, finals = (keys.column(name).to_pylist() for name in ("doc_id", "url", "final_url"))
            for i, (this_id, this_url, final) in enumerate(zip(ids, urls, finals)):
                if (doc_id and this_id == doc_id) or (url and (this_url == key or final in (url, key))):
                    return _row(pq.read_table(path), i, shard)
        raise NotFound(f"no document {'with id ' + doc_id if doc_id else 'at ' + url} in {corpus} "
                       f"(--dropped looks in rejects/)")
    rng = random.Random(seed)
    if domain:
        matches = []
        for path, shard in shards:
            domains = pq.read_table(path, columns=["domain"]).column("domain").to_pylist()
            matches += [(path, shard, i) for i, d in enumerate(domains) if d == domain.lower()]
        if not matches:
            raise NotFound(f"no document from {domain} in {corpus}")
        path, shard, index = rng.choice(matches)
        return _row(pq.read_table(path), index, shard)
    total = sum(shard["documents"] for _, shard in shards)
    if not total:
        raise NotFound(f"{corpus} holds no documents")
    pick = rng.randrange(total)
    for path, shard in shards:
        if pick < shard["documents"]:
            return _row(pq.read_table(path), pick, shard)
        pick -= shard["documents"]
    raise NotFound("the shards hold fewer documents than the manifest says")  # verify would say so too


def _row(table, index: int, shard: dict) -> dict:
    row = {name: table.column(name)[index].as_py() for name in table.column_names}
    return {**row, "split": shard["split"], "shard": shard["text_path"]}


def find_dropped(corpus: str, url: str | None = None, doc_id: str | None = None, domain: str | None = None,
                 seed: int | None = None) -> dict:
    """A record of rejects/ (by the URL or document id it names, or at random, among a domain's if given),
    with its link from links/ where there is one."""
    key = canonical_url(url) if url else None
    matches = []
    for path in sorted(glob.glob(os.path.join(corpus, "rejects", "*.jsonl"))):
        with open(path, encoding="utf-8") as stream:
            for line in stream:
                drop = json.loads(line)
                item = drop["item"]
                if (key and item in (key, url)) or (doc_id and item == doc_id) or \
                        (domain and _host(item) == domain.lower()) or not (key or doc_id or domain):
                    matches.append(drop)
    if not matches:
        raise NotFound(
            f"no dropped record {'for ' + (url or doc_id or domain) if (url or doc_id or domain) else ''} "
            f"in {corpus}/rejects"
        )
    matches.sort(key=lambda d: (d["stage"], d["reason"], d["item"], d.get("detail", "")))
    drop = matches[0] if (key or doc_id) else random.Random(seed).choice(matches)
    link = _link_of(corpus, drop["item"])
    return {
        "stage": drop["stage"],
        "reason": drop["reason"],
        "meaning": describe(drop["stage"], drop["reason"]),
        "item": drop["item"],
        "detail": drop.get("detail", ""),
        "text": drop.get("text"),  # the document's text, in a corpus made with --keep_dropped_text
        "link": link,
    }


def _host(item: str) -> str:
    from webtext.urls import host_of

    return host_of(item) if "://" in item else ""


def _link_of(corpus: str, item: str) -> dict | None:
    """The link a dropped record names: by its URL, or, for a document id (dedup's drops), the link whose
    canonical URL hashes to it."""
    from webtext.hashing import doc_id

    for path in sorted(glob.glob(os.path.join(corpus, "links", "*.jsonl"))):
        with open(path, encoding="utf-8") as stream:
            for line in stream:
                link = json.loads(line)
                if link["url"] == item or doc_id(link["url"]) == item:
                    return link
    return None


def warc_location(corpus: str, url: str) -> dict | None:
    """{path, offset} of the WARC response record the page at `url` (canonical) was read from, redirects
    followed; None when the corpus's WARC files hold none (or cannot be found)."""
    manifest = read_manifest(corpus)
    paths = [p for p in (_resolve(corpus, item["path"]) for item in manifest["inputs"].get("warc", [])) if p]
    if not paths:
        return None
    index = _index_path(corpus, paths, manifest)
    if not os.path.exists(index):
        build_index(paths, index)
    with WarcIndex(index) as lookup:
        where = lookup.where(url)
    return {"path": where[0], "offset": where[1]} if where else None


def _index_path(corpus: str, paths: list[str], manifest: dict) -> str:
    """Where `show` keeps the index of these WARC files: named by what it describes (each file's real path,
    size, modification time and, from the manifest, checksum), so a moved corpus or another checkout's run
    of the same inputs never finds an index of other paths. It lives with the corpus (its _work/), or,
    for a corpus this user cannot write, in the user's own cache folder (never the shared temporary one,
    where anyone could leave a file of that name)."""
    described = [(os.path.realpath(p), stat.st_size, stat.st_mtime_ns)
                 for p, stat in ((p, os.stat(p)) for p in sorted(paths))]
    checksums = sorted(item["sha256"] for item in manifest["inputs"]["warc"])
    name = f"show-warc-{hashlib.sha256(json.dumps([described, checksums]).encode()).hexdigest()[:24]}.sqlite"
    work = os.path.join(corpus, WORK_DIR)
    if os.access(work if os.path.isdir(work) else corpus, os.W_OK):
        os.makedirs(work, exist_ok=True)
        return os.path.join(work, name)
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "webtext")
    os.makedirs(cache, exist_ok=True)
    return os.path.join(cache, name)


def _resolve(corpus: str, recorded: str) -> str | None:
    """A WARC path as the manifest records it, found: the bundled sample's, as recorded (relative to where
    the run was started), or by its name under the corpus's warc/ (a crawl's own)."""
    if recorded.startswith("webtext:sample/"):
        from webtext.sample.paths import sample_dir

        return os.path.join(sample_dir(), recorded.removeprefix("webtext:sample/"))
    for candidate in (recorded, os.path.join(corpus, "warc", os.path.basename(recorded))):
        if os.path.exists(candidate):
            return candidate
    return None


def show_document(corpus: str, **which) -> dict:
    document = find_document(corpus, **which)
    return {**document, "warc": warc_location(corpus, document["url"])}


def show_dropped(corpus: str, **which) -> dict:
    record = find_dropped(corpus, **which)
    url = record["link"]["url"] if record["link"] else record["item"]
    record["warc"] = warc_location(corpus, url) if "://" in url else None
    return record


def format_document(document: dict) -> str:
    warc = document["warc"]
    lines = [f"{document['title'] or '(no title)'}", "",
             f"doc id        {document['doc_id']}  ({document['split']}, {document['shard']})",
             f"url           {document['url']}",
             f"final url     {document['final_url']}",
             f"domain        {document['domain']}    language {document['language']}    "
             f"{document['n_tokens']:,} tokens",
             f"karma         {document['karma']:,}    subreddits {', '.join(document['subreddits'])}",
             "submissions   " + _submissions(document["submission_ids"], document["scores"]),
             f"first seen    {utc_time(document['first_seen_utc'])}",
             f"fetched       {document['fetched_at']} from {document['source']}"
             + (f" ({document['archive_url']})" if document["archive_url"] else ""),
             f"warc record   {warc['path']} at byte {warc['offset']:,}" if warc else
             "warc record   (not in the WARC files the manifest lists)",
             ]
    text = printable(document["text"], keep_lines=True)
    return "\n".join(printable(line) for line in lines) + "\n\n" + text + "\n"


def _submissions(ids: list[str], scores: list[int] | None) -> str:
    """Reddit submission ids, each with its score where the corpus has it."""
    if scores and len(scores) == len(ids):
        return ", ".join(f"{sid} (score {score:,})" for sid, score in zip(ids, scores))
    return ", ".join(ids)


def format_dropped(record: dict) -> str:
    link, warc = record["link"], record["warc"]
    lines = [
        f"dropped at {record['stage']}: {record['reason']}"
        + (f" ({record['meaning']})" if record["meaning"] else ""),
        f"item          {record['item']}",
        f"detail        {record['detail'] or '-'}",
    ]
    if link:
        lines += [f"url           {link['url']}", f"fetched from  {link['fetch_url']}",
                  f"karma         {link['karma']:,}    subreddits {', '.join(link['subreddits'])}",
                  "submissions   " + _submissions(link["submission_ids"], link.get("scores")),
                  f"first seen    {utc_time(link['first_seen_utc'])}"]
    lines.append(f"warc record   {warc['path']} at byte {warc['offset']:,}" if warc else "warc record   -")
    shown = "\n".join(printable(line) for line in lines) + "\n"
    if record.get("text") is not None:
        return shown + "\n" + printable(record["text"], keep_lines=True) + "\n"
    return shown
