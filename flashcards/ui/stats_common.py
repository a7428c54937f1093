"""What the terminal and HTML statistics share: heat levels, labels, ticks and summary lines."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from ..stats.numbers import Stats
from ..stats.periods import Period
from .formats import minutes, percent, plural, retention, whole

HEAT_CHARS = "·░▒▓█"  # level 0 (no answers) to 4 (the busiest days)
HEAT_COLOURS = ("grey42", "#0e4429", "#006d32", "#26a641", "#39d353")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STATE_LABELS = (
    ("new", "New"), ("learning", "Learning"), ("young", "Young"), ("mature", "Mature"),
    ("suspended", "Suspended"), ("buried", "Buried"),
)
STATE_COLOURS = {
    "new": "blue", "learning": "dark_orange", "young": "green", "mature": "dark_green", "suspended": "yellow",
    "buried": "grey50",
}
KIND_LABELS = (("learning", "Learning"), ("young", "Young"), ("mature", "Mature"), ("relearning", "Relearning"))
KIND_COLOURS = {"learning": "dark_orange", "young": "green", "mature": "dark_green", "relearning": "red"}
BUTTON_LABELS = ("Again", "Hard", "Good", "Easy")
GROUP_LABELS = {"learning": "Learning", "young": "Young", "mature": "Mature"}


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
    """A short per-bar label for a minutes chart, with the real value: 5s under 6 seconds, then minutes with a
    decimal under 10 (0.4, 2.5, 9), whole from 10 on (12, 140)."""
    if minutes <= 0:
        return ""
    if minutes < 0.1:
        return f"{max(whole(minutes * 60), 1)}s"
    if minutes < 9.95:
        return f"{minutes:.1f}".removesuffix(".0")
    return str(whole(minutes))


def axis_ticks(peak: float, most: int = 4) -> list[float]:
    """Round values for a chart's scale, above 0 and up to `peak`: at most `most`, 1-2-5 steps."""
    if peak <= 0:
        return []
    step = 10 ** math.floor(math.log10(peak / most))
    for factor in (1, 2, 2.5, 5, 10):
        if peak / (step * factor) <= most:
            step *= factor
            break
    count = int(peak / step + 1e-9)
    return [round(step * index, 10) for index in range(1, count + 1)]


def count_tick(value: float) -> str:
    """A count on a chart's scale: 40, 1,200, 15k."""
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def month_year(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def past_ticks(firsts: Sequence[date], long: bool) -> dict[int, str]:
    """Date labels under a past range's bars (one every ~7 of 30): the last bar is `today`."""
    last = len(firsts) - 1
    step = max(1, round(len(firsts) * 7 / 30))
    ticks = {index: (month_year if long else day_label)(firsts[index]) for index in range(last - step, -1, -step)}
    ticks[last] = "today"
    return ticks


def future_ticks(firsts: Sequence[date], long: bool) -> dict[int, str]:
    """Date labels under a forecast's bars: the first bar is `today`."""
    step = max(1, round(len(firsts) * 7 / 30))
    ticks = {index: (month_year if long else day_label)(firsts[index]) for index in range(step, len(firsts), step)}
    ticks[0] = "today"
    if len(firsts) - 1 - max(ticks) < step // 2:  # the last label would run off the end
        ticks.pop(max(ticks), None)
    return ticks


def range_caption(period: Period) -> str:
    """`Last 30 days`, `Last 365 days · a bar is 5 days`, `All 812 days · a bar is 14 days`."""
    span = f"All {period.days:,} days" if period.key == "all" else f"Last {period.days} days"
    return span + (f" · a bar is {period.bar_days} days" if period.bar_days > 1 else "")


def forecast_caption(period: Period) -> str:
    span = (f"Today to {period.forecast[-1].last.isoformat()} ({period.forecast_days:,} days)" if period.key == "all"
            else f"Today and the next {period.forecast_days - 1} days")
    return span + (f" · a bar is {period.forecast_bar_days} days" if period.forecast_bar_days > 1 else "")


def period_forecast_line(stats: Stats, period: Period) -> str:
    """Due today, tomorrow, this week and in the whole range, with the average a day."""
    week = sum(item.count for item in stats.forecast[:7])
    overdue = f" ({stats.overdue:,} overdue)" if stats.overdue else ""
    per_day = period.due / period.forecast_days
    return (f"Due today {stats.due_today:,}{overdue} · tomorrow {stats.due_tomorrow:,} · next 7 days {week:,} · "
            f"{'in all' if period.key == 'all' else f'next {period.forecast_days} days'} {period.due:,} "
            f"({per_day:.1f} a day)")


def studied_line(period: Period) -> str:
    """Days studied in the range and the answers, on average a day studied and a day of the period."""
    if not period.answers.total:
        return f"No answers in the {range_span(period)}."
    share = 100 * period.days_studied / period.active_days if period.active_days else 0
    return (f"Studied {period.days_studied:,} of {period.active_days:,} days ({share:.0f}%) · "
            f"{period.answers.total:,} answers · {period.answers.total / period.days_studied:.1f} a day studied · "
            f"{period.answers.total / period.active_days:.1f} a day on average")


def time_line(period: Period) -> str:
    """Time spent in the range: in all, a day studied, an answer."""
    if not period.answers.total:
        return f"No answers in the {range_span(period)}."
    seconds = period.ms.total / 1000 / period.answers.total
    speed = f" ({60 / seconds:.1f} answers a minute)" if seconds > 0 else ""
    return (f"{minutes(period.minutes)} in all · {minutes(period.minutes / period.days_studied)} a day studied · "
            f"{seconds:.1f} s an answer{speed}")


def added_line(period: Period) -> str:
    if not period.added:
        return f"No cards added in the {range_span(period)}."
    return f"{period.added:,} card{'' if period.added == 1 else 's'} added · {period.added / period.days:.1f} a day"


def range_span(period: Period) -> str:
    return "whole history" if period.key == "all" else f"last {period.days} days"


def button_rows(period: Period) -> list[tuple[str, tuple[int, ...], int, str]]:
    """(group label, counts Again-Easy, total, % correct) per group, then every group together."""
    rows: list[tuple[str, tuple[int, ...], int, str]] = [
        (GROUP_LABELS[item.group], item.counts, item.total, percent(item.rate)) for item in period.buttons]
    counts = tuple(sum(item.counts[index] for item in period.buttons) for index in range(4))
    total = sum(counts)
    rows.append(("All", counts, total, percent((total - counts[0]) / total if total else None)))
    return rows


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


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
    # "settings" says whose they are (the store's, or a deck's own): shown first, as it is
    shown = [items["settings"]] if "settings" in items else []
    return "Settings: " + " · ".join(shown + [f"{key} {value}" for key, value in items.items() if key != "settings"])


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
