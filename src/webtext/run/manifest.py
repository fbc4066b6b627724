"""manifest.json: how a corpus was made and what it holds, checked after writing.

Config, package versions, input checksums, per-stage accounting, dedup
parameters, and every shard with its sha256, documents and tokens. It holds no
wall-clock time or host name, so two runs of one config give the same manifest.
"""

import json
import os
from importlib import metadata

from apache_beam.io.filesystems import FileSystems

from webtext.atomic import checksum, write_atomically
from webtext.dedup.summary import dedup_summary
from webtext.engines.config import CorpusConfig
from webtext.shards.gpt2 import EOT_ID, TOKENIZER_NAME, vocabulary_sha256
from webtext.shards.reader import MANIFEST_NAME

FORMAT_VERSION = 1
PACKAGES = ("webtext", "apache-beam", "trafilatura", "datasketch", "tiktoken", "pyarrow", "numpy",
            "py3langid", "courlan", "warcio", "zstandard", "requests", "protego")


class ManifestError(RuntimeError):
    """The outputs do not match what the manifest says."""


def portable_path(path: str) -> str:
    """A path as the manifest records it, so the same run in another checkout gives the same manifest:
    the bundled sample as `webtext:sample/NAME`, a local path under the working directory relative to
    it, anything else (another folder, gs://, s3://) as given."""
    if "://" in path:
        return path
    from webtext.sample.paths import sample_dir

    absolute = os.path.abspath(path)
    if os.path.dirname(absolute) == os.path.abspath(sample_dir()):
        return f"webtext:sample/{os.path.basename(absolute)}"
    relative = os.path.relpath(absolute)
    return relative if not relative.startswith("..") else path


def file_checksum(path: str) -> dict:
    size, sha256 = checksum(path)
    return {"path": portable_path(path), "bytes": size, "sha256": sha256}


def _portable_config(config: CorpusConfig) -> dict:
    recorded = config.to_json()
    for name in ("inputs", "url_lists"):
        recorded[name] = [portable_path(p) for p in recorded[name]]
    recorded["fetch"]["warc"] = [portable_path(p) for p in recorded["fetch"]["warc"]]
    recorded["out"] = portable_path(recorded["out"])
    return recorded


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _relative(path: str, out_dir: str) -> str:
    return path[len(out_dir):].lstrip("/") if path.startswith(out_dir) else path


def build_manifest(
    config: CorpusConfig,
    inputs: list[str],
    url_lists: list[str],
    warc: list[str],
    stages: dict,
    shards: list[dict],
    dedup_stats: list = (),
    shard_root: str | None = None,
) -> dict:
    """The manifest of a run of `config`; shard paths are made relative to `shard_root` (where the run
    wrote them: its staging directory), default `config.out`."""
    root = shard_root or config.out
    shards = sorted(shards, key=lambda s: (s["split"], s["index"]))
    files = [
        {
            "split": s["split"],
            "index": s["index"],
            "count": s["count"],
            "documents": s["documents"],
            "tokens": s["tokens"],
            "text_bytes": s["text_bytes"],
            "tokens_path": _relative(s["tokens_path"], root),
            "tokens_sha256": s["tokens_sha256"],
            "text_path": _relative(s["text_path"], root),
            "text_sha256": s["text_sha256"],
        }
        for s in shards
    ]
    splits = {}
    for s in files:
        split = splits.setdefault(s["split"], {"documents": 0, "tokens": 0, "text_bytes": 0, "shards": 0})
        for key in ("documents", "tokens", "text_bytes"):
            split[key] += s[key]
        split["shards"] += 1
    return {
        "format_version": FORMAT_VERSION,
        "config": _portable_config(config),
        "versions": package_versions(),
        "inputs": {
            "dumps": [file_checksum(p) for p in inputs],
            "url_lists": [file_checksum(p) for p in url_lists],
            "warc": [file_checksum(p) for p in warc],
        },
        "tokenizer": {
            "name": TOKENIZER_NAME,
            "vocabulary_sha256": vocabulary_sha256(),
            "eot_id": EOT_ID,
            "eot_placement": "after_each_document",
            "dtype": "uint16",
        },
        "dedup": dedup_summary(config.dedup, [(tuple(key), n) for key, n in dedup_stats]),
        "stages": stages,
        "splits": splits,
        "documents": sum(s["documents"] for s in files),
        "tokens": sum(s["tokens"] for s in files),
        "text_bytes": sum(s["text_bytes"] for s in files),
        "shards": files,
    }


def verify_shards(manifest: dict, out_dir: str) -> None:
    """Re-hash every shard file; raise ManifestError on the first mismatch."""
    for shard in manifest["shards"]:
        for kind in ("tokens", "text"):
            path = FileSystems.join(out_dir, shard[f"{kind}_path"])
            actual = file_checksum(path)["sha256"]
            if actual != shard[f"{kind}_sha256"]:
                raise ManifestError(f"{path}: sha256 {actual} != manifest {shard[f'{kind}_sha256']}")


def write_manifest(manifest: dict, out_dir: str) -> str:
    path = FileSystems.join(out_dir, MANIFEST_NAME)
    write_atomically(
        path, (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    )
    return path


