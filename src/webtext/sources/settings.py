"""Which submissions count and which links are kept: the sources stages' settings."""

from dataclasses import dataclass
from datetime import datetime, timezone

from webtext.settings import check, setting

# WebText: "does not include links created after Dec 2017".
WEBTEXT_CUTOFF_UTC = 1514764800  # 2018-01-01T00:00:00Z
KARMA_POLICIES = ("max", "sum")


def utc_seconds(text) -> int | None:
    """A time as the command line may give it: Unix seconds, a date (2018-01-01) or an ISO time, in UTC
    unless it names its zone; None for a negative number (no cutoff). ValueError for anything else."""
    text = str(text).strip()
    try:
        seconds = int(text)
    except ValueError:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        seconds = int((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp())
    return None if seconds < 0 else seconds


def read_blocklist(path: str) -> tuple[str, ...]:
    """The domains of a blocklist file, one a line ('#' comments, 'www.' ignored), sorted."""
    if not path:
        return ()
    with open(path, encoding="utf-8") as lines:
        domains = {line.split("#", 1)[0].strip().lower().removeprefix("www.") for line in lines}
    return tuple(sorted(d for d in domains if d))


@dataclass(frozen=True)
class LinkRules:
    min_karma: int = setting(3, "a link needs a submission scored at least this", check=lambda v: v >= 0,
                             must="be >= 0")
    cutoff_utc: int | None = setting(
        WEBTEXT_CUTOFF_UTC,
        "submissions created at or after this time do not count: a date (2018-01-01, WebText's), an ISO time "
        "in UTC or Unix seconds; -1: none",
        parse=lambda v: utc_seconds(v), must="be a date (2018-01-01), an ISO time, Unix seconds or -1",
    )
    karma_policy: str = setting("max", "karma of a URL: the best submission's score (WebText) or the total "
                                       "(OpenWebText2)", choices=KARMA_POLICIES,
                                check=lambda v: v in KARMA_POLICIES, must=f"be one of {KARMA_POLICIES}")
    drop_nsfw: bool = setting(
        False, "drop submissions marked over_18 (kept by default, as in WebText; recorded)", cli="switch"
    )
    drop_removed: bool = setting(False, "drop submissions removed by moderators or deleted by their author "
                                        "(kept by default; recorded)", cli="switch")
    blocklist: tuple[str, ...] = setting((), "file of domains never to fetch, one a line (subdomains too)",
                                         parse=read_blocklist, metavar="FILE")
    max_line_bytes: int = setting(
        1 << 20, "a dump or URL-list line longer than this is a line_too_long drop, skipped unread "
                 "(default 1 MiB: no submission is near it)", check=lambda v: v >= 1024, must="be >= 1024")
    wikipedia_mirrors: tuple[str, ...] = setting(
        (), "a domain to drop as Wikipedia too", flag="wikipedia_mirror", cli="repeat", metavar="DOMAIN"
    )

    def __post_init__(self):
        check(self)
