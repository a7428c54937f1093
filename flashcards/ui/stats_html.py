"""The statistics as one self-contained HTML page: inline CSS and SVG, no scripts, no fonts or images from
anywhere, readable on a phone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from ..stats.numbers import Stats
from .formats import minutes, percent, retention
from .stats_common import (
    STATE_LABELS,
    WEEKDAYS,
    activity_ticks,
    count_label,
    forecast_line,
    forecast_ticks,
    grid_weeks,
    heat_level,
    heat_ranges,
    minute_label,
    month_labels,
    settings_line,
    streak_line,
    totals_line,
)

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
        f'<p id="settings">{escape(settings_line(stats, settings))}</p>',
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


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
    values = [item.count for item in stats.forecast]
    tips = [f"{item.day.isoformat()}: {item.count:,} due" for item in stats.forecast]
    tips[0] += f" (with {stats.overdue:,} overdue)" if stats.overdue else ""
    out = [f'<section id="forecast"><h2>Due forecast, next {len(values)} days</h2>',
           f'<p class="summary">{escape(forecast_line(stats))}</p>']
    if any(values):
        out.append(_svg_columns(values, [count_label(v) for v in values], tips, forecast_ticks(stats), "b1",
                                "Cards due per day"))
    else:
        out.append(f'<p class="note">Nothing due in the next {len(values)} days.</p>')
    out.append("</section>")
    return "".join(out)


def _html_heatmap(stats: Stats) -> str:
    heatmap = stats.heatmap
    start, weeks = grid_weeks(heatmap)
    first, last = heatmap[0].day, heatmap[-1].day
    peak = max((item.count for item in heatmap), default=0)
    left, top = 30, 16
    step = _CELL + _GAP
    width, height = left + weeks * step, top + 7 * step
    svg = [f'<svg class="heatgrid" width="{width}" height="{height}" role="img" '
           f'aria-label="Answers per day, last {len(heatmap)} days">']
    for week, name in month_labels(start, weeks, first, last, 3):
        svg.append(f'<text x="{left + week * step}" y="11">{name}</text>')
    for weekday in (0, 2, 4, 6):
        svg.append(f'<text x="0" y="{top + weekday * step + _CELL - 1}">{WEEKDAYS[weekday]}</text>')
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
    out.append(f'<p class="summary" id="streaks">{escape(streak_line(stats))}</p></section>')
    return "".join(out)


def _html_retention(stats: Stats) -> str:
    out = [f'<section id="retention"><h2>True retention <small>(desired {retention(stats.desired_retention)})</small>'
           "</h2><table><thead><tr><th>Last</th><th>Young</th><th>Mature</th><th>All</th></tr></thead><tbody>"]
    for row in stats.retention:
        cells = []
        for count in (row.young, row.mature, row.combined):
            if count.total:
                cells.append(f"<td>{percent(count.rate)}<small>{count.passed:,}/{count.total:,}</small></td>")
            else:
                cells.append("<td>—</td>")
        out.append(f"<tr><td>{row.days} days</td>{''.join(cells)}</tr>")
    out.append('</tbody></table><p class="note">Share of answers to review cards that were not Again; '
               f"young cards have an interval under 21 days. Desired retention: "
               f"{retention(stats.desired_retention)}.</p></section>")
    return "".join(out)


def _html_activity(stats: Stats) -> str:
    ticks = activity_ticks(stats)
    answers = [item.answers for item in stats.activity]
    per_day = [item.minutes for item in stats.activity]
    out = [f'<section id="activity"><h2>Answers and time per day, last {len(answers)} days</h2>']
    if not any(answers):
        out.append(f'<p class="note">No answers in the last {len(answers)} days.</p>')
        out.append(f'<p class="totals">{escape(totals_line(stats))}</p></section>')
        return "".join(out)
    out.append("<h3 class=\"note\">Answers</h3>")
    out.append(_svg_columns(answers, [count_label(v) for v in answers],
                            [f"{i.day.isoformat()}: {i.answers:,} answers" for i in stats.activity], ticks, "b2",
                            "Answers per day", recent_last=True))
    out.append("<h3 class=\"note\">Minutes</h3>")
    out.append(_svg_columns(per_day, [minute_label(v) for v in per_day],
                            [f"{i.day.isoformat()}: {minutes(i.minutes)}" for i in stats.activity], ticks, "b3",
                            "Minutes per day", recent_last=True))
    out.append(f'<p class="totals">{escape(totals_line(stats))}</p></section>')
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
