"""Time as flashcards sees it: UTC inside, study days that roll over at a local hour (4 am, as in Anki)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo


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


def to_ms(moment: datetime | None) -> int | None:
    """A UTC moment as integer milliseconds since the epoch (how the store keeps time)."""
    return None if moment is None else round(moment.timestamp() * 1000)


def from_ms(ms: int | None) -> datetime | None:
    """The inverse of to_ms()."""
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def format_interval(delta: timedelta) -> str:
    """An interval as Anki writes it on its answer buttons: 1m, 10m, 2h, 3d, 1.5mo, 2.1y."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def format_moment(moment: datetime, now: datetime) -> str:
    """When something happens, for people: 'in 8m (14:32)', 'tomorrow 09:10', '2026-12-03'."""
    local = moment.astimezone()
    if moment <= now:
        return "now"
    wait = format_interval(moment - now)
    if local.date() == now.astimezone().date():
        return f"in {wait} ({local:%H:%M})"
    if local.date() == now.astimezone().date() + timedelta(days=1):
        return f"in {wait} (tomorrow {local:%H:%M})"
    return f"in {wait} ({local:%Y-%m-%d})"
