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
import os
import time

from apache_beam.io.filesystems import FileSystems

from webtext.pipeline.build import WORK_DIR
from webtext.shards.reader import MANIFEST_NAME

logger = logging.getLogger(__name__)

# A run in units (local_run.py) keeps its finished units here, under its fingerprint: a killed run
# keeps its staging directory for the rerun that has the same fingerprint.
UNITS_DIR = "_units"
FINGERPRINT = "fingerprint.json"

# What one run writes into OUT and replaces whole; warc/ is kept across runs.
RUN_OUTPUTS = ("tokens", "text", "links", "rejects", WORK_DIR, "report.html", "stats.json")


def staging_dir(out: str) -> str:
    return out.rstrip("/") + ".staging"


def previous_dir(out: str) -> str:
    return out.rstrip("/") + ".previous"


def _path(directory: str, name: str) -> str:
    return FileSystems.join(directory, name)


def _files(path: str) -> list[str]:
    """The files under `path` (or the file `path`) on an object store (gs://, s3://), which has no directories."""
    def matched(pattern: str) -> list[str]:
        try:
            return sorted(m.path for result in FileSystems.match([pattern]) for m in result.metadata_list)
        except Exception:  # noqa: BLE001 (Beam raises BeamIOError for a pattern that matches nothing)
            return []
    return matched(path.rstrip("/") + "/**") or matched(path)


def _retried(operation, attempts: int = 3):
    """An object store's call, tried again after a transient failure (as a runner retries a bundle)."""
    for attempt in range(attempts):
        try:
            return operation()
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * 2**attempt)


def _exists(path: str) -> bool:
    return FileSystems.exists(path) if "://" not in path else bool(_files(path))


def _delete(path: str) -> None:
    if "://" in path:  # an object store: every object under the prefix
        if files := _files(path):
            FileSystems.delete(files)
    elif FileSystems.exists(path):
        FileSystems.delete([path])


def _move(names, source: str, target: str) -> None:
    """Each named output from `source` to `target`: one rename locally, object by object on a store."""
    for name in names:
        origin, destination = _path(source, name), _path(target, name)
        if "://" not in origin:
            if FileSystems.exists(origin):
                FileSystems.rename([origin], [destination])
            continue
        files = _files(origin)
        if files:
            destinations = [destination + f[len(origin):] for f in files]
            for folder in sorted({FileSystems.split(d)[0] for d in destinations}):
                try:  # an object store has no folders (a no-op there); a filesystem behind a scheme has
                    FileSystems.mkdirs(folder)
                except OSError:  # it exists already
                    pass
            _retried(lambda: FileSystems.rename(files, destinations))


def check_writable(out: str) -> None:
    """Before any work: `out` (a local one) must be a directory, or creatable, and writable, and so must
    the folder its staging directory goes in; OSError with one clear line otherwise."""
    if "://" in out:
        return  # object stores: their own errors come at the first write
    if os.path.exists(out) and not os.path.isdir(out):
        raise NotADirectoryError(f"--out {out} is a file, not a directory")
    parent = os.path.dirname(os.path.abspath(out.rstrip("/"))) or "/"
    for folder in ([out] if os.path.isdir(out) else []) + [parent]:
        if os.path.isdir(folder) and not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(f"--out {out}: cannot write in {folder}")


def recover(out: str, fingerprint: str | None = None) -> bool:
    """Before a run: finish or undo a swap that was interrupted, and clear an old staging directory,
    unless it holds the units of an interrupted run with this `fingerprint` (then True: resume it)."""
    previous = previous_dir(out)
    if _exists(previous):
        if _exists(_path(out, MANIFEST_NAME)):  # the new corpus had fully moved in
            _delete(previous)
        else:  # cut off mid-swap: the previous corpus goes back, whole
            logger.warning("an interrupted swap left %s: putting the previous corpus back", previous)
            for name in (*RUN_OUTPUTS, MANIFEST_NAME):
                _delete(_path(out, name))
            _move((*RUN_OUTPUTS, MANIFEST_NAME), previous, out)
            _delete(previous)
    if fingerprint is not None and "://" not in out and _fingerprint_of(staging_dir(out)) == fingerprint:
        logger.info("resuming the interrupted run in %s", staging_dir(out))
        return True
    _delete(staging_dir(out))
    if fingerprint is not None and "://" not in out:
        os.makedirs(_path(staging_dir(out), UNITS_DIR))
        with open(_path(_path(staging_dir(out), UNITS_DIR), FINGERPRINT), "w", encoding="utf-8") as stream:
            stream.write(fingerprint)
    return False


def _fingerprint_of(staging: str) -> str | None:
    try:
        with open(_path(_path(staging, UNITS_DIR), FINGERPRINT), encoding="utf-8") as stream:
            return stream.read()
    except OSError:
        return None


def promote(out: str) -> None:
    """Replace the corpus in `out` with the verified one in its staging directory."""
    staging, previous = staging_dir(out), previous_dir(out)
    if "://" not in previous:
        FileSystems.mkdirs(previous)
    _move((MANIFEST_NAME, *RUN_OUTPUTS), out, previous)  # the manifest first: OUT is no corpus until the last rename
    _move((*RUN_OUTPUTS, MANIFEST_NAME), staging, out)
    _delete(previous)
    _delete(staging)
