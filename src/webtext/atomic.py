"""Atomic, idempotent writes, streamed checksums and file facts through Beam's filesystems (local, gs://,
s3://)."""

import contextlib
import hashlib
import os
import uuid

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems


def write_atomically(path: str, data: bytes) -> str:
    """Write under a temporary name, then rename over `path`; return the sha256 of the bytes.

    Beam retries bundles, so a second write of the same path replaces the first; a write
    that fails takes its temporary file with it, where it can. The temporary name is the writer's
    own (process and a random part): two writers never write into one temporary file. A local
    file is on disk (fsynced) before its rename, so a crash cannot leave `path` naming lost bytes.
    """
    if "://" in path:
        directory, name = path.rsplit("/", 1)
    else:  # a bare name ("out.swap.json" for --out out) is in the current folder
        directory, name = os.path.dirname(path) or ".", os.path.basename(path)
    temporary = FileSystems.join(directory, f".tmp-{name}-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    try:
        if "://" not in path:
            os.makedirs(directory, exist_ok=True)  # as FileSystems.create does
            with open(temporary, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
            with contextlib.suppress(FileNotFoundError):  # the one temporary name of earlier versions
                os.remove(os.path.join(directory, f".tmp-{name}"))
        else:
            # UNCOMPRESSED: Beam would otherwise gzip a second time any name ending in .gz
            with FileSystems.create(temporary, compression_type=CompressionTypes.UNCOMPRESSED) as out:
                out.write(data)
            if FileSystems.exists(path):
                FileSystems.delete([path])
            FileSystems.rename([temporary], [path])
    except Exception:
        with contextlib.suppress(Exception):  # the write's own error is the one to report
            FileSystems.delete([temporary])
        raise
    return hashlib.sha256(data).hexdigest()


def remove_dead_writers_temporaries(root: str, prefix: str = "", recursive: bool = True) -> None:
    """The temporary files (`.tmp-<prefix>...`) in the local folder `root` (and below it) left by writers
    that were killed before their rename (their process is gone); a live writer's is its own to finish.
    Once per run and folder, not at every write: a crawl's warc/ holds hundreds of thousands of files."""
    if "://" in root or not os.path.isdir(root):
        return
    for folder, dirs, names in os.walk(root):
        for name in names:
            if not name.startswith(f".tmp-{prefix}"):
                continue
            _, pid, token = (["", "", ""] + name.rsplit("-", 2))[-3:]
            live = pid.isdigit() and len(token) == 12 and _alive(int(pid))  # `.tmp-NAME-PID-RANDOM`
            if not live:
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(folder, name))
        if not recursive:
            dirs.clear()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def checksum(path: str) -> tuple[int, str]:
    """(bytes, sha256 hex) of a file, streamed a MiB at a time."""
    digest, size = hashlib.sha256(), 0
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def size_and_mtime(path: str) -> tuple[int, float]:
    """(bytes, last modified, in seconds) of a file, local or on an object store."""
    metadata = FileSystems.match([path])[0].metadata_list[0]
    return metadata.size_in_bytes, metadata.last_updated_in_seconds
