"""Study days fast: the day number of millions of logged moments, as clock.day_number() gives it.

Anki counts the days between answers as whole study days (a day starts at the rollover hour, local time).
Converting every moment through datetime is slow for a million answers; the local UTC offset only changes
at zone transitions, so it is looked up once per quarter hour of UTC time and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo

_QUARTER_MS = 900_000
_DAY_S = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_counter(rollover_hour: int = 4, tz: tzinfo | None = None) -> Callable[[int], int]:
    """A function from a moment in ms UTC to its study day number (equal to clock.day_number())."""
    offsets: dict[int, int] = {}

    def offset_s(quarter: int) -> int:
        found = offsets.get(quarter)
        if found is None:
            moment = datetime.fromtimestamp(quarter * _QUARTER_MS / 1000, UTC)
            local = moment.astimezone(tz)
            offset = local.utcoffset()  # an aware moment: never None
            found = offsets[quarter] = int(offset.total_seconds()) if offset is not None else 0
        return found

    shift = rollover_hour * 3600

    def day(at_ms: int) -> int:
        seconds = at_ms // 1000 + offset_s(at_ms // _QUARTER_MS) - shift
        return _EPOCH_ORDINAL + seconds // _DAY_S

    return day
