"""The progress line: in place on a terminal, sparse plain lines in a log."""

import io
import time

from webtext import progress
from webtext.cli.progress_view import ProgressView, progress_line


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_lists_stages_in_pipeline_order():
    counts = {("select", "kept"): 5, ("read", "kept"): 9, ("read", "dropped"): 1, ("select", "dropped"): 4}
    assert progress_line(counts, 2.0) == "read 9 (1 dropped) > select 5 (4 dropped) | 10 records/s | 2 s"
    assert progress_line({}, 0.0).startswith("starting")


def test_a_log_gets_sparse_plain_lines():
    log = io.StringIO()
    with ProgressView(log, interval_s=0.05, sparse_s=0.2):
        for _ in range(6):
            progress.tick("read", "kept")
            time.sleep(0.1)
    text = log.getvalue()
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert 1 <= len(lines) <= 5 and lines[-1].startswith("read 6 |")


def test_a_terminal_gets_one_line_redrawn_in_place():
    terminal = FakeTerminal()
    with ProgressView(terminal, interval_s=0.05):
        progress.tick("read", "kept")
        time.sleep(0.3)
    text = terminal.getvalue()
    assert text.count("\r\x1b[K") >= 3 and text.endswith("\n") and text.count("\n") == 1


def test_progress_is_shown_live_only_when_workers_share_this_process():
    from webtext.engines.beam.options import in_process

    assert in_process([]) and in_process(["--direct_running_mode=in_memory"])
    assert not in_process(["--direct_running_mode=multi_processing", "--direct_num_workers=2"])
    assert not in_process(["--runner=PortableRunner", "--job_endpoint=localhost:8099"])


def test_a_stage_step_counted_under_its_own_name_drops_for_the_stage():
    """dedup's exact step counts as "dedup.exact": the line shows dedup's drops as the final table does."""
    counts = {("dedup", "kept"): 23, ("dedup", "dropped"): 3, ("dedup.exact", "kept"): 26,
              ("dedup.exact", "dropped"): 1}
    assert progress_line(counts, 1.0).startswith("dedup 23 (4 dropped) |")


def test_a_run_in_units_shows_its_latest_step_with_an_eta():
    counts = {("read", "kept"): 9}
    work = {"read units": (3, 3, 0.0), "fetch units": (5, 20, 150.4)}
    assert progress_line(counts, 2.0, work).endswith("| 2 s | fetch units 5/20, ETA 2 min 30 s")
    assert progress_line(counts, 2.0, {"fetch units": (0, 20, None)}).endswith("| fetch units 0/20")
