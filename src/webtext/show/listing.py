"""`webtext show OUT --list`: the documents of a corpus, or the records of its rejects/, filtered by domain,
subreddit, stage or drop reason, a page at a time (`--limit`, `--offset`). Reads only the columns it
shows, a shard at a time."""

import glob
import json
import os

import pyarrow.parquet as pq

from webtext.printable import printable
from webtext.shards.reader import read_manifest
from webtext.urls import host_of

LISTED = ["doc_id", "domain", "n_tokens", "karma", "subreddits", "url", "title"]


def list_documents(corpus: str, domain: str | None = None, subreddit: str | None = None, limit: int = 20,
                   offset: int = 0) -> dict:
    """{"total", "offset", "items"}: the documents (in shard order) that match, `limit` from `offset`."""
    items, total = [], 0
    for shard in read_manifest(corpus)["shards"]:
        table = pq.read_table(os.path.join(corpus, shard["text_path"]), columns=LISTED)
        for row in table.to_pylist():
            if domain and row["domain"] != domain.lower():
                continue
            if subreddit and subreddit.lower() not in (s.lower() for s in row["subreddits"]):
                continue
            if offset <= total < offset + limit:
                items.append({**row, "split": shard["split"]})
            total += 1
    return {"total": total, "offset": offset, "items": items}


def list_dropped(corpus: str, domain: str | None = None, stage: str | None = None, reason: str | None = None,
                 limit: int = 20, offset: int = 0) -> dict:
    """{"total", "offset", "items"}: the records of rejects/ (in file order) that match."""
    read_manifest(corpus)  # a folder that is no corpus is said so, not listed as empty
    items, total = [], 0
    for path in sorted(glob.glob(os.path.join(corpus, "rejects", "*.jsonl"))):
        with open(path, encoding="utf-8") as stream:
            for line in stream:
                drop = json.loads(line)
                if (stage and drop["stage"] != stage) or (reason and drop["reason"] != reason):
                    continue
                if domain and ("://" not in drop["item"] or host_of(drop["item"]) != domain.lower()):
                    continue
                if offset <= total < offset + limit:
                    items.append(drop)
                total += 1
    return {"total": total, "offset": offset, "items": items}


def format_list(listed: dict, dropped: bool) -> str:
    """A header ("documents 1-20 of 57") and a line an item, control characters escaped."""
    shown = len(listed["items"])
    what = "dropped records" if dropped else "documents"
    first = listed["offset"] + 1 if shown else listed["offset"]
    lines = [f"{what} {first}-{listed['offset'] + shown} of {listed['total']:,}"]
    for item in listed["items"]:
        if dropped:
            lines.append(f"{item['stage']:<9} {item['reason']:<22} {item['item']}"
                         + (f"  ({item['detail']})" if item.get("detail") else ""))
        else:
            lines.append(f"{item['doc_id']}  {item['domain']:<24} {item['n_tokens']:>7,} tokens  "
                         f"{item['title'] or item['url']}")
    if listed["offset"] + shown < listed["total"]:
        lines.append(f"(more: --offset {listed['offset'] + shown})")
    return "\n".join(printable(line) for line in lines) + "\n"
