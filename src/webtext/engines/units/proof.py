"""A finished unit proves itself: its completion record lists every file it wrote with size and sha256.

A unit's directory is built under a temporary name; when its files are written, each is fsynced, the
record (`done.json`) is written and fsynced last, then the directory is renamed into place and its
parent fsynced. A rerun takes a unit up only if its record is there and every file still matches it:
a file cut short, a flipped byte, a unit half-written by a crash of the machine, or a record from an
older webtext (none) is redone, never trusted. The same for single files the run keeps (the WARC index):
`seal_file` writes `<path>.done.json` beside it.
"""

import json
import os

from webtext.atomic import checksum, write_atomically

RECORD = "done.json"


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_record(path: str, record: dict) -> None:
    write_atomically(path, json.dumps(record, sort_keys=True).encode("utf-8"))  # fsynced before its rename


def _files_of(directory: str) -> list[str]:
    """Every file under `directory`, as paths relative to it, sorted; the record itself left out."""
    found = []
    for folder, dirs, names in os.walk(directory):
        dirs.sort()
        found += [os.path.relpath(os.path.join(folder, name), directory) for name in names]
    return sorted(name for name in found if name != RECORD)


def seal_dir(directory: str) -> None:
    """Each file of `directory` on disk, then its completion record."""
    files = {}
    for name in _files_of(directory):
        path = os.path.join(directory, name)
        _fsync(path)
        files[name] = list(checksum(path))
    _write_record(os.path.join(directory, RECORD), {"files": files})
    _fsync(directory)


def commit_dir(partial: str, final: str) -> bool:
    """The sealed `partial` renamed to `final`, the rename itself on disk; False when `final` exists (the
    same unit, finished meanwhile by another process: the same bytes)."""
    try:
        os.rename(partial, final)
    except OSError:
        return False
    _fsync(os.path.dirname(final) or ".")
    return True


def _listed_problem(directory: str, files: dict) -> str | None:
    for name, (size, sha256) in sorted(files.items()):
        path = os.path.join(directory, name)
        try:
            actual = checksum(path)
        except OSError:
            return f"{name} is missing"
        if actual[0] != size:
            return f"{name} has {actual[0]} bytes, not {size}"
        if actual[1] != sha256:
            return f"{name} does not match its checksum"
    return None


def dir_problem(directory: str) -> str | None:
    """Why the unit in `directory` cannot be taken up (a few words), or None when it is whole."""
    try:
        with open(os.path.join(directory, RECORD), encoding="utf-8") as stream:
            files = json.load(stream)["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return "it has no readable completion record"
    return _listed_problem(directory, files)


def seal_file(path: str) -> None:
    _fsync(path)
    _write_record(f"{path}.{RECORD}", {"files": {os.path.basename(path): list(checksum(path))}})


def file_problem(path: str) -> str | None:
    """Why the sealed file at `path` cannot be trusted, or None."""
    try:
        with open(f"{path}.{RECORD}", encoding="utf-8") as stream:
            files = json.load(stream)["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return "it has no readable completion record"
    return _listed_problem(os.path.dirname(path), files)
