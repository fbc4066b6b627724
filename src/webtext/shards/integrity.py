"""Token shards checked against the manifest before anything downstream reads them.

`export` and `train` read token shards as memory maps, which cannot notice a flipped byte. Each
shard of a split is re-hashed (sha256, as `webtext verify` does) and compared with the manifest;
the result is remembered in `.verified.json` beside the manifest, keyed by the file's size,
modification time, change time and inode, so a corpus is hashed once, not at every start. A shard
that was replaced, written or touched since is hashed again.
"""

import hashlib
import json
import logging
import os

logger = logging.getLogger(__name__)

CACHE_NAME = ".verified.json"


class CorpusDamaged(ValueError):
    """A shard that is missing or differs from the manifest; the message names it and `webtext verify`."""


def _sha256(path: str) -> str:
    # Not atomic.checksum: that reads through Beam's filesystems, and the GPU machines `train` runs
    # on may have no Beam (a local corpus is all the trainer reads).
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _read_cache(out_dir: str) -> dict:
    try:
        with open(os.path.join(out_dir, CACHE_NAME), encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return {}


def _write_cache(out_dir: str, cache: dict) -> None:
    path = os.path.join(out_dir, CACHE_NAME)
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as out:
            json.dump(cache, out, sort_keys=True)
        os.replace(path + ".tmp", path)
    except OSError:  # a read-only corpus: checked again next time, which is only slower
        pass


def check_token_shards(out_dir: str, manifest: dict, split: str | None = None) -> list[str]:
    """The local paths of the token shards of `split` (all when None), each checked against the
    manifest; raise CorpusDamaged on the first that is missing or differs."""
    damaged = manifest.get("damaged_inputs", [])
    if damaged and not manifest.get("config", {}).get("accept_damaged_inputs"):
        logger.warning("%s was built from %d input(s) read only in part (`webtext verify %s` names them)",
                       out_dir, len(damaged), out_dir)
    cache, changed, paths = _read_cache(out_dir), False, []
    for shard in manifest["shards"]:
        if split is not None and shard["split"] != split:
            continue
        path = os.path.join(out_dir, shard["tokens_path"])
        try:
            stat = os.stat(path)
        except OSError as error:
            raise CorpusDamaged(f"{path}: missing ({error.strerror}); `webtext verify {out_dir}` checks the "
                                f"whole corpus") from error
        # The change time moves on every write and cannot be set back (a modification time can): a byte
        # flipped in place with the modification time restored is hashed again.
        key = shard["tokens_path"]
        seen = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, shard["tokens_sha256"]]
        if cache.get(key) != seen:
            if _sha256(path) != shard["tokens_sha256"]:
                raise CorpusDamaged(
                    f"{shard['tokens_path']}: sha256 differs from the manifest; the corpus is "
                    f"damaged (`webtext verify {out_dir}` lists every problem)"
                )
            cache[key], changed = seen, True
        paths.append(path)
    if changed:
        _write_cache(out_dir, cache)
    return paths
