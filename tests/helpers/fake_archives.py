"""Loopback stand-ins for the Wayback Machine and Common Crawl, speaking their real protocols.

One server holds both, under its own prefixes, so a test passes
`wayback_url=BASE/wb`, `cc_index_url=BASE/cc-index`, `cc_data_url=BASE/cc-data`:

- Wayback: `/wb/cdx/search/cdx` (the CDX API: `output=json`, `from`/`to`, `filter=statuscode:200`,
  `limit`) and `/wb/web/<timestamp>id_/<url>` (raw captures; an inexact timestamp is redirected
  to the nearest capture, as the real one does).
- Common Crawl: `/cc-index/collinfo.json`, `/cc-index/<crawl>-index` (pywb JSON lines; a 404
  "No Captures found" when there are none), and `/cc-data/<file>`: real gzipped WARC files,
  served with HTTP range requests.

`Archive.fail` makes a path prefix answer with given statuses first (429 with Retry-After, 503).
"""

import gzip
import io
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from helpers import servers
from webtext.crawl.archives import timestamp_utc


@dataclass
class Snapshot:
    timestamp: str  # 14 digits
    body: bytes
    mime: str = "text/html"
    status: int = 200
    location: str = ""  # the raw capture answers with a redirect here instead (a hostile archive)


@dataclass
class Archive:
    wayback: dict[str, list[Snapshot]] = field(default_factory=dict)  # original URL -> captures
    crawls: dict[str, dict[str, list[Snapshot]]] = field(default_factory=dict)  # crawl id -> URL -> captures
    failures: dict[str, list[int]] = field(default_factory=dict)  # path prefix -> statuses to answer first
    requests: list[str] = field(default_factory=list)
    honour_ranges: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    warc_files: dict[str, bytes] = field(default_factory=dict)
    cc_index: dict[str, list[dict]] = field(default_factory=dict)  # crawl id -> index rows

    def fail(self, prefix: str, *statuses: int) -> None:
        self.failures[prefix] = list(statuses)

    def build_common_crawl(self) -> None:
        """Write each crawl's captures into one real WARC file and index them as pywb would."""
        for crawl, pages in self.crawls.items():
            filename = f"crawl-data/{crawl}/segments/1/warc/{crawl}-00000.warc.gz"
            buffer = io.BytesIO()
            writer = WARCWriter(buffer, gzip=True)
            rows = []
            for url, snapshots in sorted(pages.items()):
                for snap in snapshots:
                    offset = buffer.tell()
                    if snap.mime == "bomb":  # a record that inflates without end
                        buffer.write(gzip.compress(b"WARC/1.0\r\n" + b"a" * (40 << 20), compresslevel=9))
                    else:
                        headers = StatusAndHeaders(f"{snap.status} OK", [("Content-Type", snap.mime)],
                                                   protocol="HTTP/1.1")
                        record = writer.create_warc_record(url, "response", payload=io.BytesIO(snap.body),
                                                           http_headers=headers)
                        writer.write_record(record)
                    rows.append({"urlkey": url, "timestamp": snap.timestamp, "url": url,
                                 "mime": "text/html" if snap.mime == "bomb" else snap.mime,
                                 "status": str(snap.status), "filename": filename, "offset": str(offset),
                                 "length": str(buffer.tell() - offset)})
            self.warc_files[filename] = buffer.getvalue()
            self.cc_index[crawl] = rows


def _handler(archive: Archive):
    class Handler(servers.Handler):
        def _json(self, status: int, value, content_type="application/json") -> None:
            self.send(status, value if isinstance(value, bytes) else json.dumps(value).encode(), content_type)

        def do_GET(self):
            with archive.lock:
                archive.requests.append(self.path)
                for prefix, statuses in archive.failures.items():
                    if self.path.startswith(prefix) and statuses:
                        status = statuses.pop(0)
                        return self.send(status, b"busy", "text/plain", [("Retry-After", "0")])
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/wb/cdx/search/cdx":
                return self._wayback_index(query)
            if parts.path.startswith("/wb/web/"):
                return self._wayback_capture(self.path.removeprefix("/wb/web/"))
            if parts.path == "/cc-index/collinfo.json":
                base = f"http://{self.headers['Host']}/cc-index"
                return self._json(200, [{"id": c, "name": c, "cdx-api": f"{base}/{c}-index"}
                                        for c in sorted(archive.crawls, reverse=True)])
            if parts.path.startswith("/cc-index/") and parts.path.endswith("-index"):
                return self._cc_index(parts.path.removeprefix("/cc-index/").removesuffix("-index"), query)
            if parts.path.startswith("/cc-data/"):
                return self._cc_data(parts.path.removeprefix("/cc-data/"))
            return self.send(404, b"no such route", "text/plain")

        def _wayback_index(self, query):
            low, high = query.get("from", "0"), query.get("to", "99999999999999")
            rows = [["timestamp", "original", "mimetype", "statuscode"]]
            for snap in archive.wayback.get(query["url"], []):
                if not (timestamp_utc(low) <= timestamp_utc(snap.timestamp) <= timestamp_utc(high)):
                    continue
                if query.get("filter") == "statuscode:200" and snap.status != 200:
                    continue
                rows.append([snap.timestamp, query["url"], snap.mime, str(snap.status)])
            rows = rows[:1 + int(query.get("limit", 10000))]
            self._json(200, rows if len(rows) > 1 else [])

        def _wayback_capture(self, rest: str):
            timestamp, url = rest.split("id_/", 1)
            snapshots = archive.wayback.get(url, [])
            if not snapshots:
                return self.send(404, b"not in archive", "text/html")
            exact = [s for s in snapshots if s.timestamp == timestamp]
            if not exact:  # the real Wayback redirects to the capture nearest the asked-for time
                nearest = min(
                    snapshots, key=lambda s: abs(timestamp_utc(s.timestamp) - timestamp_utc(timestamp))
                )
                return self.send(
                    302, b"", "text/plain", [("Location", f"/wb/web/{nearest.timestamp}id_/{url}")]
                )
            snap = exact[0]
            if snap.location:
                return self.send(302, b"", "text/plain", [("Location", snap.location)])
            self.send(snap.status, snap.body, snap.mime, [("X-Archive-Orig-Server", "origin")])

        def _cc_index(self, crawl: str, query):
            low, high = query.get("from", "0"), query.get("to", "99999999999999")
            rows = [row for row in archive.cc_index.get(crawl, []) if row["url"] == query["url"]
                    and timestamp_utc(low) <= timestamp_utc(row["timestamp"]) <= timestamp_utc(high)]
            if not rows:
                return self._json(404, {"message": f"No Captures found for: {query['url']}"})
            self.send(200, b"".join(json.dumps(row).encode() + b"\n" for row in rows), "text/x-ndjson")

        def _cc_data(self, filename: str):
            data = archive.warc_files.get(filename)
            if data is None:
                return self.send(404, b"no such file", "text/plain")
            ranged = self.headers.get("Range", "")
            if not ranged.startswith("bytes=") or not archive.honour_ranges:
                return self.send(200, data, "application/octet-stream")
            start, end = (int(n) for n in ranged.removeprefix("bytes=").split("-"))
            self.send(206, data[start:end + 1], "application/octet-stream",
                      [("Content-Range", f"bytes {start}-{end}/{len(data)}")])
    return Handler


@contextmanager
def fake_archives(archive: Archive):
    """Serve `archive` on loopback; yield the base URL."""
    archive.build_common_crawl()
    with servers.serving(_handler(archive)) as base:
        yield base
