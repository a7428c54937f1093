"""Study days fast: the day number of millions of logged moments, as clock.day_number() gives it.

Anki counts the days between answers as whole study days (a day starts at the rollover hour, local time).
Converting every moment through datetime is slow for a million answers; the local UTC offset only changes
at zone transitions, so it is looked up once per quarter hour of UTC time and cached. For the store to count
days itself (integer arithmetic in SQL, no Python per answer), day_shifts() cuts a span of time into the
stretches between those transitions, each with the one shift that gives its moments' study days.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo

from ..clock import from_ms, later_by, to_ms

_QUARTER_MS = 900_000
_DAY_S = 86_400
DAY_MS = 86_400_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH_ORDINAL = EPOCH_ORDINAL
# day_shifts() looks at the offset every this many quarter hours and searches between two looks that differ: no
# zone of the tz database changes its offset twice within six hours
_LOOK_QUARTERS = 24


def _offsets(tz: tzinfo | None) -> Callable[[int], int]:
    """Quarter hour (of UTC time since the epoch) -> the local UTC offset in seconds at its start, cached."""
    offsets: dict[int, int] = {}

    def offset_s(quarter: int) -> int:
        found = offsets.get(quarter)
        if found is None:
            moment = datetime.fromtimestamp(quarter * _QUARTER_MS / 1000, UTC)
            local = moment.astimezone(tz)
            offset = local.utcoffset()  # an aware moment: never None
            found = offsets[quarter] = int(offset.total_seconds()) if offset is not None else 0
        return found

    return offset_s


def day_counter(rollover_hour: int = 4, tz: tzinfo | None = None) -> Callable[[int], int]:
    """A function from a moment in ms UTC to its study day number (equal to clock.day_number())."""
    offset_s = _offsets(tz)
    shift = rollover_hour * 3600

    def day(at_ms: int) -> int:
        seconds = at_ms // 1000 + offset_s(at_ms // _QUARTER_MS) - shift
        return _EPOCH_ORDINAL + seconds // _DAY_S

    return day


def days_later(rollover_hour: int = 4, tz: tzinfo | None = None) -> Callable[[int, int], int]:
    """A function from (a moment in ms UTC, whole days) to the moment that many days on, as clock.later_by()
    counts them (same local time across a DST change), without datetime unless the offset differs."""
    offset_s = _offsets(tz)

    def later(at_ms: int, days: int) -> int:
        plain = at_ms + days * DAY_MS
        if days <= 0:
            return plain
        # the same offset then and within two hours of the end: no DST change between, and no wall time landing in
        # a change's gap or fold (there later_by's choice decides)
        quarter, start = plain // _QUARTER_MS, offset_s(at_ms // _QUARTER_MS)
        if offset_s(quarter) == start == offset_s(quarter - 8) == offset_s(quarter + 8):
            return plain
        return to_ms(later_by(from_ms(at_ms), timedelta(days=days), tz))

    return later


def day_shifts(rollover_hour: int, tz: tzinfo | None, first_ms: int, last_ms: int) -> list[tuple[int, int]]:
    """The moments from first_ms to last_ms (ms UTC) cut where the local offset changes: [(from ms, shift ms)]
    in time order, the first from any moment before the second's. A moment `at_ms` of a stretch is on study day
    EPOCH_ORDINAL + (at_ms + shift) // DAY_MS, the day day_counter() gives it (integer arithmetic only: the
    store counts days this way in SQL)."""
    offset_s = _offsets(tz)
    shift = rollover_hour * 3600

    def shift_ms(quarter: int) -> int:
        return (offset_s(quarter) - shift) * 1000

    quarter, last = first_ms // _QUARTER_MS, max(first_ms, last_ms) // _QUARTER_MS
    found = [(first_ms, shift_ms(quarter))]
    while quarter < last:
        ahead = min(quarter + _LOOK_QUARTERS, last)
        if offset_s(ahead) == offset_s(quarter):
            quarter = ahead
            continue
        before, after = quarter, ahead  # the offset changes at the start of some quarter in (before, after]
        while after - before > 1:
            middle = (before + after) // 2
            if offset_s(middle) == offset_s(before):
                before = middle
            else:
                after = middle
        found.append((after * _QUARTER_MS, shift_ms(after)))
        quarter = after
    return found
