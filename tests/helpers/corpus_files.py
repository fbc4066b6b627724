"""What tests compare of two corpora: shard bytes, link and reject lines, the manifest less its --out and
command line."""

import glob
import json
import os


def files(out) -> dict[str, bytes]:
    """Every shard file's bytes, by its name."""
    return {os.path.relpath(path, out): open(path, "rb").read()
            for path in sorted(glob.glob(f"{out}/tokens/*") + glob.glob(f"{out}/text/*"))}


def lines(out, folder: str) -> list[str]:
    return sorted(
        line for path in glob.glob(f"{out}/{folder}/*.jsonl") for line in open(path, encoding="utf-8")
    )


def manifest(out) -> dict:
    recorded = json.loads((out / "manifest.json").read_text())
    recorded["config"].pop("out")
    recorded.pop("command", None)
    return recorded
