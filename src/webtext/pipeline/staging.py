"""A run builds beside `--out` and replaces the corpus there only when it is complete and verified.

`OUT.staging/` holds the run's shards, links, rejects and manifest; the previous corpus in `OUT/` is
not touched until the manifest has been written and every shard re-hashed against it. Then the
swap: the previous corpus's outputs move to `OUT.previous/`, the new ones move in (the manifest,
which says the corpus is whole, last), and `OUT.previous/` is deleted. The swap is a few renames;
if even those are interrupted, the next run puts back whichever corpus is complete (`recover`).
The WARC files of a live crawl are written straight to `OUT/warc/` as pages arrive, so an
interrupted crawl keeps what it fetched and the rerun fetches only the rest.
"""

import logging

from apache_beam.io.filesystems import FileSystems

from webtext.pipeline.build import WORK_DIR
from webtext.tokenize.reader import MANIFEST_NAME

logger = logging.getLogger(__name__)

# What one run writes into OUT and replaces whole; warc/ is kept across runs.
RUN_OUTPUTS = ("tokens", "text", "links", "rejects", WORK_DIR, "report.html", "stats.json")


def staging_dir(out: str) -> str:
    return out.rstrip("/") + ".staging"


def previous_dir(out: str) -> str:
    return out.rstrip("/") + ".previous"


def _path(directory: str, name: str) -> str:
    return FileSystems.join(directory, name)


def _delete(path: str) -> None:
    if FileSystems.exists(path):
        FileSystems.delete([path])


def _move(names, source: str, target: str) -> None:
    for name in names:
        if FileSystems.exists(_path(source, name)):
            FileSystems.rename([_path(source, name)], [_path(target, name)])


def check_writable(out: str) -> None:
    """Before any work: `out` (a local one) must be a directory, or creatable, and writable, and so must
    the folder its staging directory goes in; OSError with one clear line otherwise."""
    if "://" in out:
        return  # object stores: their own errors come at the first write
    import os

    if os.path.exists(out) and not os.path.isdir(out):
        raise NotADirectoryError(f"--out {out} is a file, not a directory")
    parent = os.path.dirname(os.path.abspath(out.rstrip("/"))) or "/"
    for folder in ([out] if os.path.isdir(out) else []) + [parent]:
        if os.path.isdir(folder) and not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(f"--out {out}: cannot write in {folder}")


def recover(out: str) -> None:
    """Before a run: finish or undo a swap that was interrupted, and clear an old staging directory."""
    previous = previous_dir(out)
    if FileSystems.exists(previous):
        if FileSystems.exists(_path(out, MANIFEST_NAME)):  # the new corpus had fully moved in
            _delete(previous)
        else:  # cut off mid-swap: the previous corpus goes back, whole
            logger.warning("an interrupted swap left %s: putting the previous corpus back", previous)
            for name in (*RUN_OUTPUTS, MANIFEST_NAME):
                _delete(_path(out, name))
            _move((*RUN_OUTPUTS, MANIFEST_NAME), previous, out)
            _delete(previous)
    _delete(staging_dir(out))


def promote(out: str) -> None:
    """Replace the corpus in `out` with the verified one in its staging directory."""
    staging, previous = staging_dir(out), previous_dir(out)
    FileSystems.mkdirs(previous)
    _move((MANIFEST_NAME, *RUN_OUTPUTS), out, previous)  # the manifest first: OUT is no corpus until the last rename
    _move((*RUN_OUTPUTS, MANIFEST_NAME), staging, out)
    _delete(previous)
    _delete(staging)
