"""What tests compare of two corpora: shard bytes, link and reject lines, the manifest less its --out and
command line."""

import glob
import json
import os


def files(out) -> dict[str, bytes]:
    """Every shard file's bytes, by its name."""
    return {os.path.relpath(path, out): open(path, "rb").read()
            for path in sorted(glob.glob(f"{out}/tokens/*") + glob.glob(f"{out}/text/*"))}


def snapshot(out) -> dict[str, bytes]:
    """Every file under `out` (the corpus folder whole, not only its shards), by its relative name."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def lines(out, folder: str) -> list[str]:
    return sorted(
        line for path in glob.glob(f"{out}/{folder}/*.jsonl") for line in open(path, encoding="utf-8")
    )


def manifest(out) -> dict:
    recorded = json.loads((out / "manifest.json").read_text())
    recorded["config"].pop("out")
    recorded.pop("command", None)
    return recorded


def assert_same_corpus(beam, units) -> None:
    """Two corpora (the one Beam pipeline's and the units engine's) alike: shards byte for byte, links/ and
    rejects/ under the same names with the same lines (in any order), and the manifest but for the one
    figure only Beam has, how many nodes its label-propagation rounds left unsettled (dedup/components.py)."""
    assert files(beam) == files(units)
    for folder in ("links", "rejects"):
        names = [sorted(os.listdir(os.path.join(out, folder))) for out in (beam, units)]
        assert names[0] == names[1], folder
        assert lines(beam, folder) == lines(units, folder), folder
    by_beam, by_units = manifest(beam), manifest(units)
    for recorded in (by_beam, by_units):
        recorded["dedup"].pop("unconverged_nodes")
    assert by_beam == by_units
