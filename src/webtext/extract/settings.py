"""The extract stage's settings."""

from dataclasses import dataclass

from webtext.settings import check, setting


@dataclass(frozen=True)
class ExtractSettings:
    timeout_s: float = setting(
        30.0,
        "time limit per page for extraction; a page that takes longer is dropped as extract_timeout",
        flag="extract_timeout_s",
        check=lambda v: v > 0,
        must="be > 0",
    )

    def __post_init__(self):
        check(self)
