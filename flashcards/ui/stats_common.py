"""What the terminal and HTML statistics share: heat levels, labels, ticks and summary lines."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from ..stats.numbers import Stats
from .formats import minutes, plural, retention, whole

HEAT_CHARS = "·░▒▓█"  # level 0 (no answers) to 4 (the busiest days)
HEAT_COLOURS = ("grey42", "#0e4429", "#006d32", "#26a641", "#39d353")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STATE_LABELS = (
    ("new", "New"), ("learning", "Learning"), ("young", "Young"), ("mature", "Mature"),
    ("suspended", "Suspended"), ("buried", "Buried"),
)
STATE_COLOURS = {
    "new": "blue", "learning": "red", "young": "green", "mature": "dark_green", "suspended": "yellow",
    "buried": "grey50",
}



def heat_level(count: int, peak: int) -> int:
    """The heatmap level 0-4 of a day with `count` answers, when the busiest day had `peak`."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, max(1, math.ceil(4 * count / peak)))


def heat_ranges(peak: int) -> list[tuple[int, int, int]]:
    """(level, fewest, most answers) for each level that some count can reach, level 0 first."""
    ranges = [(0, 0, 0)]
    for level in range(1, 5):
        low, high = (level - 1) * peak // 4 + 1, level * peak // 4
        if low <= high:
            ranges.append((level, low, high))
    return ranges


def minute_label(minutes: float) -> str:
    """A short per-day label for the minutes chart."""
    if minutes <= 0:
        return ""
    return "<1" if minutes < 0.5 else str(whole(minutes))


def count_label(count: int) -> str:
    return str(count) if count else ""


def day_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}"


def forecast_ticks(stats: Stats) -> dict[int, str]:
    ticks = {0: "today"}
    ticks.update({index: day_label(item.day) for index, item in enumerate(stats.forecast) if index and index % 7 == 0})
    return ticks


def activity_ticks(stats: Stats) -> dict[int, str]:
    last = len(stats.activity) - 1
    ticks = {index: day_label(stats.activity[index].day) for index in range(last - 7, -1, -7)}
    ticks[last] = "today"
    return ticks


def streak_line(stats: Stats) -> str:
    studied = (
        f"studied {stats.days_studied} of {stats.period_days} days ({stats.days_studied_pct:.0f}%)"
        if stats.days_studied_pct is not None else ""
    )
    line = f"Current streak {days(stats.current_streak)} · longest streak {days(stats.longest_streak)}"
    return f"{line} · {studied}" if studied else line


def forecast_line(stats: Stats) -> str:
    week = sum(item.count for item in stats.forecast[:7])
    month = sum(item.count for item in stats.forecast)
    overdue = f" ({stats.overdue:,} overdue)" if stats.overdue else ""
    return (
        f"Due today {stats.due_today:,}{overdue} · tomorrow {stats.due_tomorrow:,} · next 7 days {week:,} · "
        f"next {len(stats.forecast)} days {month:,}"
    )


def totals_line(stats: Stats) -> str:
    line = f"Last {len(stats.heatmap)} days: {stats.answers_total:,} answers, {minutes(stats.minutes_total)}"
    if stats.days_studied:
        per_answers = stats.answers_total / stats.days_studied
        per_minutes = stats.minutes_total / stats.days_studied
        line += f" · {per_answers:.1f} answers and {minutes(per_minutes)} a day studied"
    return line


def settings_line(stats: Stats, settings: Mapping[str, str] | None) -> str:
    items = dict(settings or {})
    items.setdefault("desired retention", retention(stats.desired_retention))
    items.setdefault("day starts", f"{stats.rollover_hour:02d}:00")
    return "Settings: " + " · ".join(f"{key} {value}" for key, value in items.items())


def grid_weeks(heatmap: Sequence) -> tuple[date, int]:
    """The Monday the heatmap grid starts on and its number of week columns."""
    start = heatmap[0].day - timedelta(days=heatmap[0].day.weekday())
    return start, (heatmap[-1].day - start).days // 7 + 1


def month_labels(start: date, weeks: int, first: date, last: date, min_gap: int) -> list[tuple[int, str]]:
    """(week column, month name) where a month begins, plus the first column's month when there is room."""
    marks = []
    for week in range(weeks):
        days = [start + timedelta(days=week * 7 + offset) for offset in range(7)]
        days = [day for day in days if first <= day <= last]
        begins = [day for day in days if day.day == 1]
        if begins:
            marks.append((week, MONTHS[begins[0].month - 1]))
        elif week == 0 and days:
            marks.append((week, MONTHS[days[0].month - 1]))
    placed: list[tuple[int, str]] = []
    for index, (week, name) in enumerate(marks):
        following = marks[index + 1][0] if index + 1 < len(marks) else weeks + min_gap
        if week == 0 and following - week < min_gap:
            continue
        if not placed or week - placed[-1][0] >= min_gap:
            placed.append((week, name))
    return placed




def days(count: int) -> str:
    """`1 day`, `3 days`."""
    return plural(count, "day")
