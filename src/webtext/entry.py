"""The `webtext` command's entry point: Ctrl-C is a clean "interrupted" and exit 130 from the first
moment, while the heavy imports (Beam, trafilatura, torch) are still loading too."""

import logging
import os
import signal
import sys

_seen = False


class BeamImportNoise(logging.Filter):
    """Beam warns on import that optional Google Cloud clients are missing; webtext does not use them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("apitools not found")


def _on_sigint(signum, frame):
    global _seen
    _seen = True
    raise KeyboardInterrupt


def interrupted() -> bool:
    """Whether Ctrl-C was pressed: Beam re-raises a KeyboardInterrupt inside a stage as a RuntimeError."""
    return _seen


def main() -> int:
    signal.signal(signal.SIGINT, _on_sigint)
    logging.getLogger().addFilter(BeamImportNoise())  # before Beam is imported, which warns at once
    try:
        from webtext.pipeline.cli import run

        code = run(sys.argv[1:])
        # Done: an interrupt from here on (the interpreter's own shutdown) changes nothing.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return code
    except BaseException:
        if not _seen:
            raise
        from webtext import interrupts

        if interrupts.is_corpus_in_place():
            print(
                f"\nwebtext: interrupted after the new corpus was in place in {interrupts.out_dir()} (it is "
                f"whole; the report may be missing: `webtext report {interrupts.out_dir()}` writes it)",
                file=sys.stderr,
            )
        elif interrupts.out_dir():  # a corpus run builds beside --out and swaps in only when whole
            print(
                f"\nwebtext: interrupted; {interrupts.out_dir()} is as it was before this run",
                file=sys.stderr,
            )
        else:
            print("\nwebtext: interrupted", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        # Straight out: the runner's threads, stopped mid-bundle, would otherwise be joined (or be
        # interrupted again) while the interpreter shuts down.
        os._exit(130)
