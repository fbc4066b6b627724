"""What a run in units is a run of: its settings, the contents of its inputs and its code.

A killed run's finished units are taken up by the next run only when all three are the same: units made
from other inputs, settings or code would be silently wrong. Inputs are known by content, within what a
rerun can afford to read before any work starts:
- files up to FULLY_HASHED bytes (URL lists, eval sets, the sample, small dumps): sha256 of every byte;
- larger ones (month dumps, WARC files of GBs): size, modification time, and on a local disk the inode and
  its change time, which the kernel moves on every write and which no tool can set back (a rewrite of the
  same size with its modification time restored still changes it), plus sha256 of SAMPLED_BLOCKS blocks
  of SAMPLE_BLOCK bytes spread over the file, the first and the last included.
The code is webtext's version, a hash of its source files and the versions of the libraries that shape
the output (manifest.PACKAGES).
"""

import functools
import hashlib
import json
import os

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from webtext.atomic import checksum, size_and_mtime
from webtext.engines.config import CorpusConfig

FULLY_HASHED = 64 << 20
SAMPLED_BLOCKS = 16
SAMPLE_BLOCK = 1 << 20


def input_identity(path: str) -> dict:
    """What says a file is the same file with the same bytes (see the module's docstring)."""
    size, mtime = size_and_mtime(path)
    identity = {"bytes": size, "mtime": mtime}
    if "://" not in path:
        status = os.stat(path)
        identity.update(inode=status.st_ino, ctime_ns=status.st_ctime_ns)
    if size <= FULLY_HASHED:
        identity["sha256"] = checksum(path)[1]
        return identity
    digest = hashlib.sha256()
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        step = (size - SAMPLE_BLOCK) // (SAMPLED_BLOCKS - 1)
        for block in range(SAMPLED_BLOCKS):
            stream.seek(block * step)
            digest.update(stream.read(SAMPLE_BLOCK))
    identity["sampled_sha256"] = digest.hexdigest()
    return identity


@functools.cache
def code_identity() -> dict:
    """webtext's version, a sha256 over its source files (path and bytes) and its libraries' versions."""
    from webtext.run.manifest import package_versions

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for folder, dirs, names in sorted(os.walk(package)):
        dirs.sort()
        for name in sorted(n for n in names if n.endswith(".py")):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, package).encode() + b"\0")
            with open(path, "rb") as stream:
                digest.update(stream.read())
    return {"source_sha256": digest.hexdigest(), "versions": package_versions()}


def eval_set_paths(config: CorpusConfig) -> list[str]:
    """The files of the --decontaminate eval sets (NAME=PATH)."""
    from webtext.evalsets import parse_named
    from webtext.sources.dumps import expand_globs

    return expand_globs([parse_named(spec)[1] for spec in config.filters.decontaminate])


def run_fingerprint(config: CorpusConfig, paths: list[str], unit_links: int, workers: int = 1) -> str:
    """The fingerprint of a run in units (JSON): the same exactly when its units may be taken up. A crawl's
    fetch units are cut by the workers there are (steps.write_chunks), so its workers are in it too (a
    crawl resumed with other --workers starts its units afresh, and reads back, not refetches, its pages)."""
    inputs = [(path, input_identity(path)) for path in [*paths, *eval_set_paths(config)]]
    # none of these changes what units hold
    recorded = {**config.to_json(), "out": None, "max_error_share": None, "accept_damaged_inputs": None}
    units = {"unit_links": unit_links, **({"workers": workers} if config.fetch.crawls else {})}
    return json.dumps({"config": {"settings": recorded, **units}, "inputs": inputs,
                       "code": code_identity()}, sort_keys=True)
