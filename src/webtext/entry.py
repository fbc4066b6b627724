"""The `webtext` command's entry point: Ctrl-C is a clean "interrupted" and exit 130 from the first
moment, while the heavy imports (Beam, trafilatura, torch) are still loading too."""

import logging
import os
import signal
import sys

from webtext import interrupts
from webtext.quiet_logs import BeamImportNoise


def main() -> int:
    signal.signal(signal.SIGINT, interrupts.on_sigint)
    logging.getLogger().addFilter(BeamImportNoise())  # before Beam is imported, which warns at once
    try:
        # here, not above: a Ctrl-C while Beam, trafilatura and torch load is the clean exit below too
        from webtext.cli.main import run

        code = run(sys.argv[1:])
        # Done: an interrupt from here on (the interpreter's own shutdown) changes nothing.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return code
    except BaseException:
        if not interrupts.interrupted():
            raise
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
