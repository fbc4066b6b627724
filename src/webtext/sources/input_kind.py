"""What an input file holds, told from its first bytes (decompressed): WARC records, a Pushshift dump (JSON
lines) or a list of URLs. A file given to the wrong flag is refused before anything is read in bulk: a
WARC read as a dump was 130,051 lines dropped one by one, and then an empty corpus."""

import gzip
import io

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from webtext.settings import ConfigError
from webtext.sources.dumps import check_dump_name, decompressed

WARC, DUMP, URLS = "WARC records", "a Pushshift dump (JSON lines)", "a list of URLs"
SNIFF_BYTES = 1 << 16
# The flag each kind of file belongs to.
FLAG_OF = {WARC: "--warc", DUMP: "--input", URLS: "--urls"}


def _head(path: str) -> bytes:
    """Up to SNIFF_BYTES of the file's decompressed start; b"" when it cannot be read (cut short, corrupt,
    a name no reader takes): its reader names the trouble, once the run reads it."""
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as raw:
            start = raw.read(SNIFF_BYTES)
        if start[:2] == b"\x1f\x8b":  # gzip, whatever the name says (a .warc.gz, a .gz dump)
            return gzip.GzipFile(fileobj=io.BytesIO(start)).read1(SNIFF_BYTES)
        check_dump_name(path)
        return decompressed(io.BytesIO(start), path).read(SNIFF_BYTES) or b""
    except Exception:  # noqa: BLE001 (any reader's error: the sniff says nothing, the run says why)
        return b""


def kind_of(path: str) -> str | None:
    """WARC, DUMP or URLS by the first line that is not blank; None when the start says nothing."""
    for line in _head(path).lstrip(b"\xef\xbb\xbf").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith(b"WARC/"):
            return WARC
        if line.startswith(b"{"):
            return DUMP
        if line.lower().startswith((b"http://", b"https://")):
            return URLS
        return None
    return None


def check_kind(flag: str, path: str) -> None:
    """ConfigError naming the right flag when `path` holds another kind of input than `flag` reads."""
    if "://" in path:
        return  # an object store's file: read by its reader, not fetched twice to be sniffed
    found = kind_of(path)
    if found is not None and FLAG_OF[found] != flag:
        raise ConfigError(f"{flag} {path}: the file holds {found}, not what {flag} reads: give it with "
                          f"{FLAG_OF[found]} {path}")
