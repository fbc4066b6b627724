"""Write fetched responses to WARC files so a live run can be replayed offline."""

import io
import uuid

from apache_beam.io.filesystems import FileSystems
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from webtext.crawl.fetch import Fetched


class WarcBundleWriter:
    """Collects one bundle's responses in memory and writes them as one .warc.gz file.

    The file appears under its final name only when complete (temporary name,
    then rename), so a retried bundle never leaves half a file behind.
    """

    def __init__(self, directory: str):
        self._directory = directory
        self._buffer = io.BytesIO()
        self._writer = WARCWriter(self._buffer, gzip=True)
        self._count = 0

    def add(self, fetched: Fetched) -> str:
        """Append a response record; return its WARC-Record-ID."""
        reason = "OK"
        http_headers = StatusAndHeaders(f"{fetched.status} {reason}", fetched.headers, protocol=fetched.protocol)
        record = self._writer.create_warc_record(fetched.url, "response", payload=io.BytesIO(fetched.body),
                                                 http_headers=http_headers)
        self._writer.write_record(record)
        self._count += 1
        return record.rec_headers.get_header("WARC-Record-ID")

    def close(self) -> str | None:
        """Write the file; return its path (None when the bundle fetched nothing)."""
        if not self._count:
            return None
        name = f"crawl-{uuid.uuid4().hex}.warc.gz"
        final = FileSystems.join(self._directory, name)
        temporary = FileSystems.join(self._directory, f".tmp-{name}")
        with FileSystems.create(temporary) as out:
            out.write(self._buffer.getvalue())
        FileSystems.rename([temporary], [final])
        return final
