"""A live crawl you can watch: pages, pages per second, bytes, hosts busy and done, an ETA, page by page
from the worker processes (a unit's tally comes only at its end), on a line that fits the terminal."""

import threading

from helpers.many_hosts import allow_flags, many_hosts
from webtext import progress
from webtext.cli.main import run
from webtext.cli.progress_view import fitted, progress_line


def test_the_crawl_figures_move_page_by_page_while_the_units_run(tmp_path):
    seen, stop = [], threading.Event()

    def watch():
        while not stop.wait(0.05):
            if (figures := progress.crawl_figures()) is not None:
                seen.append(figures)

    with many_hosts(3, latency_s=0.05) as hosts:
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(f"{base}/a/{i}\n" for base, _ in hosts for i in range(8)))
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            assert run(["corpus", "--urls", str(urls), "--out", str(tmp_path / "out"), "--workers", "2",
                        "--fetch", "live", "--delay_s", "0", "--min_words", "20", "--quiet", "--no_report",
                        *allow_flags(hosts)]) == 0
        finally:
            stop.set()
            watcher.join()
    assert seen, "no crawl figures while the fetch units ran"
    assert seen[0]["pages_total"] == 24
    pages = [f["pages"] for f in seen]
    assert pages == sorted(pages) and len(set(pages)) > 2  # moving, not in one jump at a unit's end
    assert max(f["hosts_running"] for f in seen) >= 1 and seen[-1]["bytes"] > 0
    assert any(f["eta_s"] is not None for f in seen)
    assert progress.crawl_figures() is None  # gone with the crawl


def test_the_crawl_line_says_what_a_watcher_needs_and_fits_80_columns():
    figures = {"pages": 1234, "pages_total": 2000, "pages_per_s": 22.4, "bytes": 31_400_000,
               "hosts_running": 12, "hosts_done": 20, "eta_s": 34.2}
    line = progress_line({}, 55.0, {"fetch units": (3, 8, 40.0)}, figures)
    assert line == "fetch 1,234/2,000 pages 22.4/s 31.4 MB | hosts 12 busy 20 done | ETA 34 s | 55 s"
    assert len(fitted(line, 80)) < 80 and fitted(line, 40) == line[:38] + "…"
