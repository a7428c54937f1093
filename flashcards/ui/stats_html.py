"""The statistics as one self-contained HTML page: inline CSS and SVG, no scripts, no fonts or images from
anywhere, readable on a phone.

Every chart fits the width of the page (390 px phones included): bars are laid out in percentages of the
width, so text keeps its size; a chart's value labels shrink, then give way to its scale, when the chart is
too narrow for them (container queries). The range (1 month, 3 months, 1 year, all) is picked with radio
buttons and CSS alone: each range-dependent chart is drawn once per range, and `:checked` shows one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from ..stats.numbers import Stats
from ..stats.periods import RANGES, Period
from .formats import minutes, percent, retention
from .stats_common import (
    BUTTON_LABELS,
    GROUP_LABELS,
    KIND_LABELS,
    STATE_LABELS,
    WEEKDAYS,
    added_line,
    axis_ticks,
    button_rows,
    count_label,
    count_tick,
    forecast_caption,
    future_ticks,
    grid_weeks,
    heat_level,
    heat_ranges,
    hour_label,
    minute_label,
    month_labels,
    past_ticks,
    period_forecast_line,
    range_caption,
    range_span,
    settings_line,
    streak_line,
    studied_line,
    time_line,
)

DEFAULT_RANGE = "1m"
_LABEL_WIDTHS = (240, 280, 320, 360, 400, 440, 480, 540, 600, 660, 720, 780, 840)  # chart widths in px
_HEAT_WIDTHS = tuple(range(250, 1001, 50))  # heatmap widths in px: a month label near the end gives way below one

_CSS = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;
--h0:#ebedf0;--h1:#9be9a8;--h2:#40c463;--h3:#30a14e;--h4:#216e39;--bar:#0969da;--bar2:#1a7f37;--bar3:#8250df;
--new:#0969da;--learning:#e16f24;--young:#4ac26b;--mature:#1a7f37;--relearning:#cf222e;--suspended:#d4a72c;
--buried:#8c959f;--again:#cf222e;--hard:#bf8700;--good:#1a7f37;--easy:#0969da;--pct:#8250df}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;
--h0:#1e242c;--h1:#0e4429;--h2:#006d32;--h3:#26a641;--h4:#39d353;--bar:#4493f8;--bar2:#3fb950;--bar3:#ab7df8;
--new:#4493f8;--learning:#f0883e;--young:#3fb950;--mature:#238636;--relearning:#f85149;--suspended:#d29922;
--buried:#656c76;--again:#f85149;--hard:#d29922;--good:#3fb950;--easy:#4493f8;--pct:#ab7df8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%%;text-size-adjust:100%%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;overflow-wrap:break-word}
main{max-width:860px;margin:0 auto;padding:12px 14px 32px}
h1{font-size:1.4em;margin:.4em 0 .1em}
h2{font-size:1.1em;margin:0 0 .4em}
h2 small{font-weight:normal;color:var(--muted)}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:14px 0;
min-width:0}
.meta,.note,.legend,.totals,.caption,#settings{color:var(--muted);font-size:.9em}
.caption{margin:0 0 .3em}
.summary{margin:.2em 0 .5em}
.range-input{position:fixed;top:0;left:0;width:1px;height:1px;margin:0;opacity:0;pointer-events:none}
.ranges{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:10px -4px 0;
padding:6px 4px;background:var(--bg);border-bottom:1px solid var(--line)}
.ranges span{color:var(--muted);font-size:.9em;margin-right:2px}
.ranges label{cursor:pointer;padding:3px 11px;border:1px solid var(--line);border-radius:999px;font-size:.92em;
white-space:nowrap;user-select:none}
.rg{display:none}
%(range_rules)s
svg{display:block;overflow:visible}
svg text{fill:var(--muted);font-size:10px}
svg text.v{fill:var(--fg)}
svg text.y,svg text.p{font-size:9px;paint-order:stroke;stroke:var(--card);stroke-width:3px;stroke-linejoin:round}
svg text.p{fill:var(--pct)}
.chart{container-type:inline-size;width:100%%;margin:4px 0 2px}
svg.cols{width:100%%}
.grid{stroke:var(--line);stroke-dasharray:2 3}
.axis{stroke:var(--line)}
%(label_rules)s
.pctline{stroke:var(--pct);stroke-width:1.5}
.pctdot{fill:var(--pct)}
.heat{width:100%%;container-type:inline-size}
.hm-halves{display:flex;align-items:flex-end}
.hm-half{min-width:0}
.hm-months{position:relative;height:14px;margin-left:30px;font-size:10px;color:var(--muted)}
.hm-months span{position:absolute;top:0;white-space:nowrap}
.hm-months span.end{right:0}
.second .hm-months{margin-left:0}.second .hm-days,.second .cont{display:none}
.hm-months .wbmax{display:none}
@container (max-width:%(heat_split)spx){.hm-halves{flex-direction:column;align-items:stretch;gap:8px}
.hm-half{flex:none!important;width:100%%}.second .hm-months{margin-left:30px}.second .hm-days{display:block}
.second .cont,.hm-months .wbmax{display:inline}.hm-months .nbmax{display:none}}
%(heat_rules)s
.hm-row{display:flex}
.hm-days{flex:none;width:30px;position:relative;font-size:9px;line-height:1;color:var(--muted)}
.hm-days span{position:absolute;left:0;transform:translateY(-50%%)}
.hm-row svg{flex:1 1 0;min-width:0;width:100%%;height:auto}
.l0{fill:var(--h0)}.l1{fill:var(--h1)}.l2{fill:var(--h2)}.l3{fill:var(--h3)}.l4{fill:var(--h4)}
rect.today{stroke:var(--fg);stroke-width:1.5}
.b1{fill:var(--bar)}.b2{fill:var(--bar2)}.b3{fill:var(--bar3)}
.k-learning{fill:var(--learning)}.k-young{fill:var(--young)}.k-mature{fill:var(--mature)}
.k-relearning{fill:var(--relearning)}
.n-again{fill:var(--again)}.n-hard{fill:var(--hard)}.n-good{fill:var(--good)}.n-easy{fill:var(--easy)}
.legend{margin:.3em 0}
.legend span{display:inline-flex;align-items:center;gap:3px;margin-right:10px;white-space:nowrap}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;flex:none}
.states{display:flex;flex-wrap:wrap;gap:8px 18px;margin:.6em 0 0;padding:0;list-style:none}
.states li{display:flex;flex-direction:column;min-width:64px}
.states b{font-size:1.35em;font-variant-numeric:tabular-nums}
.states small{color:var(--muted);display:flex;align-items:center;gap:4px}
table{border-collapse:collapse;width:100%%;font-variant-numeric:tabular-nums}
th,td{padding:4px 6px;text-align:right;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
td small{display:block;color:var(--muted);white-space:normal}
td.barcell{width:55%%}
td.barcell svg{width:100%%;height:14px}
.stack{width:100%%;height:16px;border-radius:4px}
.s-new{fill:var(--new)}.s-learning{fill:var(--learning)}.s-young{fill:var(--young)}.s-mature{fill:var(--mature)}
.s-suspended{fill:var(--suspended)}.s-buried{fill:var(--buried)}
.bg-new{background:var(--new)}.bg-learning{background:var(--learning)}.bg-young{background:var(--young)}
.bg-mature{background:var(--mature)}.bg-suspended{background:var(--suspended)}.bg-buried{background:var(--buried)}
.bg-relearning{background:var(--relearning)}.bg-again{background:var(--again)}.bg-hard{background:var(--hard)}
.bg-good{background:var(--good)}.bg-easy{background:var(--easy)}.bg-pct{background:var(--pct)}
.bg-bar{background:var(--bar)}.bg-bar3{background:var(--bar3)}
@media (max-width:520px){body{font-size:14px}main{padding:8px 8px 24px}section{padding:10px 10px}
th,td{padding:4px 3px}td.barcell{width:40%%}table.buttons{font-size:13px}}
"""


def _range_rules() -> str:
    shown = ",".join(f"#range-{key}:checked~section .rg-{key}" for key, _, _ in RANGES)
    picked = ",".join(f'#range-{key}:checked~.ranges label[for="range-{key}"]' for key, _, _ in RANGES)
    focused = ",".join(f'#range-{key}:focus-visible~.ranges label[for="range-{key}"]' for key, _, _ in RANGES)
    return (f"{shown}{{display:block}}\n{picked}{{background:var(--bar);border-color:var(--bar);color:#fff}}\n"
            f"{focused}{{outline:2px solid var(--bar);outline-offset:2px}}")


def _label_rules() -> str:
    """A chart's value labels go to 8 px, then away, when the chart is narrower than they need (see _fit); its
    scale's numbers show only when its value labels do not."""
    rules = ["svg.lab text.y{display:none}", "svg.fmax text.v{font-size:8px}",
             "svg.hmax text.v{display:none}svg.hmax text.y{display:inline}"]
    for width in _LABEL_WIDTHS:
        rules.append(f"@container (max-width:{width - 0.5}px){{svg.f{width} text.v{{font-size:8px}}"
                     f"svg.h{width} text.v{{display:none}}svg.h{width} text.y{{display:inline}}}}")
    return "\n".join(rules)


_HEAT_SPLIT = 600  # from this width (px) the calendar's two half-years sit side by side


def _heat_rules() -> str:
    """A month label that gives way (see _month_spans): below its width, side by side or one above the other."""
    rules = []
    for width in _HEAT_WIDTHS:
        if width > _HEAT_SPLIT:
            rules.append(f"@container (min-width:{_HEAT_SPLIT}px) and (max-width:{width - 0.5}px)"
                         f"{{.hm-months .wb{width}{{display:none}}}}")
        rules.append(f"@container (max-width:{min(width, _HEAT_SPLIT) - 0.5}px){{.hm-months .nb{width}{{display:none}}}}")
    return "\n".join(rules)


_STYLE = _CSS % {"range_rules": _range_rules(), "label_rules": _label_rules(), "heat_rules": _heat_rules(),
                 "heat_split": _HEAT_SPLIT - 0.5}
_CELL, _GAP = 11, 3


def render_html(stats: Stats, settings: Mapping[str, str] | None = None, title: str = "Flashcards statistics") -> str:
    """One self-contained page (inline CSS and SVG, no scripts, no network) with every chart."""
    inputs = "".join(
        f'<input class="range-input" type="radio" name="range" id="range-{key}" value="{key}"'
        f'{" checked" if key == DEFAULT_RANGE else ""} aria-label="{escape(label)}">'
        for key, label, _ in RANGES)
    labels = "".join(f'<label for="range-{key}">{escape(label.capitalize())}</label>' for key, label, _ in RANGES)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="color-scheme" content="light dark">',
        f"<title>{escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head><body><main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">Study day {stats.today.isoformat()} (days start at {stats.rollover_hour:02d}:00) · '
        f"as of {escape(stats.now.strftime('%Y-%m-%d %H:%M %Z').strip())}</p>",
        inputs,
        f'<nav class="ranges" role="radiogroup" aria-label="Range of the charts"><span>Range</span>{labels}</nav>',
        _html_cards(stats),
        _html_forecast(stats),
        _html_heatmap(stats),
        _html_retention(stats),
        _html_reviews(stats),
        _html_time(stats),
        _html_added(stats),
        _html_buttons(stats),
        _html_hours(stats),
        _html_intervals(stats),
        _html_stability(stats),
        _html_difficulty(stats),
        _html_retrievability(stats),
        f'<p id="settings">{escape(settings_line(stats, settings))}</p>',
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _ranged(stats: Stats, draw: Callable[[Period], str]) -> str:
    """One block per range, shown by the range picked (all of them without CSS)."""
    return "".join(f'<div class="rg rg-{period.key}" data-range="{period.key}">{draw(period)}</div>'
                   for period in stats.periods)


def _legend(items: Sequence[tuple[str, str]]) -> str:
    """(swatch class, text) as a line of coloured keys."""
    return ('<p class="legend">' + "".join(f'<span><i class="sw bg-{css}"></i>{escape(text)}</span>' for css, text in items)
            + "</p>")


def _html_cards(stats: Stats) -> str:
    total = stats.cards.total
    out = ['<section id="cards"><h2>Cards</h2>']
    if total:
        out.append('<svg class="stack" role="img" aria-label="cards by state">')
        x = 0.0
        for key, label in STATE_LABELS:
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
    for key, label in STATE_LABELS:
        out.append(f'<li><b>{getattr(stats.cards, key):,}</b><small><i class="sw bg-{key}"></i>{label}</small></li>')
    out.append(f"<li><b>{total:,}</b><small>Total</small></li></ul></section>")
    return "".join(out)


def _html_forecast(stats: Stats) -> str:
    def draw(period: Period) -> str:
        out = [f'<p class="caption">{escape(forecast_caption(period))}</p>',
               f'<p class="summary">{escape(period_forecast_line(stats, period))}</p>']
        if not period.due:
            out.append(f'<p class="note">Nothing due in the next {period.forecast_days:,} days.</p>')
            return "".join(out)
        columns = []
        for index, bar in enumerate(period.forecast):
            tip = f"{_span(bar.first, bar.last)}: {bar.due:,} due"
            if index == 0 and stats.overdue:
                tip += f" (with {stats.overdue:,} overdue)"
            columns.append(_Column((("b1", bar.due),), count_label(bar.due), tip))
        long = period.forecast_days > 400
        out.append(_chart(columns, _ticks(future_ticks([bar.first for bar in period.forecast], long), len(columns)),
                          "Cards due per day", count_tick))
        return "".join(out)

    return f'<section id="forecast"><h2>Due forecast</h2>{_ranged(stats, draw)}</section>'


def _html_heatmap(stats: Stats) -> str:
    """A calendar of the year: weeks are columns, in two half-years that sit side by side as one grid where there is
    room and one above the other on a phone (cells twice as big); each grid scales to its width, its labels are
    text beside it, so they keep their size."""
    heatmap = stats.heatmap
    start, weeks = grid_weeks(heatmap)
    first, last = heatmap[0].day, heatmap[-1].day
    peak = max((item.count for item in heatmap), default=0)
    step = _CELL + _GAP
    split = -(-weeks // 2)
    halves = []
    for index, (low, high) in enumerate(((0, split), (split, weeks))):
        count = high - low
        width, height = count * step - (_GAP if index else 0), 7 * step - _GAP  # (the first keeps the gap between)
        svg = [f'<svg class="heatgrid" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
               f'aria-label="Answers per day, {"second" if index else "first"} half of the last {len(heatmap)} days">']
        for item in heatmap:
            week, weekday = divmod((item.day - start).days, 7)
            if not low <= week < high:
                continue
            level = heat_level(item.count, peak)
            today = " today" if item.day == last else ""
            svg.append(
                f'<rect class="l{level}{today}" x="{(week - low) * step}" y="{weekday * step}" width="{_CELL}" '
                f'height="{_CELL}" rx="2" data-date="{item.day.isoformat()}" data-count="{item.count}">'
                f"<title>{item.day.isoformat()}: {item.count:,} answer{'' if item.count == 1 else 's'}</title></rect>"
            )
        svg.append("</svg>")
        half_start = start + timedelta(days=7 * low)
        months = _month_spans(half_start, count, max(first, half_start),
                              min(last, half_start + timedelta(days=7 * count - 1)), weeks, width / step)
        days = "".join(f'<span style="top:{100 * (weekday + 0.5) / 7:.2f}%">{WEEKDAYS[weekday]}</span>'
                       for weekday in range(0, 7, 2))
        halves.append(f'<div class="hm-half{" second" if index else ""}" style="flex:{width} 1 {0 if index else 30}px">'
                      f'<div class="hm-months">{"".join(months)}</div><div class="hm-row"><div class="hm-days" '
                      f'aria-hidden="true">{days}</div>{"".join(svg)}</div></div>')
    legend = ['<p class="legend">Less ']
    for level, low, high in heat_ranges(peak):
        legend.append(f'<span><i class="sw" style="background:var(--h{level})"></i>'
                      f"{low if low == high else f'{low}–{high}'}</span>")
    legend.append("More (answers a day)</p>")
    out = [f'<section id="heatmap"><h2>Reviews, last {len(heatmap)} days</h2>']
    if not stats.answers_total:
        out.append(f'<p class="note">No answers in the last {len(heatmap)} days.</p>')
    out.append(f'<div class="heat" style="max-width:{30 + weeks * step - _GAP}px"><div class="hm-halves">'
               f'{"".join(halves)}</div></div>')
    out.append("".join(legend))
    out.append(f'<p class="summary" id="streaks">{escape(streak_line(stats))}</p></section>')
    return "".join(out)


def _month_spans(start: date, weeks: int, first: date, last: date, all_weeks: int, units: float) -> list[str]:
    """The month labels over one half of the calendar (`weeks` columns from `start`, `units` of them wide): each
    where its month begins (or the first column's month, marked `cont`, a continuation); one too near the end
    ends at the grid's end instead, and the one before it gives way below the width at which the two would touch
    (about 44 px for two labels; `wb`: the halves side by side, `nb`: one above the other)."""
    spans: list[str] = []
    placed = month_labels(start, weeks, first, last, 4)
    for index, (week, name) in enumerate(placed):
        begins = any((start + timedelta(days=7 * week + offset)).day == 1 for offset in range(7))
        cont = "" if begins else " cont"
        if weeks - week < 3:
            if index:
                room = weeks - placed[index - 1][0]
                wide = _heat_width(30 + 44 * all_weeks / room)
                narrow = _heat_width(30 + 44 * weeks / room)
                spans[-1] = spans[-1].replace('class="', f'class="wb{wide} nb{narrow} ')
            spans.append(f'<span class="end{cont}">{name}</span>')
        else:
            spans.append(f'<span class="at{cont}" style="left:{100 * week / units:.3f}%">{name}</span>')
    return spans


def _heat_width(width: float) -> str:
    return next((str(limit) for limit in _HEAT_WIDTHS if limit >= width), "max")


def _html_retention(stats: Stats) -> str:
    out = [f'<section id="retention"><h2>True retention <small>(desired {retention(stats.desired_retention)})</small>'
           "</h2><table><thead><tr><th>Last</th><th>Young</th><th>Mature</th><th>All</th></tr></thead><tbody>"]
    for row in stats.retention:
        cells = []
        for count in (row.young, row.mature, row.combined):
            if count.total:
                cells.append(f"<td>{percent(count.rate)}<small>{count.passed:,}/<wbr>{count.total:,}</small></td>")
            else:
                cells.append("<td>—</td>")
        out.append(f"<tr><td>{row.days} days</td>{''.join(cells)}</tr>")
    out.append('</tbody></table><p class="note">Share of answers to review cards that were not Again; '
               f"young cards have an interval under 21 days. Desired retention: "
               f"{retention(stats.desired_retention)}.</p></section>")
    return "".join(out)


def _past_columns(period: Period, tip: Callable, parts: Callable, label: Callable) -> list[_Column]:
    return [_Column(parts(bar), label(bar), f"{_span(bar.first, bar.last)}: {tip(bar)}") for bar in period.reviews]


def _past_ticks(period: Period) -> list[_Tick]:
    return _ticks(past_ticks([bar.first for bar in period.reviews], period.days > 400), len(period.reviews))


def _html_reviews(stats: Stats) -> str:
    def draw(period: Period) -> str:
        out = [f'<p class="caption">{escape(range_caption(period))}</p>']
        if not period.answers.total:
            out.append(f'<p class="note">{escape(studied_line(period))}</p>')
            return "".join(out)
        values = period.answers
        out.append(_legend([(key, f"{label} {getattr(values, key):,}") for key, label in KIND_LABELS]))

        def tip(bar) -> str:
            kinds = ", ".join(f"{label.lower()} {getattr(bar.answers, key):,}" for key, label in KIND_LABELS
                              if getattr(bar.answers, key))
            return f"{bar.answers.total:,} answers" + (f" ({kinds})" if kinds else "")

        columns = _past_columns(period, tip, lambda bar: [(f"k-{key}", getattr(bar.answers, key)) for key, _ in KIND_LABELS],
                                lambda bar: count_label(bar.answers.total))
        out.append(_chart(columns, _past_ticks(period), "Answers per day by kind", count_tick))
        out.append(f'<p class="totals">{escape(studied_line(period))}</p>')
        return "".join(out)

    return ('<section id="reviews"><h2>Reviews <small>(answers by kind of card)</small></h2>'
            f'{_ranged(stats, draw)}<p class="note">Learning: new and learning cards; young and mature: review cards '
            "with an interval under 21 days and from 21 days; relearning: cards forgotten and being learned again."
            "</p></section>")


def _html_time(stats: Stats) -> str:
    def draw(period: Period) -> str:
        out = [f'<p class="caption">{escape(range_caption(period))} · minutes</p>']
        if not period.answers.total:
            out.append(f'<p class="note">{escape(time_line(period))}</p>')
            return "".join(out)
        out.append(_legend([(key, f"{label} {minutes(getattr(period.ms, key) / 60_000)}") for key, label in KIND_LABELS]))
        columns = _past_columns(period, lambda bar: minutes(bar.ms.total / 60_000),
                                lambda bar: [(f"k-{key}", getattr(bar.ms, key) / 60_000) for key, _ in KIND_LABELS],
                                lambda bar: minute_label(bar.ms.total / 60_000))
        out.append(_chart(columns, _past_ticks(period), "Minutes per day by kind", minute_label))
        out.append(f'<p class="totals">{escape(time_line(period))}</p>')
        return "".join(out)

    return f'<section id="time"><h2>Review time</h2>{_ranged(stats, draw)}</section>'


def _html_added(stats: Stats) -> str:
    def draw(period: Period) -> str:
        out = [f'<p class="caption">{escape(range_caption(period))}</p>']
        if period.added:
            columns = _past_columns(period, lambda bar: f"{bar.added:,} cards added", lambda bar: [("b1", bar.added)],
                                    lambda bar: count_label(bar.added))
            out.append(_chart(columns, _past_ticks(period), "Cards added per day", count_tick))
        out.append(f'<p class="totals">{escape(added_line(period))}</p>')
        return "".join(out)

    return ('<section id="added"><h2>Cards added</h2>' + _ranged(stats, draw)
            + '<p class="note">A card counts as added on the day it is first answered as a new card (the store keeps '
            "no time a card was made).</p></section>")


def _html_buttons(stats: Stats) -> str:
    names = [name.lower() for name in BUTTON_LABELS]

    def draw(period: Period) -> str:
        out = [f'<p class="caption">{escape(range_caption(period))}</p>']
        if not period.answers.total:
            out.append(f'<p class="note">No answers in the {escape(range_span(period))}.</p>')
            return "".join(out)
        out.append(_legend([(name, label) for name, label in zip(names, BUTTON_LABELS, strict=True)]))
        columns: list[_Column | None] = []
        ticks = []
        for group_index, item in enumerate(period.buttons):
            if group_index:
                columns.append(None)
            for name, label, count in zip(names, BUTTON_LABELS, item.counts, strict=True):
                columns.append(_Column(((f"n-{name}", count),), count_label(count),
                                       f"{GROUP_LABELS[item.group]}, {label}: {count:,} of {item.total:,}"))
            centre = len(columns) - 2
            ticks.append(_Tick(centre, GROUP_LABELS[item.group], "middle"))
            ticks.append(_Tick(centre, f"{percent(item.rate)} correct" if item.total else "—", "middle", 1))
        out.append(_chart(columns, ticks, "Answer buttons by kind of card", count_tick))
        head = "".join(f"<th>{label}</th>" for label in BUTTON_LABELS)
        out.append(f'<table class="buttons"><thead><tr><th></th>{head}<th>Correct</th></tr></thead><tbody>')
        for label, counts, total, rate in button_rows(period):
            cells = "".join(f"<td>{count:,}</td>" for count in counts)
            out.append(f'<tr><td>{label}</td>{cells}<td>{rate}<small>{total - counts[0]:,}/<wbr>{total:,}</small></td></tr>')
        out.append("</tbody></table>")
        return "".join(out)

    return ('<section id="buttons"><h2>Answer buttons</h2>' + _ranged(stats, draw)
            + '<p class="note">Correct: not Again. Learning includes relearning cards; young and mature are review '
            "cards by their interval.</p></section>")


def _html_hours(stats: Stats) -> str:
    def draw(period: Period) -> str:
        out = [f'<p class="caption">{escape(range_caption(period))} · local time</p>']
        if not period.answers.total:
            out.append(f'<p class="note">No answers in the {escape(range_span(period))}.</p>')
            return "".join(out)
        out.append(_legend([("bar", "Answers"), ("pct", "% correct (scale on the right)")]))
        columns = [_Column((("b1", item.answers),), count_label(item.answers),
                           f"{hour_label(item.hour)}–{hour_label((item.hour + 1) % 24)}: {item.answers:,} answers"
                           + (f", {percent(item.rate)} correct" if item.answers else ""))
                   for item in period.hours]
        ticks = [_Tick(hour + 0.5, str(hour), "middle") for hour in range(0, 24, 3)]
        out.append(_chart(columns, ticks, "Answers per hour of the day", count_tick,
                          line=[item.rate for item in period.hours]))
        return "".join(out)

    return ('<section id="hours"><h2>Hours of the day</h2>' + _ranged(stats, draw)
            + '<p class="note">Answers given in each hour of the clock, and the share of them that were not Again.'
            "</p></section>")


def _bucket_table(buckets: Sequence, css: str) -> str:
    total = sum(bucket.count for bucket in buckets)
    peak = max((bucket.count for bucket in buckets), default=0)
    out = ["<table><tbody>"]
    for bucket in buckets:
        share = 100 * bucket.count / peak if peak else 0
        pct = f"{100 * bucket.count / total:.1f}%" if total else "—"
        out.append(
            f"<tr><td>{escape(bucket.label)}</td><td class=\"barcell\"><svg role=\"img\" "
            f"aria-label=\"{escape(bucket.label)}: {bucket.count}\"><rect class=\"{css}\" x=\"0\" y=\"1\" "
            f"width=\"{share:.3f}%\" height=\"12\" rx=\"2\"/></svg></td><td>{bucket.count:,}</td><td>{pct}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _html_intervals(stats: Stats) -> str:
    memory = stats.memory
    out = ['<section id="intervals"><h2>Review intervals <small>(days until the next review)</small></h2>']
    if memory.reviewed:
        out.append(f'<p class="summary">{escape(_interval_line(stats))}</p>')
    else:
        out.append('<p class="note">No review cards yet.</p>')
    out.append(_bucket_table(memory.intervals, "b2"))
    out.append('<p class="note">Review cards, not suspended; from 21 days a card is mature.</p></section>')
    return "".join(out)


def _interval_line(stats: Stats) -> str:
    memory = stats.memory
    mean = memory.interval_mean_days or 0
    longest = memory.interval_max_days or 0
    return (f"{memory.reviewed:,} review cards · average interval {_days(mean)} · longest {_days(longest)}")


def _days(value: float) -> str:
    if value >= 365:
        return f"{value / 365:.1f} years"
    if value >= 60:
        return f"{value / 30:.1f} months"
    return f"{value:.1f} days"


def _html_stability(stats: Stats) -> str:
    total = sum(bucket.count for bucket in stats.stability)
    out = ['<section id="stability"><h2>Stability <small>(how long a memory lasts)</small></h2>']
    if not total:
        out.append('<p class="note">No cards studied yet.</p>')
    out.append(_bucket_table(stats.stability, "b1"))
    out.append("</section>")
    return "".join(out)


def _memory_chart(bins: Sequence, hue: Callable[[float], float], title: str, what: str) -> str:
    columns = [_Column((("", item.count),), count_label(item.count), f"{what} {item.label}: {item.count:,} cards",
                       f"hsl({hue((item.low + item.high) / 200):.0f} 60% 45%)") for item in bins]
    ticks = [_Tick(0, "0%", "start"), _Tick(len(bins) / 2, "50%", "middle"), _Tick(len(bins), "100%", "end")]
    return _chart(columns, ticks, title, count_tick)


def _html_difficulty(stats: Stats) -> str:
    memory = stats.memory
    out = ['<section id="difficulty"><h2>Difficulty <small>(FSRS, 1-10 shown as 0-100%)</small></h2>']
    if memory.with_difficulty:
        out.append(f'<p class="summary">{memory.with_difficulty:,} cards · average difficulty '
                   f"{memory.difficulty_mean:.0f}%</p>")
        out.append(_memory_chart(memory.difficulty, lambda share: 120 - 120 * share, "Cards by difficulty",
                                 "Difficulty"))
    else:
        out.append('<p class="note">No cards studied yet.</p>')
    out.append('<p class="note">Cards being studied (not new, not suspended); higher is harder: the stability '
               "such a card gains from a review grows less.</p></section>")
    return "".join(out)


def _html_retrievability(stats: Stats) -> str:
    memory = stats.memory
    out = ['<section id="retrievability"><h2>Retrievability <small>(the chance to recall a card now)</small></h2>']
    if memory.with_retrievability:
        out.append(f'<p class="summary">{memory.with_retrievability:,} cards · average retrievability '
                   f"{percent(memory.retrievability_mean)} · about {memory.recall_now:,.0f} of them you would "
                   f"recall if asked now</p>")
        out.append(_memory_chart(memory.retrievability, lambda share: 120 * share, "Cards by retrievability",
                                 "Retrievability"))
    else:
        out.append('<p class="note">No cards studied yet.</p>')
    out.append(f'<p class="note">FSRS\'s forgetting curve, from each card\'s stability and the time since its last '
               f"answer; a card is due when it falls to the desired retention ({retention(stats.desired_retention)})."
               "</p></section>")
    return "".join(out)


def _span(first, last) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


@dataclass(frozen=True)
class _Column:
    """One bar: stacked parts (css class, value) from the bottom, the label over it, its tooltip, a fill colour
    for all its parts instead of their classes."""

    parts: Sequence[tuple[str, float]]
    label: str
    tip: str
    fill: str | None = None

    @property
    def total(self) -> float:
        return sum(max(value, 0) for _, value in self.parts)


@dataclass(frozen=True)
class _Tick:
    """A label under the bars: at `at` bars from the left (0: the left edge), anchored start, middle or end."""

    at: float
    text: str
    anchor: str
    row: int = 0


def _ticks(ticks: Mapping[int, str], count: int) -> list[_Tick]:
    """Date labels at the left edge of their bar; the last bar's ends at the right edge."""
    return [_Tick(count, text, "end") if index == count - 1 else _Tick(index, text, "start")
            for index, text in sorted(ticks.items())]


def _fit(columns: Sequence[_Column | None]) -> str:
    """The classes that size a chart's value labels: f<width> shrinks them below that chart width, h<width> hides
    them (the widest label must fit its bar's slot: about 6 px a character at 10 px, 5 at 8 px)."""
    longest = max((len(column.label) for column in columns if column is not None), default=0)
    if not longest:
        return ""
    slots = len(columns)

    def smallest(width: float) -> str:
        return next((str(limit) for limit in _LABEL_WIDTHS if limit >= width), "max")

    return f"lab f{smallest(slots * (longest * 6.2 + 3))} h{smallest(slots * (longest * 5.0 + 2))}"


def _chart(columns: Sequence[_Column | None], ticks: Sequence[_Tick], title: str, scale: Callable[[float], str], *,
           line: Sequence[float | None] | None = None) -> str:
    """Vertical bars as wide as the page: x in percentages of the width, so text keeps its size; a dashed scale
    behind; each bar's value over it when there is room; `line`: shares 0-1 drawn over the bars (scale 0-100%
    on the right)."""
    count = len(columns)
    slot = 100 / count
    top, plot = 14, 120
    axis = top + plot
    rows = 1 + max((tick.row for tick in ticks), default=0)
    peak = max((column.total for column in columns if column is not None), default=0)
    svg = [f'<div class="chart"><svg class="cols {_fit(columns)}" height="{axis + 4 + 13 * rows}" role="img" '
           f'aria-label="{escape(title)}">']
    marks = axis_ticks(peak)
    for value in marks:
        y = axis - value / peak * plot
        svg.append(f'<line class="grid" x1="0" x2="100%" y1="{y:.1f}" y2="{y:.1f}"/>')
    svg.append(f'<line class="axis" x1="0" x2="100%" y1="{axis + 0.5}" y2="{axis + 0.5}"/>')
    for index, column in enumerate(columns):
        if column is None:
            continue
        total = column.total
        height = 0.0 if peak <= 0 or total <= 0 else max(1.0, total / peak * plot)
        x = index * slot + slot * 0.12
        svg.append(f"<g><title>{escape(column.tip)}</title>")
        y = float(axis)
        for css, value in column.parts:
            if value <= 0 or total <= 0:
                continue
            part = height * value / total
            y -= part
            paint = f'fill="{column.fill}"' if column.fill else f'class="{css}"'
            svg.append(f'<rect {paint} x="{x:.3f}%" y="{y:.2f}" width="{slot * 0.76:.3f}%" height="{part:.2f}"/>')
        svg.append("</g>")
    for index, column in enumerate(columns):
        if column is not None and column.label and column.total > 0:
            height = max(1.0, column.total / peak * plot)
            svg.append(f'<text class="v" x="{index * slot + slot / 2:.3f}%" y="{axis - height - 3:.1f}" '
                       f'text-anchor="middle">{escape(column.label)}</text>')
    for value in marks:
        y = axis - value / peak * plot
        svg.append(f'<text class="y" x="1" y="{y - 2:.1f}">{escape(scale(value))}</text>')
    if line is not None:
        points = [None if rate is None else (index * slot + slot / 2, axis - rate * plot)
                  for index, rate in enumerate(line)]
        for start, end in itertools.pairwise(points):  # joined from one hour to the next only
            if start is not None and end is not None:
                svg.append(f'<line class="pctline" x1="{start[0]:.3f}%" y1="{start[1]:.1f}" x2="{end[0]:.3f}%" '
                           f'y2="{end[1]:.1f}"/>')
        for point in points:
            if point is not None:
                svg.append(f'<circle class="pctdot" cx="{point[0]:.3f}%" cy="{point[1]:.1f}" r="2.2"/>')
        for share in (1.0, 0.5):
            svg.append(f'<text class="p" x="100%" y="{axis - share * plot - 2:.1f}" text-anchor="end">'
                       f"{share:.0%}</text>")
    for tick in ticks:
        svg.append(f'<text x="{tick.at * slot:.3f}%" y="{axis + 14 + 13 * tick.row}" text-anchor="{tick.anchor}">'
                   f"{escape(tick.text)}</text>")
    svg.append("</svg></div>")
    return "".join(svg)
