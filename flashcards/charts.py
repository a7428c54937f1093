"""Drawing the statistics: in the terminal with rich, or as one self-contained HTML page.

The only module that draws; the numbers come from stats.compute_stats(). The terminal charts are made of
characters, so they read the same with NO_COLOR (the heatmap's levels are · ░ ▒ ▓ █, not only colours).
The page is inline CSS and SVG: no scripts, no fonts or images from anywhere, readable on a phone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from html import escape

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .stats import Stats

HEAT_CHARS = "·░▒▓█"  # level 0 (no answers) to 4 (the busiest days)
_HEAT_COLOURS = ("grey42", "#0e4429", "#006d32", "#26a641", "#39d353")
_EIGHTHS = " ▁▂▃▄▅▆▇█"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STATE_LABELS = (
    ("new", "New"), ("learning", "Learning"), ("young", "Young"), ("mature", "Mature"),
    ("suspended", "Suspended"), ("buried", "Buried"),
)
_STATE_COLOURS = {
    "new": "blue", "learning": "red", "young": "green", "mature": "dark_green", "suspended": "yellow",
    "buried": "grey50",
}


# ---------------------------------------------------------------- shared by both renderers

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


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def _minutes(minutes: float) -> str:
    """A duration for people: 45 s, 12 min, 3 h 05 min."""
    if minutes <= 0:
        return "0 min"
    if minutes < 1:
        return f"{_whole(minutes * 60)} s"
    if minutes < 60:
        return f"{_whole(minutes)} min" if minutes >= 10 else f"{minutes:.1f} min"
    hours, rest = divmod(_whole(minutes), 60)
    return f"{hours} h {rest:02d} min"


def _whole(value: float) -> int:
    """Rounded half up, as people round (2.5 min is 3, not 2)."""
    return math.floor(value + 0.5)


def _minute_label(minutes: float) -> str:
    """A short per-day label for the minutes chart."""
    if minutes <= 0:
        return ""
    return "<1" if minutes < 0.5 else str(_whole(minutes))


def _count_label(count: int) -> str:
    return str(count) if count else ""


def _day_label(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}"


def _forecast_ticks(stats: Stats) -> dict[int, str]:
    ticks = {0: "today"}
    ticks.update({index: _day_label(item.day) for index, item in enumerate(stats.forecast) if index and index % 7 == 0})
    return ticks


def _activity_ticks(stats: Stats) -> dict[int, str]:
    last = len(stats.activity) - 1
    ticks = {index: _day_label(stats.activity[index].day) for index in range(last - 7, -1, -7)}
    ticks[last] = "today"
    return ticks


def _streak_line(stats: Stats) -> str:
    studied = (
        f"studied {stats.days_studied} of {stats.period_days} days ({stats.days_studied_pct:.0f}%)"
        if stats.days_studied_pct is not None else ""
    )
    line = f"Current streak {_days(stats.current_streak)} · longest streak {_days(stats.longest_streak)}"
    return f"{line} · {studied}" if studied else line


def _forecast_line(stats: Stats) -> str:
    week = sum(item.count for item in stats.forecast[:7])
    month = sum(item.count for item in stats.forecast)
    overdue = f" ({stats.overdue:,} overdue)" if stats.overdue else ""
    return (
        f"Due today {stats.due_today:,}{overdue} · tomorrow {stats.due_tomorrow:,} · next 7 days {week:,} · "
        f"next {len(stats.forecast)} days {month:,}"
    )


def _totals_line(stats: Stats) -> str:
    line = f"Last {len(stats.heatmap)} days: {stats.answers_total:,} answers, {_minutes(stats.minutes_total)}"
    if stats.days_studied:
        per_answers = stats.answers_total / stats.days_studied
        per_minutes = stats.minutes_total / stats.days_studied
        line += f" · {per_answers:.1f} answers and {_minutes(per_minutes)} a day studied"
    return line


def _settings_line(stats: Stats, settings: Mapping[str, str] | None) -> str:
    items = dict(settings or {})
    items.setdefault("desired retention", _desired(stats))
    items.setdefault("day starts", f"{stats.rollover_hour:02d}:00")
    return "Settings: " + " · ".join(f"{key} {value}" for key, value in items.items())


def _desired(stats: Stats) -> str:
    """The desired retention as people set it: 90%, 92.5%."""
    return f"{round(100 * stats.desired_retention, 2):g}%"


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _weeks(heatmap: Sequence) -> tuple[date, int]:
    """The Monday the heatmap grid starts on and its number of week columns."""
    start = heatmap[0].day - timedelta(days=heatmap[0].day.weekday())
    return start, (heatmap[-1].day - start).days // 7 + 1


def _month_labels(start: date, weeks: int, first: date, last: date, min_gap: int) -> list[tuple[int, str]]:
    """(week column, month name) where a month begins, plus the first column's month when there is room."""
    marks = []
    for week in range(weeks):
        days = [start + timedelta(days=week * 7 + offset) for offset in range(7)]
        days = [day for day in days if first <= day <= last]
        begins = [day for day in days if day.day == 1]
        if begins:
            marks.append((week, _MONTHS[begins[0].month - 1]))
        elif week == 0 and days:
            marks.append((week, _MONTHS[days[0].month - 1]))
    placed: list[tuple[int, str]] = []
    for index, (week, name) in enumerate(marks):
        following = marks[index + 1][0] if index + 1 < len(marks) else weeks + min_gap
        if week == 0 and following - week < min_gap:
            continue
        if not placed or week - placed[-1][0] >= min_gap:
            placed.append((week, name))
    return placed


# ---------------------------------------------------------------- terminal

class _Style:
    """Styles, or none at all when the console has no colour (NO_COLOR): not even bold."""

    def __init__(self, console: Console) -> None:
        self.plain = console.no_color or console.color_system is None

    def __call__(self, style: str) -> str:
        return "" if self.plain else style


def render_terminal(stats: Stats, console: Console, settings: Mapping[str, str] | None = None) -> None:
    """Print every chart to a rich console: states, forecast, heatmap, retention, workload, stability."""
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
    console.print(Text(_forecast_line(stats)))
    if any(item.count for item in stats.forecast):
        for line in _column_chart([item.count for item in stats.forecast], [_count_label(i.count) for i in stats.forecast],
                                  _forecast_ticks(stats), width, 6, style("cyan")):
            console.print(line)
    else:
        console.print(Text(f"Nothing due in the next {len(stats.forecast)} days."))

    heading(f"Reviews, last {len(stats.heatmap)} days")
    if not stats.answers_total:
        console.print(Text(f"No answers in the last {len(stats.heatmap)} days."))
    for line in _heatmap_lines(stats, width, style):
        console.print(line)
    console.print(Text(_streak_line(stats)))

    heading(f"True retention (desired {_desired(stats)})")
    console.print(_retention_table(stats, style))

    heading(f"Answers per day, last {len(stats.activity)} days")
    if any(item.answers for item in stats.activity):
        for line in _column_chart([i.answers for i in stats.activity], [_count_label(i.answers) for i in stats.activity],
                                  _activity_ticks(stats), width, 5, style("green")):
            console.print(line)
        heading("Minutes per day")
        for line in _column_chart([i.minutes for i in stats.activity], [_minute_label(i.minutes) for i in stats.activity],
                                  _activity_ticks(stats), width, 5, style("magenta")):
            console.print(line)
    else:
        console.print(Text(f"No answers in the last {len(stats.activity)} days."))
    console.print(Text(_totals_line(stats)))

    heading("Stability (how long a memory lasts)")
    studied = sum(bucket.count for bucket in stats.stability)
    if studied:
        for line in _stability_lines(stats, width, style):
            console.print(line)
    else:
        console.print(Text("No cards studied yet."))

    console.print()
    console.print(Text(_settings_line(stats, settings), style=style("dim")))


def _cards_table(stats: Stats, style: _Style) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style=style("bold"), show_edge=False, pad_edge=False)
    for key, label in _STATE_LABELS:
        table.add_column(Text(label, style=style(_STATE_COLOURS[key])), justify="right")
    table.add_column("Total", justify="right")
    table.add_row(*[f"{getattr(stats.cards, key):,}" for key, _ in _STATE_LABELS], f"{stats.cards.total:,}")
    return table


def _retention_table(stats: Stats, style: _Style) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style=style("bold"), show_edge=False, pad_edge=False)
    table.add_column("Period")
    for name in ("Young", "Mature", "All"):
        table.add_column(name, justify="right")
    for row in stats.retention:
        cells = []
        for count in (row.young, row.mature, row.combined):
            cells.append(f"{_percent(count.rate)} ({count.passed:,}/{count.total:,})" if count.total else "—")
        table.add_row(f"Last {row.days} days", *cells)
    return table


def _column_chart(values: Sequence[float], labels: Sequence[str], ticks: Mapping[int, str], width: int,
                  height: int, colour: str) -> list[Text]:
    """Vertical bars of eighth blocks, each value's label just above its bar, dates under the axis."""
    count = len(values)
    col = 3 if count * 3 <= width else 2 if count * 2 <= width else 1
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
                line.append(_EIGHTHS[part] * bar, colour)
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
    start, weeks = _weeks(heatmap)
    shown = min(weeks, max(width - 4, 1))
    skip = weeks - shown
    start += timedelta(days=7 * skip)
    first, last = heatmap[0].day, heatmap[-1].day
    counts = {item.day: item.count for item in heatmap}
    peak = max(counts.values(), default=0)
    months = [" "] * shown
    for week, name in _month_labels(start, shown, max(first, start), last, 4):
        months[week:week + len(name)] = name
    lines = [Text("    " + "".join(months[:shown]).rstrip())]
    for weekday in range(7):
        line = Text(f"{_WEEKDAYS[weekday]} ")
        for week in range(shown):
            day = start + timedelta(days=week * 7 + weekday)
            if day not in counts:
                line.append(" ")
                continue
            level = heat_level(counts[day], peak)
            line.append(HEAT_CHARS[level], style(_HEAT_COLOURS[level]))
        lines.append(line)
    legend = Text("    Less ")
    for level, low, high in heat_ranges(peak):
        legend.append(HEAT_CHARS[level], style(_HEAT_COLOURS[level]))
        legend.append(f" {low if low == high else f'{low}-{high}'}  ")
    legend.append("More (answers a day)")
    lines.append(legend)
    return lines


def _stability_lines(stats: Stats, width: int, style: _Style) -> list[Text]:
    total = sum(bucket.count for bucket in stats.stability)
    peak = max(bucket.count for bucket in stats.stability)
    label_width = max(len(bucket.label) for bucket in stats.stability)
    bar_width = max(min(width - label_width - 18, 50), 5)
    lines = []
    for bucket in stats.stability:
        length = bucket.count / peak * bar_width if peak else 0
        full, part = divmod(round(length * 8), 8)
        bar = "█" * full + (_EIGHTHS[part] if part else "")
        if bucket.count and not bar.strip():
            bar = _EIGHTHS[1]
        line = Text(f"{bucket.label.rjust(label_width)} ")
        line.append(bar.ljust(bar_width), style("blue"))
        line.append(f" {bucket.count:>6,} {100 * bucket.count / total:5.1f}%")
        lines.append(line)
    return lines


# ---------------------------------------------------------------- HTML

_CSS = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;
--h0:#ebedf0;--h1:#9be9a8;--h2:#40c463;--h3:#30a14e;--h4:#216e39;--bar:#0969da;--bar2:#1a7f37;--bar3:#8250df;
--new:#0969da;--learning:#cf222e;--young:#4ac26b;--mature:#1a7f37;--suspended:#d4a72c;--buried:#8c959f}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;
--h0:#1e242c;--h1:#0e4429;--h2:#006d32;--h3:#26a641;--h4:#39d353;--bar:#4493f8;--bar2:#3fb950;--bar3:#ab7df8;
--new:#4493f8;--learning:#f85149;--young:#3fb950;--mature:#238636;--suspended:#d29922;--buried:#656c76}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:860px;margin:0 auto;padding:12px 14px 32px}
h1{font-size:1.4em;margin:.4em 0 .1em}
h2{font-size:1.1em;margin:0 0 .5em}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:14px 0}
.meta,.note,.legend,.totals,#settings{color:var(--muted);font-size:.9em}
.summary{margin:.2em 0 .6em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.scroll.end{direction:rtl;text-align:left}
.scroll.end>*{direction:ltr}
svg{display:block}
svg text{fill:var(--muted);font-size:10px}
svg text.v{fill:var(--fg)}
svg.cols{width:100%;min-width:450px}
.heat{display:inline-block;vertical-align:top}
.l0{fill:var(--h0)}.l1{fill:var(--h1)}.l2{fill:var(--h2)}.l3{fill:var(--h3)}.l4{fill:var(--h4)}
rect.today{stroke:var(--fg);stroke-width:1.5}
.b1{fill:var(--bar)}.b2{fill:var(--bar2)}.b3{fill:var(--bar3)}.axis{stroke:var(--line)}
.legend span{display:inline-flex;align-items:center;gap:3px;margin-right:10px;white-space:nowrap}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px}
.states{display:flex;flex-wrap:wrap;gap:8px 18px;margin:.6em 0 0;padding:0;list-style:none}
.states li{display:flex;flex-direction:column;min-width:64px}
.states b{font-size:1.35em;font-variant-numeric:tabular-nums}
.states small{color:var(--muted);display:flex;align-items:center;gap:4px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:4px 6px;text-align:right;border-bottom:1px solid var(--line);vertical-align:top}
th:first-child,td:first-child{text-align:left}
td small{display:block;color:var(--muted);white-space:nowrap}
td.barcell{width:60%}
td.barcell svg{width:100%;height:14px}
.stack{width:100%;height:16px;border-radius:4px}
.s-new{fill:var(--new)}.s-learning{fill:var(--learning)}.s-young{fill:var(--young)}.s-mature{fill:var(--mature)}
.s-suspended{fill:var(--suspended)}.s-buried{fill:var(--buried)}
.bg-new{background:var(--new)}.bg-learning{background:var(--learning)}.bg-young{background:var(--young)}
.bg-mature{background:var(--mature)}.bg-suspended{background:var(--suspended)}.bg-buried{background:var(--buried)}
@media (max-width:520px){body{font-size:14px}main{padding:8px 8px 24px}section{padding:10px 10px}
th,td{padding:4px 3px}td.barcell{width:45%}}
"""

_CELL, _GAP = 11, 3


def render_html(stats: Stats, settings: Mapping[str, str] | None = None, title: str = "Flashcards statistics") -> str:
    """One self-contained page (inline CSS and SVG, no scripts, no network) with every chart."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="color-scheme" content="light dark">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head><body><main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">Study day {stats.today.isoformat()} (days start at {stats.rollover_hour:02d}:00) · '
        f"as of {escape(stats.now.strftime('%Y-%m-%d %H:%M %Z').strip())}</p>",
        _html_cards(stats),
        _html_forecast(stats),
        _html_heatmap(stats),
        _html_retention(stats),
        _html_activity(stats),
        _html_stability(stats),
        f'<p id="settings">{escape(_settings_line(stats, settings))}</p>',
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _html_cards(stats: Stats) -> str:
    total = stats.cards.total
    out = ['<section id="cards"><h2>Cards</h2>']
    if total:
        out.append('<svg class="stack" role="img" aria-label="cards by state">')
        x = 0.0
        for key, label in _STATE_LABELS:
            count = getattr(stats.cards, key)
            if count:
                share = 100 * count / total
                out.append(f'<rect class="s-{key}" x="{x:.3f}%" y="0" width="{share:.3f}%" height="16">'
                           f"<title>{label}: {count:,}</title></rect>")
                x += share
        out.append("</svg>")
    else:
        out.append('<p class="note">No cards yet.</p>')
    out.append('<ul class="states">')
    for key, label in _STATE_LABELS:
        out.append(f'<li><b>{getattr(stats.cards, key):,}</b><small><i class="sw bg-{key}"></i>{label}</small></li>')
    out.append(f"<li><b>{total:,}</b><small>Total</small></li></ul></section>")
    return "".join(out)


def _html_forecast(stats: Stats) -> str:
    values = [item.count for item in stats.forecast]
    tips = [f"{item.day.isoformat()}: {item.count:,} due" for item in stats.forecast]
    tips[0] += f" (with {stats.overdue:,} overdue)" if stats.overdue else ""
    out = [f'<section id="forecast"><h2>Due forecast, next {len(values)} days</h2>',
           f'<p class="summary">{escape(_forecast_line(stats))}</p>']
    if any(values):
        out.append(_svg_columns(values, [_count_label(v) for v in values], tips, _forecast_ticks(stats), "b1",
                                "Cards due per day"))
    else:
        out.append(f'<p class="note">Nothing due in the next {len(values)} days.</p>')
    out.append("</section>")
    return "".join(out)


def _html_heatmap(stats: Stats) -> str:
    heatmap = stats.heatmap
    start, weeks = _weeks(heatmap)
    first, last = heatmap[0].day, heatmap[-1].day
    peak = max((item.count for item in heatmap), default=0)
    left, top = 30, 16
    step = _CELL + _GAP
    width, height = left + weeks * step, top + 7 * step
    svg = [f'<svg class="heatgrid" width="{width}" height="{height}" role="img" '
           f'aria-label="Answers per day, last {len(heatmap)} days">']
    for week, name in _month_labels(start, weeks, first, last, 3):
        svg.append(f'<text x="{left + week * step}" y="11">{name}</text>')
    for weekday in (0, 2, 4, 6):
        svg.append(f'<text x="0" y="{top + weekday * step + _CELL - 1}">{_WEEKDAYS[weekday]}</text>')
    for item in heatmap:
        offset = (item.day - start).days
        week, weekday = divmod(offset, 7)
        level = heat_level(item.count, peak)
        today = " today" if item.day == last else ""
        svg.append(
            f'<rect class="l{level}{today}" x="{left + week * step}" y="{top + weekday * step}" width="{_CELL}" '
            f'height="{_CELL}" rx="2" data-date="{item.day.isoformat()}" data-count="{item.count}">'
            f"<title>{item.day.isoformat()}: {item.count:,} answer{'' if item.count == 1 else 's'}</title></rect>"
        )
    svg.append("</svg>")
    legend = ['<p class="legend">Less ']
    for level, low, high in heat_ranges(peak):
        legend.append(f'<span><i class="sw" style="background:var(--h{level})"></i>'
                      f"{low if low == high else f'{low}–{high}'}</span>")
    legend.append("More (answers a day)</p>")
    out = [f'<section id="heatmap"><h2>Reviews, last {len(heatmap)} days</h2>']
    if not stats.answers_total:
        out.append(f'<p class="note">No answers in the last {len(heatmap)} days.</p>')
    out.append(f'<div class="scroll end"><div class="heat">{"".join(svg)}</div></div>')
    out.append("".join(legend))
    out.append(f'<p class="summary" id="streaks">{escape(_streak_line(stats))}</p></section>')
    return "".join(out)


def _html_retention(stats: Stats) -> str:
    out = [f'<section id="retention"><h2>True retention <small>(desired {_desired(stats)})</small>'
           "</h2><table><thead><tr><th>Last</th><th>Young</th><th>Mature</th><th>All</th></tr></thead><tbody>"]
    for row in stats.retention:
        cells = []
        for count in (row.young, row.mature, row.combined):
            if count.total:
                cells.append(f"<td>{_percent(count.rate)}<small>{count.passed:,}/{count.total:,}</small></td>")
            else:
                cells.append("<td>—</td>")
        out.append(f"<tr><td>{row.days} days</td>{''.join(cells)}</tr>")
    out.append('</tbody></table><p class="note">Share of answers to review cards that were not Again; '
               f"young cards have an interval under 21 days. Desired retention: "
               f"{_desired(stats)}.</p></section>")
    return "".join(out)


def _html_activity(stats: Stats) -> str:
    ticks = _activity_ticks(stats)
    answers = [item.answers for item in stats.activity]
    minutes = [item.minutes for item in stats.activity]
    out = [f'<section id="activity"><h2>Answers and time per day, last {len(answers)} days</h2>']
    if not any(answers):
        out.append(f'<p class="note">No answers in the last {len(answers)} days.</p>')
        out.append(f'<p class="totals">{escape(_totals_line(stats))}</p></section>')
        return "".join(out)
    out.append("<h3 class=\"note\">Answers</h3>")
    out.append(_svg_columns(answers, [_count_label(v) for v in answers],
                            [f"{i.day.isoformat()}: {i.answers:,} answers" for i in stats.activity], ticks, "b2",
                            "Answers per day", recent_last=True))
    out.append("<h3 class=\"note\">Minutes</h3>")
    out.append(_svg_columns(minutes, [_minute_label(v) for v in minutes],
                            [f"{i.day.isoformat()}: {_minutes(i.minutes)}" for i in stats.activity], ticks, "b3",
                            "Minutes per day", recent_last=True))
    out.append(f'<p class="totals">{escape(_totals_line(stats))}</p></section>')
    return "".join(out)


def _html_stability(stats: Stats) -> str:
    total = sum(bucket.count for bucket in stats.stability)
    peak = max((bucket.count for bucket in stats.stability), default=0)
    out = ['<section id="stability"><h2>Stability <small>(how long a memory lasts)</small></h2>']
    if not total:
        out.append('<p class="note">No cards studied yet.</p>')
    out.append("<table><tbody>")
    for bucket in stats.stability:
        share = 100 * bucket.count / peak if peak else 0
        pct = f"{100 * bucket.count / total:.1f}%" if total else "—"
        out.append(
            f"<tr><td>{escape(bucket.label)}</td><td class=\"barcell\"><svg role=\"img\" "
            f"aria-label=\"{escape(bucket.label)}: {bucket.count}\"><rect class=\"b1\" x=\"0\" y=\"1\" "
            f"width=\"{share:.3f}%\" height=\"12\" rx=\"2\"/></svg></td><td>{bucket.count:,}</td><td>{pct}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _svg_columns(values: Sequence[float], labels: Sequence[str], tips: Sequence[str], ticks: Mapping[int, str],
                 css: str, title: str, *, recent_last: bool = False) -> str:
    """Vertical bars laid out in percentages of the width, so text keeps its size on any screen."""
    count = len(values)
    slot = 100 / count
    top, plot = 14, 110
    axis = top + plot
    peak = max(values, default=0)
    scroll = "scroll end" if recent_last else "scroll"  # on a narrow screen, show the latest days first
    svg = [f'<div class="{scroll}"><svg class="cols" height="{axis + 18}" role="img" aria-label="{escape(title)}">']
    svg.append(f'<line class="axis" x1="0" x2="100%" y1="{axis + 0.5}" y2="{axis + 0.5}"/>')
    for index, (value, label, tip) in enumerate(zip(values, labels, tips, strict=True)):
        height = 0 if peak <= 0 or value <= 0 else max(1.0, value / peak * plot)
        x = index * slot + slot * 0.12
        centre = index * slot + slot / 2
        svg.append(f'<g><title>{escape(tip)}</title>'
                   f'<rect class="{css}" x="{x:.3f}%" y="{axis - height:.1f}" width="{slot * 0.76:.3f}%" '
                   f'height="{height:.1f}" rx="1.5"/>')
        if label:
            svg.append(f'<text class="v" x="{centre:.3f}%" y="{axis - height - 3:.1f}" text-anchor="middle">'
                       f"{escape(label)}</text>")
        svg.append("</g>")
    for index, label in sorted(ticks.items()):
        anchor = "end" if index == count - 1 else "start"
        x = (index + 1) * slot if anchor == "end" else index * slot
        svg.append(f'<text x="{x:.3f}%" y="{axis + 14}" text-anchor="{anchor}">{escape(label)}</text>')
    svg.append("</svg></div>")
    return "".join(svg)
