"""Time as flashcards sees it: UTC inside, study days that roll over at a local hour (4 am, as in Anki)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import overload


def utc_now() -> datetime:
    """The current moment, timezone-aware UTC."""
    return datetime.now(UTC)


def day_number(moment: datetime, rollover_hour: int = 4, tz: tzinfo | None = None) -> int:
    """The study day a moment belongs to: days start at `rollover_hour` local time, as in Anki."""
    local = moment.astimezone(tz) - timedelta(hours=rollover_hour)
    return local.date().toordinal()


def day_start(day: int, rollover_hour: int = 4, tz: tzinfo | None = None) -> datetime:
    """The UTC moment a study day begins (`tz` None: the machine's local time zone)."""
    local = datetime.combine(date.fromordinal(day), datetime.min.time()) + timedelta(hours=rollover_hour)
    local = local.replace(tzinfo=tz) if tz is not None else local.astimezone()
    return local.astimezone(UTC)


def later_by(moment: datetime, delay: timedelta, tz: tzinfo | None = None) -> datetime:
    """`moment` plus `delay`, its whole days counted on the local wall clock (`tz` None: the machine's): a
    10-day interval across a DST change lands 10 study days on at the same local time, not an hour either side
    of the rollover. Under a day is plain elapsed time (a learning step)."""
    if delay.days <= 0:
        return moment + delay
    rest = delay - timedelta(days=delay.days)
    if tz is not None:
        wall = moment.astimezone(tz).replace(tzinfo=None) + timedelta(days=delay.days)
        return wall.replace(tzinfo=tz).astimezone(UTC) + rest
    wall = moment.astimezone().replace(tzinfo=None) + timedelta(days=delay.days)
    return wall.astimezone().astimezone(UTC) + rest


@overload
def to_ms(moment: datetime) -> int: ...
@overload
def to_ms(moment: None) -> None: ...
@overload
def to_ms(moment: datetime | None) -> int | None: ...
def to_ms(moment: datetime | None) -> int | None:
    """A UTC moment as integer milliseconds since the epoch (how the store keeps time)."""
    return None if moment is None else round(moment.timestamp() * 1000)


@overload
def from_ms(ms: int) -> datetime: ...
@overload
def from_ms(ms: None) -> None: ...
@overload
def from_ms(ms: int | None) -> datetime | None: ...
def from_ms(ms: int | None) -> datetime | None:
    """The inverse of to_ms()."""
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)
