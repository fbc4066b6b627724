"""Atomic, idempotent writes, streamed checksums and file facts through Beam's filesystems (local, gs://, s3://)."""

import contextlib
import hashlib

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems


def write_atomically(path: str, data: bytes) -> str:
    """Write under a temporary name, then rename over `path`; return the sha256 of the bytes.

    Beam retries bundles, so a second write of the same path replaces the first; a write
    that fails takes its temporary file with it, where it can.
    """
    directory, name = path.rsplit("/", 1)
    temporary = FileSystems.join(directory, f".tmp-{name}")
    try:
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
