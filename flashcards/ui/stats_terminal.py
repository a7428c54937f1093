"""The statistics in the terminal, with rich: made of characters, so they read the same with NO_COLOR (the
heatmap's levels are · ░ ▒ ▓ █, not only colours). The charts over time show the last 30 days (the HTML page's
default range); a table gives the main figures of every range, 1 month to all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..stats.numbers import Stats
from ..stats.periods import Period
from .formats import EIGHTHS, bar, minutes, percent, retention, whole
from .stats_common import (
    BUTTON_LABELS,
    HEAT_CHARS,
    HEAT_COLOURS,
    KIND_COLOURS,
    KIND_LABELS,
    STATE_COLOURS,
    STATE_LABELS,
    WEEKDAYS,
    activity_ticks,
    added_line,
    button_rows,
    count_label,
    forecast_line,
    forecast_ticks,
    grid_weeks,
    heat_level,
    heat_ranges,
    hour_label,
    minute_label,
    month_labels,
    settings_line,
    streak_line,
    studied_line,
    time_line,
    totals_line,
)


class _Style:
    """Styles, or none at all when the console has no colour (NO_COLOR): not even bold."""

    def __init__(self, console: Console) -> None:
        self.plain = console.no_color or console.color_system is None

    def __call__(self, style: str) -> str:
        return "" if self.plain else style


def render_terminal(stats: Stats, console: Console, settings: Mapping[str, str] | None = None) -> None:
    """Print every chart to a rich console: states, forecast, heatmap, retention, workload, the ranges, answer
    buttons, hours of the day, intervals, stability, difficulty, retrievability."""
    style = _Style(console)
    width = max(console.width, 20)

    def heading(title: str) -> None:
        console.print()
        console.print(Text(title, style=style("bold")))

    heading("Cards")
    if stats.cards.total:
        console.print(_cards_table(stats, style))
    else:
        console.print(Text("No cards yet."))

    heading(f"Due forecast, next {len(stats.forecast)} days")
    console.print(Text(forecast_line(stats)))
    if any(item.count for item in stats.forecast):
        for line in _column_chart([item.count for item in stats.forecast], [count_label(i.count) for i in stats.forecast],
                                  forecast_ticks(stats), width, 6, style("cyan")):
            console.print(line)
    else:
        console.print(Text(f"Nothing due in the next {len(stats.forecast)} days."))

    heading(f"Reviews, last {len(stats.heatmap)} days")
    if not stats.answers_total:
        console.print(Text(f"No answers in the last {len(stats.heatmap)} days."))
    for line in _heatmap_lines(stats, width, style):
        console.print(line)
    console.print(Text(streak_line(stats)))

    heading(f"True retention (desired {retention(stats.desired_retention)})")
    console.print(_retention_table(stats, style))

    heading(f"Answers per day, last {len(stats.activity)} days")
    if any(item.answers for item in stats.activity):
        for line in _column_chart([i.answers for i in stats.activity], [count_label(i.answers) for i in stats.activity],
                                  activity_ticks(stats), width, 5, style("green")):
            console.print(line)
        values = [i.minutes for i in stats.activity]
        title, labels = _time_labels(values, _column_width(len(values), width))
        heading(title)
        for line in _column_chart(values, labels, activity_ticks(stats), width, 5, style("magenta")):
            console.print(line)
    else:
        console.print(Text(f"No answers in the last {len(stats.activity)} days."))
    console.print(Text(totals_line(stats)))

    month = stats.periods[0]
    heading(f"Reviews by kind, last {month.days} days")
    if month.answers.total:
        for figure, text in ((month.answers, lambda value: f"{value:,}"),
                             (month.ms, lambda value: minutes(value / 60_000))):
            line = Text()
            for key, label in KIND_LABELS:
                line.append("■ ", style(KIND_COLOURS[key]))
                line.append(f"{label} {text(getattr(figure, key))}   ")
            console.print(line)
    console.print(Text(studied_line(month)))
    if month.answers.total:
        console.print(Text(time_line(month)))
    console.print(Text(added_line(month)))

    heading("By range")
    console.print(_ranges_table(stats, style))

    heading(f"Answer buttons, last {month.days} days")
    if month.answers.total:
        console.print(_buttons_table(month, style))
    else:
        console.print(Text(f"No answers in the last {month.days} days."))

    heading(f"Hours of the day, last {month.days} days (answers; local time)")
    if month.answers.total:
        for line in _column_chart([item.answers for item in month.hours], [count_label(i.answers) for i in month.hours],
                                  {hour: str(hour) for hour in range(0, 24, 3)}, width, 5, style("blue")):
            console.print(line)
        console.print(Text("Correct: " + " · ".join(f"{hour_label(item.hour)} {percent(item.rate)}"
                                                    for item in month.hours if item.answers)))
    else:
        console.print(Text(f"No answers in the last {month.days} days."))

    memory = stats.memory
    heading("Review intervals")
    if memory.reviewed:
        for line in _bucket_lines(memory.intervals, width, style("green")):
            console.print(line)
        console.print(Text(f"{memory.reviewed:,} review cards · average interval {_days(memory.interval_mean_days)} · "
                           f"longest {_days(memory.interval_max_days)}"))
    else:
        console.print(Text("No review cards yet."))

    heading("Stability (how long a memory lasts)")
    studied = sum(bucket.count for bucket in stats.stability)
    if studied:
        for line in _stability_lines(stats, width, style):
            console.print(line)
    else:
        console.print(Text("No cards studied yet."))

    heading("Difficulty (FSRS, 1-10 shown as 0-100%)")
    if memory.with_difficulty:
        for line in _memory_chart([item.count for item in memory.difficulty], width, style("red")):
            console.print(line)
        console.print(Text(f"{memory.with_difficulty:,} cards · average difficulty {memory.difficulty_mean:.0f}%"))
    else:
        console.print(Text("No cards studied yet."))

    heading("Retrievability (the chance to recall a card now)")
    if memory.with_retrievability:
        for line in _memory_chart([item.count for item in memory.retrievability], width, style("green")):
            console.print(line)
        console.print(Text(f"{memory.with_retrievability:,} cards · average retrievability "
                           f"{percent(memory.retrievability_mean)} · about {memory.recall_now:,.0f} of them you "
                           "would recall if asked now"))
    else:
        console.print(Text("No cards studied yet."))

    console.print()
    console.print(Text(settings_line(stats, settings), style=style("dim")))


def _cards_table(stats: Stats, style: _Style) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style=style("bold"), show_edge=False, pad_edge=False)
    for key, label in STATE_LABELS:
        table.add_column(Text(label, style=style(STATE_COLOURS[key])), justify="right")
    table.add_column("Total", justify="right")
    table.add_row(*[f"{getattr(stats.cards, key):,}" for key, _ in STATE_LABELS], f"{stats.cards.total:,}")
    return table


def _retention_table(stats: Stats, style: _Style) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style=style("bold"), show_edge=False, pad_edge=False)
    table.add_column("Period")
    for name in ("Young", "Mature", "All"):
        table.add_column(name, justify="right")
    for row in stats.retention:
        cells = []
        for count in (row.young, row.mature, row.combined):
            cells.append(f"{percent(count.rate)} ({count.passed:,}/{count.total:,})" if count.total else "—")
        table.add_row(f"Last {row.days} days", *cells)
    return table


def _ranges_table(stats: Stats, style: _Style) -> Table:
    """The main figures of each range, side by side."""
    table = Table(box=box.SIMPLE_HEAD, header_style=style("bold"), show_edge=False, pad_edge=False)
    table.add_column("")
    for period in stats.periods:
        table.add_column(period.label.capitalize(), justify="right")

    def row(label: str, cell) -> None:
        table.add_row(label, *[cell(period) for period in stats.periods])

    row("Days", lambda p: f"{p.days:,}" if p.key != "all" or p.active_days else "—")
    row("Days studied", lambda p: f"{p.days_studied:,}/{p.active_days:,}" if p.active_days else "—")
    row("Answers", lambda p: f"{p.answers.total:,}")
    row("Time", lambda p: minutes(p.minutes) if p.answers.total else "—")
    row("Correct", _correct)
    row("Cards added", lambda p: f"{p.added:,}")
    row("Due ahead", lambda p: f"{p.due:,} in {p.forecast_days:,} d" if p.due or p.key != "all" else "0")
    return table


def _correct(period: Period) -> str:
    total = period.answers.total
    again = sum(item.counts[0] for item in period.buttons)
    return percent((total - again) / total) if total else "—"


def _buttons_table(period: Period, style: _Style) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style=style("bold"), show_edge=False, pad_edge=False)
    table.add_column("")
    for label in BUTTON_LABELS:
        table.add_column(label, justify="right")
    table.add_column("Correct", justify="right")
    for label, counts, total, rate in button_rows(period):
        table.add_row(label, *[f"{count:,}" for count in counts],
                      f"{rate} ({total - counts[0]:,}/{total:,})" if total else "—")
    return table


def _time_labels(values: Sequence[float], col: int) -> tuple[str, list[str]]:
    """The minutes chart's title and labels: in seconds when no day reaches a minute, else minutes, each with its
    real value where the column has room for it (0.4, 2.5, 12), else whole minutes."""
    if max(values, default=0) < 1:
        return "Seconds per day", [str(max(whole(value * 60), 1)) if value > 0 else "" for value in values]
    labels = []
    for value in values:
        label = minute_label(value)
        if len(label) > col:
            label = str(whole(value)) if value >= 0.5 else ""
        labels.append(label)
    return "Minutes per day", labels


def _days(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 365:
        return f"{value / 365:.1f} years"
    if value >= 60:
        return f"{value / 30:.1f} months"
    return f"{value:.1f} days"


def _memory_chart(counts: Sequence[int], width: int, colour: str) -> list[Text]:
    """Cards per 5% bin, 0% to 100%."""
    col = _column_width(len(counts), width)
    return _column_chart(counts, [count_label(count) for count in counts], {0: "0%", 10: "50%", len(counts) - 1: "100%"},
                         width, 5, colour) if col else []


def _column_width(count: int, width: int) -> int:
    return 3 if count * 3 <= width else 2 if count * 2 <= width else 1


def _column_chart(values: Sequence[float], labels: Sequence[str], ticks: Mapping[int, str], width: int,
                  height: int, colour: str) -> list[Text]:
    """Vertical bars of eighth blocks, each value's label just above its bar, dates under the axis."""
    count = len(values)
    col = _column_width(count, width)
    bar = max(col - 1, 1)
    peak = max(values, default=0)
    units = [0 if value <= 0 or peak <= 0 else max(1, round(value / peak * height * 8)) for value in values]
    label_rows = [full + (1 if part else 0) for full, part in (divmod(unit, 8) for unit in units)]
    shown = [label if unit and len(label) <= col else "" for unit, label in zip(units, labels, strict=True)]
    for index in range(1, count):  # a label filling its column would run into the next one's: lift that one
        if shown[index] and len(shown[index - 1]) > bar and label_rows[index] == label_rows[index - 1]:
            label_rows[index] += 1
    top = max([height - 1, *(row for row, label in zip(label_rows, shown, strict=True) if label)])
    lines = []
    for row in range(top, -1, -1):
        line = Text()
        for unit, label, label_row in zip(units, shown, label_rows, strict=True):
            full, part = divmod(unit, 8)
            if row < full:
                line.append("█" * bar, colour)
                line.append(" " * (col - bar))
            elif row == full and part:
                line.append(EIGHTHS[part] * bar, colour)
                line.append(" " * (col - bar))
            elif label and row == label_row:
                line.append(label.rjust(bar).ljust(col))
            else:
                line.append(" " * col)
        lines.append(line)
    lines.append(Text("─" * (count * col)))
    lines.append(Text(_place_labels(ticks, col, count * col)))
    return lines


def _place_labels(ticks: Mapping[int, str], col: int, total: int) -> str:
    """Labels at their columns on one line, moved left to fit, dropped when they would overlap."""
    chars = [" "] * total
    end = 0
    for index in sorted(ticks):
        label = ticks[index]
        at = min(index * col, total - len(label))
        if at < end or at < 0:
            continue
        chars[at:at + len(label)] = label
        end = at + len(label) + 1
    return "".join(chars).rstrip()


def _heatmap_lines(stats: Stats, width: int, style: _Style) -> list[Text]:
    """A calendar grid: weeks are columns, Monday to Sunday rows, one character a day."""
    heatmap = stats.heatmap
    start, weeks = grid_weeks(heatmap)
    shown = min(weeks, max(width - 4, 1))
    skip = weeks - shown
    start += timedelta(days=7 * skip)
    first, last = heatmap[0].day, heatmap[-1].day
    counts = {item.day: item.count for item in heatmap}
    peak = max(counts.values(), default=0)
    months = [" "] * shown
    limit = shown
    for week, name in reversed(month_labels(start, shown, max(first, start), last, 4)):  # the latest months first
        at = min(week, limit - len(name))  # the last one ends at the grid's end rather than cut
        if at >= 0 and at >= week - 2:
            months[at:at + len(name)] = name
            limit = at - 1
    lines = [Text("    " + "".join(months[:shown]).rstrip())]
    for weekday in range(7):
        line = Text(f"{WEEKDAYS[weekday]} ")
        for week in range(shown):
            day = start + timedelta(days=week * 7 + weekday)
            if day not in counts:
                line.append(" ")
                continue
            level = heat_level(counts[day], peak)
            line.append(HEAT_CHARS[level], style(HEAT_COLOURS[level]))
        lines.append(line)
    legend = Text("    Less ")
    for level, low, high in heat_ranges(peak):
        legend.append(HEAT_CHARS[level], style(HEAT_COLOURS[level]))
        legend.append(f" {low if low == high else f'{low}-{high}'}  ")
    legend.append("More (answers a day)")
    lines.append(legend)
    return lines


def _stability_lines(stats: Stats, width: int, style: _Style) -> list[Text]:
    return _bucket_lines(stats.stability, width, style("blue"))


def _bucket_lines(buckets: Sequence, width: int, colour: str) -> list[Text]:
    """One line per bucket: its label, a bar, the count and its share."""
    total = sum(bucket.count for bucket in buckets)
    peak = max(bucket.count for bucket in buckets)
    label_width = max(len(bucket.label) for bucket in buckets)
    bar_width = max(min(width - label_width - 18, 50), 5)
    lines = []
    for bucket in buckets:
        cells = bar(bucket.count / peak if peak else 0, bar_width)
        if bucket.count and not cells.strip():
            cells = EIGHTHS[1]
        line = Text(f"{bucket.label.rjust(label_width)} ")
        line.append(cells.ljust(bar_width), colour)
        line.append(f" {bucket.count:>6,} {100 * bucket.count / total:5.1f}%")
        lines.append(line)
    return lines


# ---------------------------------------------------------------- HTML

