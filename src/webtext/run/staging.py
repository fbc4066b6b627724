"""A run builds beside `--out` and replaces the corpus there only when it is complete and verified.

`OUT.staging/` holds the run's shards, links, rejects and manifest; the previous corpus in `OUT/` is
not touched until the manifest has been written and every shard re-hashed against it. Then the
swap: the previous corpus's outputs move to `OUT.previous/`, the new ones move in (the manifest,
which says the corpus is whole, last), and `OUT.previous/` is deleted. The swap is a few renames
under a journal; if even those are cut off, the next run (or `webtext verify`) finishes it (`recover`).
The WARC files of a live crawl are written straight to `OUT/warc/` as pages arrive, so an
interrupted crawl keeps what it fetched and the rerun fetches only the rest.
"""

import json
import logging
import os
import time

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from webtext.atomic import write_atomically
from webtext.engines.base import UNITS_DIR, WORK_DIR
from webtext.kill_points import kill_point
from webtext.shards.reader import MANIFEST_NAME

logger = logging.getLogger(__name__)

# A run in units (launcher.py) keeps its finished units here, under its fingerprint: a killed run
# keeps its staging directory for the rerun that has the same fingerprint.
FINGERPRINT = "fingerprint.json"

# What one run writes into OUT and replaces whole; warc/ is kept across runs.
RUN_OUTPUTS = (
    "tokens",
    "text",
    "links",
    "rejects",
    WORK_DIR,
    "report.html",
    "stats.json",
    "README.md",
    "croissant.json",
)


def staging_dir(out: str) -> str:
    return out.rstrip("/") + ".staging"


def previous_dir(out: str) -> str:
    return out.rstrip("/") + ".previous"


def _path(directory: str, name: str) -> str:
    return FileSystems.join(directory, name)


def _files(path: str) -> list[str]:
    """The files under `path` (or the file `path`) on an object store (gs://, s3://), which has no
    directories."""

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


SHARD_FOLDERS = ("tokens", "text")


def remove_unlisted_shards(staging: str, manifest: dict) -> list[str]:
    """The files in the staging directory's tokens/ and text/ that its manifest does not list (the shards of
    an earlier, failed run that this one resumed), deleted before the swap: OUT holds exactly what its
    manifest lists, and `datasets.load_dataset(OUT)`, which globs text/, reads no document twice."""
    listed = {FileSystems.join(staging, shard[f"{kind}_path"])
              for shard in manifest["shards"] for kind in SHARD_FOLDERS}
    strays = [f for folder in SHARD_FOLDERS for f in _files(_path(staging, folder)) if f not in listed]
    if strays:
        logger.warning("%d files in %s were left by an earlier run and are not this run's: removed",
                       len(strays), staging)
        FileSystems.delete(strays)
    return strays


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


def swap_journal(out: str) -> str:
    """The swap's record, beside `out`: while it exists a swap is under way, or was cut off."""
    return out.rstrip("/") + ".swap.json"


def _write_journal(out: str, phase: str) -> None:
    write_atomically(swap_journal(out), json.dumps({"phase": phase}).encode("utf-8"))


def _journal_phase(out: str) -> str | None:
    try:
        with FileSystems.open(swap_journal(out), compression_type=CompressionTypes.UNCOMPRESSED) as stream:
            return json.loads(stream.read().decode("utf-8"))["phase"]
    except (OSError, ValueError, KeyError):
        return None


def finish_interrupted_swap(out: str) -> bool:
    """Whatever a killed swap left, made whole: the new corpus, if the journal proves it whole (its
    staging directory holds its manifest, which was verified before the swap began, or the swap was past
    moving it in), else the previous one. No file of the previous corpus is deleted unless the new one
    is whole. True when there was one to finish. `recover` and `webtext verify` call it."""
    phase = _journal_phase(out) if _exists(swap_journal(out)) else None
    previous = previous_dir(out)
    if phase is None and not _exists(swap_journal(out)):
        if _exists(previous):  # an earlier version's swap: nothing of what OUT holds is deleted
            logger.warning("an interrupted swap left %s: putting back what %s lacks", previous, out)
            _put_previous_back(out)
            return True
        return False
    if phase == "clean" or phase in ("aside", "in") and _new_is_whole(out, phase):
        logger.warning(
            "an interrupted swap into %s: finishing it (the new corpus was verified before it began)", out
        )
        _roll_forward(out, phase)
        return True
    if phase == "in" and not _exists(previous):
        logger.warning("an interrupted swap into %s left neither the new corpus whole nor the previous one "
                       "in %s: %s is left as it is; build the corpus again", out, previous, out)
        return True
    logger.warning(
        "an interrupted swap left %s without the new corpus: putting the previous one back", out
    )
    _roll_back(out, phase)
    return True


def _roll_back(out: str, phase: str | None) -> None:
    """The previous corpus back in OUT from OUT.previous/, with renames and deletes only (they work on a
    full disk), the journal last."""
    if phase == "in":  # what OUT holds is the new run's part: back where it came from, not deleted
        moved_in = [n for n in (*RUN_OUTPUTS, MANIFEST_NAME) if _exists(_path(out, n))]
        _move(moved_in, out, _mkdirs(staging_dir(out)))
        _move((*RUN_OUTPUTS, MANIFEST_NAME), previous_dir(out), out)
        _delete(previous_dir(out))
    else:  # "aside" (or a journal that cannot be read): OUT holds the previous corpus's files not yet moved
        _put_previous_back(out)
    _delete(swap_journal(out))


def _new_is_whole(out: str, phase: str) -> bool:
    """Whether the new corpus can be finished from where the swap stopped: its verified manifest is in
    staging, or ("in" only: it moves last) already in OUT. In "aside", OUT's manifest is the previous one."""
    return _exists(_path(staging_dir(out), MANIFEST_NAME)) or (
        phase == "in" and _exists(_path(out, MANIFEST_NAME)))


def _mkdirs(folder: str) -> str:
    if "://" not in folder and not FileSystems.exists(folder):
        FileSystems.mkdirs(folder)
    return folder


def _put_previous_back(out: str) -> None:
    """The previous corpus's outputs from OUT.previous/ into OUT, each one OUT lacks; nothing in OUT
    deleted."""
    previous = previous_dir(out)
    _move([n for n in (*RUN_OUTPUTS, MANIFEST_NAME) if not _exists(_path(out, n))], previous, out)
    _delete(previous)


def recover(out: str, fingerprint: str | None = None) -> bool:
    """Before a run: finish a swap that was cut off, and clear an old staging directory, unless it holds
    the units of an interrupted run with this `fingerprint` (then True: resume it). A staging directory
    with units of another run is discarded with one line saying why."""
    finish_interrupted_swap(out)
    if fingerprint is not None and "://" not in out:
        recorded = _fingerprint_of(staging_dir(out))
        if recorded == fingerprint:
            logger.info("resuming the interrupted run in %s", staging_dir(out))
            return True
        if recorded is not None:
            logger.warning(
                "%s holds the units of an interrupted run that cannot be taken up (%s): starting afresh",
                staging_dir(out),
                why_different(recorded, fingerprint),
            )
    _delete(staging_dir(out))
    if fingerprint is not None and "://" not in out:
        os.makedirs(_path(staging_dir(out), UNITS_DIR))
        write_atomically(_path(_path(staging_dir(out), UNITS_DIR), FINGERPRINT), fingerprint.encode("utf-8"))
    return False


def why_different(recorded: str, fingerprint: str) -> str:
    """What changed between two runs' fingerprints (JSON objects), in a few words."""
    try:
        old, new = json.loads(recorded), json.loads(fingerprint)
    except ValueError:
        return "its record is unreadable"
    changed = [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    if "config" in changed and {**old.get("config", {}), "workers": None} == {**new.get("config", {}),
                                                                            "workers": None}:
        changed[changed.index("config")] = "other --workers (a crawl's units are cut by its workers)"
    if "inputs" in changed:
        old_inputs, new_inputs = dict(old.get("inputs", [])), dict(new.get("inputs", []))
        paths = [
            p for p in sorted(set(old_inputs) | set(new_inputs)) if old_inputs.get(p) != new_inputs.get(p)
        ]
        changed[changed.index("inputs")] = (
            "inputs changed: " + ", ".join(paths[:3]) + (" ..." if len(paths) > 3 else "")
        )
    return (
        "; ".join(
            {"config": "other settings", "code": "another version of webtext or its libraries"}.get(c, c)
            for c in changed
        )
        or "another run"
    )


def _fingerprint_of(staging: str) -> str | None:
    try:
        with open(_path(_path(staging, UNITS_DIR), FINGERPRINT), encoding="utf-8") as stream:
            return stream.read()
    except OSError:
        return None


def promote(out: str) -> None:
    """Replace the corpus in `out` with the verified one in its staging directory.

    The swap is journalled (`OUT.swap.json`, on disk before anything moves): "aside" while the previous
    corpus's outputs move to OUT.previous/ (the manifest first: OUT is no corpus until the last rename),
    "in" while the new ones move in (the manifest last), "clean" while the leftovers go. A kill at any
    instant leaves the journal, and the next run or `webtext verify` finishes the swap from it
    (`finish_interrupted_swap`). Nothing of the previous corpus is deleted before the new one is whole
    in place."""
    _delete(previous_dir(out))  # an earlier swap's leftovers, finished already
    _write_journal(out, "aside")  # if this fails (a full disk), nothing has moved
    try:
        _roll_forward(out, "aside")
    except OSError as error:  # a full disk at a journal write: renames undo what renames did
        phase = _journal_phase(out)
        if phase == "clean":
            raise SwapFailed(error, out, "the new corpus is in place; `webtext verify` tidies up") from error
        try:
            _roll_back(out, phase)
        except OSError:
            raise SwapFailed(error, out, f"the swap was cut off: `webtext verify {out}` finishes it once "
                                         "the disk has room") from error
        raise SwapFailed(error, out, f"the previous corpus is in place in {out}") from error


class SwapFailed(OSError):
    """The swap met an operating-system error (a full disk): says what OUT holds now."""

    def __init__(self, error: OSError, out: str, state: str):
        super().__init__(error.errno, error.strerror, error.filename)
        self.state = state


def _roll_forward(out: str, phase: str) -> None:
    staging, previous = staging_dir(out), previous_dir(out)
    if phase == "aside":
        if "://" not in previous:
            FileSystems.mkdirs(previous) if not FileSystems.exists(previous) else None
        for name in (MANIFEST_NAME, *RUN_OUTPUTS):
            kill_point(f"swap-aside-{name}")
            if _exists(_path(out, name)):
                _move([name], out, previous)
        _write_journal(out, phase := "in")
    if phase == "in":
        for name in (*RUN_OUTPUTS, MANIFEST_NAME):
            kill_point(f"swap-in-{name}")
            if _exists(_path(staging, name)):
                _move([name], staging, out)
        _write_journal(out, "clean")
    kill_point("swap-clean")
    _delete(previous)
    _delete(staging)
    _delete(swap_journal(out))
