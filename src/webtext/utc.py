"""Unix times as people read them, in UTC: the report, the dataset card and `webtext show` write them
alike."""

import datetime


def utc_time(unix_seconds, minutes: bool = True) -> str:
    """`2017-06-15 08:00 UTC` (or `2017-06-15` without `minutes`); what is no time stays as it is."""
    try:
        when = datetime.datetime.fromtimestamp(int(unix_seconds), datetime.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return str(unix_seconds)
    return when.strftime("%Y-%m-%d %H:%M UTC" if minutes else "%Y-%m-%d")
