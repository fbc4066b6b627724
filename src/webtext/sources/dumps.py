"""Stream the lines of Pushshift-format dumps, whatever their compression.

Real `RS_YYYY-MM.zst` dumps are one zstd frame with a 2 GiB window
(`zstd --long=31`); a reader with the default window limit fails on them, and
one OpenWebText script silently dropped the rest of the file. Files are read
through Beam's filesystems so `gs://` and `s3://` paths work, and streamed:
nothing is ever loaded whole.
"""

import bz2
import io
import lzma
import os
import stat
import zlib
from collections.abc import Iterator
from typing import NamedTuple

import zstandard
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from webtext.records import DamagedFileError
from webtext.settings import ConfigError

ZSTD_MAX_WINDOW = 2**31  # the Pushshift dumps' window


class UnsupportedDumpError(ValueError):
    pass


def file_position(stream) -> int:
    """How far into the file a reader has got; -1 where the stream cannot say."""
    try:
        return stream.tell()
    except (OSError, ValueError, AttributeError):
        return -1


class TruncatedDumpError(EOFError):
    """The compressed stream ended inside a frame: the file is cut short."""


def _zstd() -> object:
    return zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW).decompressobj()


# name ending -> a fresh incremental decompressor of one frame (member, stream), with .decompress(data),
# .eof and .unused_data: each gives what it has decompressed as it goes, so the bytes before a damage are
# all read (a gzip.GzipFile loses what it had decompressed in the read that meets the damage).
DECOMPRESSORS = {".zst": _zstd, ".zstd": _zstd, ".gz": lambda: zlib.decompressobj(wbits=31),
                 ".xz": lzma.LZMADecompressor, ".bz2": bz2.BZ2Decompressor}


# Compressed bytes given to a decompressor a call. Each call's output is then bounded by the format's
# largest ratio on so little input (zstd's RLE blocks: 32 MiB), so a small file holding one enormous line
# is read in bounded memory; slicing costs nothing measurable (bench: 1 KiB against 1 MiB pieces).
PIECE = 1 << 10


class _Frames(io.RawIOBase):
    """Decompresses every frame of a stream (zstd frames, gzip members, xz and bz2 streams, one after
    another), giving back every byte decompressed before a damage; raises when the data ends inside a
    frame (zstandard's own stream_reader, and gzip at the end of a member, return a clean end of file)
    or when a frame is corrupt, only once everything before it has been read. The compressed input goes
    in a PIECE at a time and is handed out without copying what is left: linear time, bounded memory."""

    def __init__(self, raw, new_frame):
        self._raw, self._new_frame = raw, new_frame
        self._frame = new_frame()
        self._pending = memoryview(b"")  # decompressed, not yet read
        self._input = memoryview(b"")  # compressed, not yet given to the decompressor
        self._in_frame = False
        self._error: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            if self._error is not None:
                raise self._error
            if not self._input:
                chunk = self._raw.read(1 << 20)
                if not chunk:
                    if self._in_frame:
                        raise TruncatedDumpError("the compressed data ends inside a frame")
                    return 0
                self._input = memoryview(chunk)
            piece, self._input = self._input[:PIECE], self._input[PIECE:]
            try:
                self._pending = memoryview(self._decompress(bytes(piece)))
            except UNREADABLE as error:  # given back once the bytes before it are read
                self._error, self._input = error, memoryview(b"")
        size = min(len(buffer), len(self._pending))
        buffer[:size], self._pending = self._pending[:size], self._pending[size:]
        return size

    def _decompress(self, piece: bytes) -> bytes:
        out = []
        while piece:
            self._in_frame = True
            out.append(self._frame.decompress(piece))
            if not self._frame.eof:
                break
            self._in_frame = False  # a frame ended; anything after it starts the next one
            piece, self._frame = self._frame.unused_data, self._new_frame()
        return b"".join(out)


PLAIN = (".jsonl", ".json", ".ndjson", ".txt")


def check_dump_name(path: str) -> None:
    """UnsupportedDumpError for a file whose name says it is no dump or URL list webtext can read (a
    glob that caught a previous run's report.html, say): refused before any work."""
    name = path.lower()
    if not (name.endswith((*DECOMPRESSORS, *PLAIN)) or "." not in name.rsplit("/", 1)[-1]):
        raise UnsupportedDumpError(f"{path}: unknown dump format (expected .zst, .jsonl, .gz, .xz or .bz2)")


def decompressed(raw, path: str):
    check_dump_name(path)
    name = path.lower()
    for ending, new_frame in DECOMPRESSORS.items():
        if name.endswith(ending):
            return _Frames(raw, new_frame)
    return raw


UNREADABLE = (zstandard.ZstdError, EOFError, OSError, lzma.LZMAError, zlib.error)


# Lines longer than this are a `line_too_long` drop (--max_line_bytes): no submission is near it.
MAX_LINE_BYTES = 1 << 20


class LineTooLong(NamedTuple):
    """A line past the cap, in place of its bytes (which were skipped, never held)."""
    length: int


def iter_lines(path: str, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | LineTooLong]]:
    """Yield (1-based line number, raw line bytes without its newline) of a dump, or a LineTooLong for a
    line of more than `max_line_bytes` (read past in bounded memory); a file that stops being readable
    (truncated, corrupt, not what its name says) raises DamagedFileError after the lines read so far."""
    raw = FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    with raw:
        try:
            with io.BufferedReader(decompressed(raw, path), buffer_size=1 << 20) as stream:
                number = 0
                while line := stream.readline(max_line_bytes + 1):
                    number += 1
                    if line.endswith(b"\n") or len(line) <= max_line_bytes:
                        yield number, line.rstrip(b"\n")
                        continue
                    length = len(line)
                    while (more := stream.readline(1 << 20)) and not more.endswith(b"\n"):
                        length += len(more)
                    yield number, LineTooLong(length + len(more.rstrip(b"\n")))
        except UNREADABLE as error:
            raise DamagedFileError(
                path, file_position(raw), f"{type(error).__name__}: {error}"[:200]
            ) from error


class NotARegularFile(ConfigError):
    """An input that is a device, FIFO or pipe: it cannot be fingerprinted, resumed or read twice."""


def _check_regular(path: str) -> None:
    """NotARegularFile for a local input that is no regular file (/dev/zero, a FIFO, `<(...)`): hashing it
    would never end or drain it, and the units engine and the Beam pipeline each read inputs more than
    once. Refused before any work, with what to do."""
    if "://" in path:
        return
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # a missing file is FileNotFoundError at its match
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise NotARegularFile(f"{path} is not a regular file (a device, FIFO or pipe): save what it gives "
                              "to a file and pass that")


def expand_globs(patterns: tuple[str, ...]) -> list[str]:
    """Every file the patterns match, sorted; a pattern that matches nothing is an error, and so is a
    match that is not a regular file."""
    paths = []
    for pattern in patterns:
        _check_regular(pattern)
        if "://" not in pattern and os.path.isdir(pattern):
            raise IsADirectoryError(
                f"{pattern} is a directory: name its files, e.g. '{pattern.rstrip('/')}/*.zst'"
            )
        matched = [m.path for result in FileSystems.match([pattern]) for m in result.metadata_list]
        if not matched:
            raise FileNotFoundError(f"no file matches {pattern!r}")
        for path in matched:
            _check_regular(path)
        paths.extend(matched)
    return sorted(set(paths))
