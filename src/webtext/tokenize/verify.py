"""`webtext verify`: re-check a corpus directory against its manifest.

Every shard file's sha256, every token shard's metadata and counts, EOT after
each document and nowhere else, and the text and token shards listing the same
documents in the same order. Returns the problems found; none means intact.
"""

import os

import numpy as np
import pyarrow.parquet as pq

from webtext.atomic import checksum
from webtext.shards.gpt2 import EOT_ID
from webtext.shards.reader import TokenShard, read_manifest


def _check_token_shard(shard: dict, tokens: TokenShard, text_ids: list[str]) -> list[str]:
    name, problems = shard["tokens_path"], []
    meta = tokens.metadata
    if (int(meta.get("documents", -1)), int(meta.get("tokens", -1))) != (shard["documents"], shard["tokens"]):
        problems.append(f"{name}: metadata counts differ from the manifest")
    flat = tokens.flat_tokens()
    if len(flat) != shard["tokens"] or tokens.num_documents != shard["documents"]:
        problems.append(f"{name}: {tokens.num_documents} documents / {len(flat)} tokens, "
                        f"manifest says {shard['documents']} / {shard['tokens']}")
    ends = np.flatnonzero(flat == EOT_ID)
    if len(ends) != tokens.num_documents or (len(flat) and flat[-1] != EOT_ID):
        problems.append(f"{name}: EOT is not exactly once after every document")
    if [tokens.doc_id(i) for i in range(tokens.num_documents)] != text_ids:
        problems.append(f"{name}: documents differ from {shard['text_path']}")
    return problems


def verify_corpus(out_dir: str) -> list[str]:
    try:
        manifest = read_manifest(out_dir)
    except (OSError, ValueError) as error:
        return [f"manifest.json: {error}"]
    problems = []
    for shard in manifest["shards"]:
        paths = {kind: os.path.join(out_dir, shard[f"{kind}_path"]) for kind in ("tokens", "text")}
        missing = [p for p in paths.values() if not os.path.exists(p)]
        if missing:
            problems.extend(f"{p}: missing" for p in missing)
            continue
        hashes_ok = True
        for kind, path in paths.items():
            if checksum(path)[1] != shard[f"{kind}_sha256"]:
                problems.append(f"{shard[f'{kind}_path']}: sha256 differs from the manifest")
                hashes_ok = False
        if not hashes_ok:
            continue  # a damaged file may not even parse
        text_ids = pq.read_table(paths["text"], columns=["doc_id"]).column("doc_id").to_pylist()
        problems.extend(_check_token_shard(shard, TokenShard(paths["tokens"]), text_ids))
    listed = {shard[f"{kind}_path"] for shard in manifest["shards"] for kind in ("tokens", "text")}
    for folder in ("tokens", "text"):
        for name in sorted(os.listdir(os.path.join(out_dir, folder))) if os.path.isdir(
                os.path.join(out_dir, folder)) else []:
            if f"{folder}/{name}" not in listed and not name.startswith("."):
                problems.append(f"{folder}/{name}: not in the manifest (a stray file: a reader that globs "
                                f"{folder}/ would read it as part of the corpus)")
    if sum(s["documents"] for s in manifest["shards"]) != manifest["documents"]:
        problems.append("manifest: shard documents do not add up to its total")
    return problems
