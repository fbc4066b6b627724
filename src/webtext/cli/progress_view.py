"""The progress line of `webtext corpus`: refreshed in place on a terminal, sparse lines otherwise.

It polls the per-stage tally (webtext.progress) from a background thread: on a terminal it
redraws one line every `interval_s`; when stdout is a file or a CI log it prints a plain line
at most every `sparse_s`, and only when something changed, with no carriage returns or
escape codes.
"""

import shutil
import threading
import time

from webtext import progress
from webtext.reasons import STAGES


def crawl_part(figures: dict) -> str:
    """A live crawl as it goes: "fetch 1,234/2,000 pages 22/s 31 MB | hosts 12 busy 20 done | ETA 35 s"."""
    eta = f" | ETA {_duration(figures['eta_s'])}" if figures["eta_s"] is not None else ""
    return (f"fetch {figures['pages']:,}/{figures['pages_total']:,} pages {figures['pages_per_s']:,.1f}/s "
            f"{figures['bytes'] / 1e6:,.1f} MB | hosts {figures['hosts_running']} busy "
            f"{figures['hosts_done']} done{eta}")


def fitted(line: str, width: int) -> str:
    """The line cut to the terminal's width (a line that wraps cannot be redrawn in place)."""
    return line if len(line) < width else line[: max(width - 2, 1)] + "…"


def progress_line(counts: dict[tuple[str, str], int], elapsed_s: float,
                  work: dict[str, tuple[int, int, float | None]] | None = None,
                  crawl: dict | None = None) -> str:
    if crawl is not None:  # a crawl's own figures say more than the stages' counts, which move per unit
        return f"{crawl_part(crawl)} | {elapsed_s:,.0f} s"
    return _stages_line(counts, elapsed_s, work)


def _stages_line(counts: dict[tuple[str, str], int], elapsed_s: float,
                 work: dict[str, tuple[int, int, float | None]] | None = None) -> str:
    """ "read 87 (7 dropped) > select 79 ... | 61 records/s | 12 s": records each stage finished; with
    `work` (a run in units), the latest step's units done of all and its ETA: "| fetch units 3/8, ETA 40
    s"."""
    parts, total = [], 0
    for stage in STAGES:
        kept, dropped = counts.get((stage, "kept"), 0), counts.get((stage, "dropped"), 0)
        # A stage's steps that count under their own names ("dedup.exact") drop for the stage too.
        dropped += sum(n for (name, outcome), n in counts.items()
                       if outcome == "dropped" and name.startswith(f"{stage}."))
        total += kept + dropped
        if kept or dropped:
            parts.append(f"{stage} {kept}" + (f" ({dropped} dropped)" if dropped else ""))
    rate = total / elapsed_s if elapsed_s > 0 else 0.0
    line = f"{' > '.join(parts) or 'starting'} | {rate:,.0f} records/s | {elapsed_s:,.0f} s"
    if work:
        label, (done, all_units, eta_s) = list(work.items())[-1]
        line += f" | {label} {done}/{all_units}" + (f", ETA {_duration(eta_s)}" if eta_s is not None else "")
    return line


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min {seconds % 60:02d} s"


class ProgressView:
    def __init__(self, stream, interval_s: float = 0.5, sparse_s: float = 10.0):
        self._stream, self._tty = stream, stream.isatty()
        self._interval_s = interval_s if self._tty else min(interval_s, sparse_s)
        self._sparse_s = sparse_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = self._last_print = 0.0
        self._last_line = ""

    def __enter__(self):
        progress.reset()
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self._render(final=True)

    def _run(self):
        while not self._stop.wait(self._interval_s):
            self._render(final=False)

    def _render(self, final: bool) -> None:
        now = time.monotonic()
        line = progress_line(progress.snapshot(), now - self._started, progress.work_snapshot(),
                             None if final else progress.crawl_figures())
        if self._tty:
            line = fitted(line, shutil.get_terminal_size().columns)
            self._stream.write("\r\x1b[K" + line + ("\n" if final else ""))
        elif final or (
            now - self._last_print >= self._sparse_s
            and line.split(" | ")[0] not in (self._last_line, "starting")
        ):
            self._stream.write(line + "\n")
            self._last_print, self._last_line = now, line.split(" | ")[0]
        self._stream.flush()
