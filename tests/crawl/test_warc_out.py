"""The WARC files of a crawl (crawl/warc_out.py), written by many fetch threads at once: each page's
records whole and together in exactly one complete file, no file over its page limit, no partial twin
left once the writer is closed, and a partial twin that holds every page added to the file being
filled."""

import glob
import os
import threading

from warcio.archiveiterator import ArchiveIterator

from webtext.crawl.fetch import Fetched
from webtext.crawl.warc_out import PARTIAL_PREFIX, WarcBundleWriter


def _page(n: int, hops: int = 0) -> Fetched:
    redirects = tuple(Fetched(f"http://h{n}.test/hop{i}", 301, [("Location", "x")], b"", "HTTP/1.1")
                      for i in range(hops))
    body = f"<p>page {n}</p>".encode() * 50
    return Fetched(f"http://h{n}.test/p", 200, [("Content-Type", "text/html")], body, "HTTP/1.1", redirects,
                   (("User-Agent", "t"),))


def _records(path: str) -> list[tuple[str, str, bytes]]:
    with open(path, "rb") as stream:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                for r in ArchiveIterator(stream)]


def test_pages_added_by_many_threads_are_each_whole_in_one_file(tmp_path):
    writer = WarcBundleWriter(str(tmp_path), pages_per_file=7)
    ids: dict[int, str] = {}

    def add(first: int) -> None:
        for n in range(first, first + 25):
            ids[n] = writer.add(_page(n, hops=n % 3))[0]

    threads = [threading.Thread(target=add, args=(25 * t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    assert not glob.glob(os.path.join(tmp_path, PARTIAL_PREFIX + "*"))
    files = sorted(glob.glob(os.path.join(tmp_path, "*.warc.gz")))
    seen = []
    for path in files:
        records = _records(path)
        responses = [r for r in records if r[0] == "response" and r[1].endswith("/p")]
        assert 1 <= len(responses) <= 7
        # a page's records stay together: its hops' request and response, then its own
        for kind, url, body in responses:
            n = int(url.removeprefix("http://h").split(".")[0])
            assert body == f"<p>page {n}</p>".encode() * 50
            seen.append(n)
        pages_in_order = [int(url.removeprefix("http://h").split(".")[0]) for _, url, _ in records]
        runs = [n for i, n in enumerate(pages_in_order) if i == 0 or pages_in_order[i - 1] != n]
        assert len(runs) == len(set(runs)), "one page's records were split by another's"
    assert sorted(seen) == list(range(200))
    assert len(files) == -(-200 // 7)
    assert len(set(ids.values())) == 200


def test_the_partial_twin_holds_every_page_of_the_file_being_filled(tmp_path):
    writer = WarcBundleWriter(str(tmp_path), pages_per_file=5)
    for n in range(7):  # one complete file of 5, two pages in the next
        writer.add(_page(n))
    (complete,) = glob.glob(os.path.join(tmp_path, "crawl-*.warc.gz"))
    (partial,) = glob.glob(os.path.join(tmp_path, PARTIAL_PREFIX + "*"))
    def pages(path):
        return [url for kind, url, _ in _records(path) if kind == "response"]

    assert pages(complete) == [f"http://h{n}.test/p" for n in range(5)]
    assert pages(partial) == ["http://h5.test/p", "http://h6.test/p"]
    last = writer.close()
    assert last == partial.replace(PARTIAL_PREFIX, "") and not os.path.exists(partial)
    assert writer.close() is None  # nothing left to write
