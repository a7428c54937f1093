"""How numbers read for people, everywhere we draw: intervals, moments, plurals, durations, percentages, bars."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

EIGHTHS = " ▁▂▃▄▅▆▇█"  # a cell filled from nothing to full, in eighths


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 card`, `2 cards` (`many` for irregular plurals)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def percent(rate: float | None) -> str:
    """A share as people read it, one decimal: 91.3% (— when unknown)."""
    return "—" if rate is None else f"{100 * rate:.1f}%"


def retention(rate: float) -> str:
    """A desired retention as people set it: 90%, 92.5%."""
    return f"{round(100 * rate, 2):g}%"


def whole(value: float) -> int:
    """Rounded half up, as people round (2.5 min is 3, not 2)."""
    return math.floor(value + 0.5)


def minutes(value: float) -> str:
    """A duration for people: 45 s, 12 min, 3 h 05 min."""
    if value <= 0:
        return "0 min"
    if value < 1:
        return f"{whole(value * 60)} s"
    if value < 60:
        return f"{whole(value)} min" if value >= 10 else f"{value:.1f} min"
    hours, rest = divmod(whole(value), 60)
    return f"{hours} h {rest:02d} min"


def sparkline(values: list[float], width: int) -> str:
    """A one-line chart of a series, sampled down to `width` cells."""
    if not values:
        return ""
    step = max(len(values) / width, 1)
    sampled = [values[min(int(i * step), len(values) - 1)] for i in range(min(width, len(values)))]
    top = max(sampled) or 1
    return "".join(EIGHTHS[round(value / top * (len(EIGHTHS) - 1))] for value in sampled)


def bar(fraction: float, width: int) -> str:
    """A horizontal bar `width` cells at most, in eighths of a cell."""
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def format_interval(delta: timedelta) -> str:
    """An interval as Anki writes it on its answer buttons: <1m, 1m, 10m, 2h, 3d, 1.5mo, 2.1y.

    One rule everywhere: under a day in minutes or hours, then days, months and years; the count is rounded
    (half up) before its unit is chosen, so a moment a little short of a unit reads as that unit (59.9 s is 1m,
    23 h 40 min is 1d, never 60m or 24h), whatever the milliseconds between the answer and the printing.
    """
    seconds = whole(max(delta.total_seconds(), 0))
    if seconds < 60:
        return "<1m"
    if whole(seconds / 60) < 60:
        return f"{whole(seconds / 60)}m"
    if whole(seconds / 3600) < 24:
        return f"{whole(seconds / 3600)}h"
    days = whole(seconds / 86400)
    if days < 30:
        return f"{days}d"
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
