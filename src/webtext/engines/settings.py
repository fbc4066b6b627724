"""Which engine runs a corpus, and how the one-machine engine cuts its work: its processes and units.
Neither changes the corpus (the conformance suite holds it), so neither is in the manifest's config; the
links a unit holds are in a resumed run's fingerprint, which finds its units by them."""

from dataclasses import dataclass

from webtext.settings import check, setting


@dataclass(frozen=True)
class UnitSettings:
    workers: int | None = setting(
        None,
        "run the stages unit by unit in N local processes, resuming an interrupted run's finished units; the "
        "same corpus as one pipeline. Default: every core, for a corpus on this machine's default runner; 0: "
        "one Beam pipeline on the runner Beam's flags name (a cluster)",
        parse=int, metavar="N", check=lambda v: v is None or v >= 0,
        must="be 0 (one Beam pipeline) or a number of processes",
    )
    unit_links: int = setting(
        256,
        "with --workers: links per unit of work. Smaller units share the work out more evenly and lose less "
        "to a kill; each costs a few files and a little time",
        metavar="N", check=lambda v: v >= 1, must="be at least 1",
    )

    def __post_init__(self):
        check(self)
