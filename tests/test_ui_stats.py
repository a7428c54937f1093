"""Drawing the statistics: what a person reads in the terminal and on the HTML page."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, timedelta
from html.parser import HTMLParser

import pytest
from known_history import NOW, known_answers, known_cards, review
from rich.console import Console

from flashcards.stats.numbers import compute_stats
from flashcards.ui.stats_common import HEAT_CHARS, heat_level
from flashcards.ui.stats_html import render_html
from flashcards.ui.stats_terminal import render_terminal

SETTINGS = {"desired retention": "90%", "FSRS parameters": "defaults"}
BAR_CHARS = set("▁▂▃▄▅▆▇█")
SECTIONS = ("cards", "forecast", "heatmap", "retention", "reviews", "time", "added", "buttons", "hours", "intervals",
            "stability", "difficulty", "retrievability", "settings")


@pytest.fixture
def stats():
    return compute_stats(known_cards(), known_answers(), NOW, tz=UTC)


def terminal(stats, settings=SETTINGS, width: int = 100) -> list[str]:
    console = Console(record=True, width=width, color_system=None, file=io.StringIO())
    render_terminal(stats, console, settings)
    return console.export_text().splitlines()


def after(lines: list[str], heading: str) -> list[str]:
    """The lines of one section: after its heading, up to the next blank line."""
    start = next(index for index, line in enumerate(lines) if line.startswith(heading))
    end = next((index for index in range(start + 1, len(lines)) if not lines[index].strip()), len(lines))
    return lines[start + 1:end]


def column_labels(section: list[str], columns: int = 30, col: int = 3) -> list[str]:
    """The number printed over each bar of a column chart (blank when the bar is empty)."""
    axis = next(index for index, line in enumerate(section) if line.startswith("─"))
    labels = []
    for column in range(columns):
        label = ""
        for line in reversed(section[:axis]):
            cell = line[column * col:column * col + col].rstrip()
            if cell and not set(cell.strip()) <= BAR_CHARS:
                label = cell.strip()
                break
        labels.append(label)
    return labels


def test_terminal_shows_the_card_counts(stats):
    section = after(terminal(stats), "Cards")
    assert section[0].split() == ["New", "Learning", "Young", "Mature", "Suspended", "Buried", "Total"]
    assert section[-1].split() == ["2", "2", "2", "3", "2", "1", "12"]


def test_terminal_forecast_has_a_bar_per_day_with_its_count(stats):
    section = after(terminal(stats), "Due forecast, next 30 days")
    assert section[0] == "Due today 3 (1 overdue) · tomorrow 2 · next 7 days 6 · next 30 days 7"
    expected = [""] * 30
    expected[0], expected[1], expected[5], expected[29] = "3", "2", "1", "1"
    assert column_labels(section[1:]) == expected
    assert section[-1].startswith("today") and "Mar 22" in section[-1] and "Apr 12" in section[-1]


def test_terminal_heatmap_is_a_calendar_with_readable_levels(stats):
    section = after(terminal(stats), "Reviews, last 365 days")
    grid = section[1:8]
    assert [row[:3] for row in grid] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    cells = [row[4:] for row in grid]
    assert sum(len(row.replace(" ", "")) for row in cells) == 365  # one character a day
    assert set("".join(cells)) <= set(HEAT_CHARS + " ")
    # today (Sunday 15 March, 2 answers) is the last cell of the Sunday row; Saturday the 14th had 3, the busiest
    assert cells[6].rstrip()[-1] == HEAT_CHARS[heat_level(2, 3)] == "▓"
    assert cells[5].rstrip()[-1] == "█"
    assert cells[4].rstrip()[-1] == "▓"  # Friday the 13th: 2 answers
    assert cells[0].rstrip()[-1] == "·"  # Monday 9 March: nothing
    # with at most 3 answers a day, each level is one count (no level for "1 to 0")
    assert section[8].strip() == "Less · 0  ▒ 1  ▓ 2  █ 3  More (answers a day)"
    assert section[9] == "Current streak 3 days · longest streak 5 days · studied 11 of 365 days (3%)"


def test_terminal_retention_table_beside_the_desired_retention(stats):
    lines = terminal(stats)
    assert "True retention (desired 90%)" in lines
    section = after(lines, "True retention")
    rows = {line[:14].strip(): re.findall(r"\S+ \([\d,]+/[\d,]+\)|—", line[14:]) for line in section[2:]}
    assert rows == {
        "Last 7 days": ["100.0% (2/2)", "50.0% (1/2)", "75.0% (3/4)"],
        "Last 30 days": ["85.7% (6/7)", "66.7% (2/3)", "80.0% (8/10)"],
        "Last 365 days": ["75.0% (6/8)", "80.0% (4/5)", "76.9% (10/13)"],
    }


def test_terminal_answers_and_minutes_per_day(stats):
    lines = terminal(stats)
    answers = column_labels(after(lines, "Answers per day, last 30 days"))
    assert [(index, label) for index, label in enumerate(answers) if label] == [
        (6, "1"), (15, "1"), (16, "1"), (17, "1"), (18, "1"), (19, "1"), (27, "2"), (28, "3"), (29, "2"),
    ]
    minutes_section = after(lines, "Minutes per day")
    minutes = column_labels(minutes_section)
    # real values: 10 s is 0.2 min, 65 s 1.1 (never "<1" on every bar)
    assert [(index, label) for index, label in enumerate(minutes) if label] == [
        (6, "2"), (15, "0.2"), (16, "0.2"), (17, "0.2"), (18, "0.2"), (19, "0.2"), (27, "1.1"), (28, "2.5"), (29, "2"),
    ]
    assert minutes_section[-1] == "Last 365 days: 16 answers, 10 min · 1.5 answers and 57 s a day studied"


def test_a_light_day_reads_in_seconds_and_a_narrow_terminal_keeps_whole_minutes():
    light = [review(NOW - timedelta(days=day), 3, 8 * (day + 1), 5) for day in range(3)]  # 8, 16, 24 s
    section = after(terminal(compute_stats([], light, NOW, tz=UTC)), "Seconds per day")
    assert [label for label in column_labels(section) if label] == ["24", "16", "8"]
    heavy = [review(NOW - timedelta(days=1), 3, 150, 5), review(NOW, 3, 20, 5)]  # 2.5 min, 20 s
    wide = column_labels(after(terminal(compute_stats([], heavy, NOW, tz=UTC)), "Minutes per day"))
    assert wide[-2:] == ["2.5", "0.3"]
    narrow = after(terminal(compute_stats([], heavy, NOW, tz=UTC), width=70), "Minutes per day")
    assert column_labels(narrow, col=2)[-2:] == ["3", ""]  # 2.5 and 0.3 do not fit two columns: 3, and none


def test_terminal_ranges_buttons_hours_and_memory(stats):
    lines = terminal(stats)
    table = after(lines, "By range")
    rows = {line.split("  ")[0].strip(): line.split() for line in table[2:]}
    assert rows["Answers"][-4:] == ["13", "15", "16", "17"]  # 30, 90, 365 days and all (the 3 am answer too)
    assert rows["Cards added"][-4:] == ["1", "1", "1", "1"]  # one answer to a new card
    buttons = {line.split()[0]: line.split()[1:5] for line in after(lines, "Answer buttons, last 30 days")[2:]}
    assert buttons == {"Learning": ["2", "0", "1", "0"], "Young": ["1", "1", "5", "0"], "Mature": ["1", "0", "1", "1"],
                       "All": ["4", "1", "7", "1"]}
    hours = after(lines, "Hours of the day, last 30 days")
    assert hours[-1].startswith("Correct: 03:00 100.0% · 09:00 100.0% · 10:00 ")
    assert "Review intervals" in lines and "Difficulty (FSRS, 1-10 shown as 0-100%)" in lines
    assert "Retrievability (the chance to recall a card now)" in lines


def test_three_digit_counts_side_by_side_stay_apart():
    answers = [review(NOW - timedelta(days=1), 3, 5, 5)] * 100 + [review(NOW, 3, 5, 5)] * 101
    lines = terminal(compute_stats([], answers, NOW, tz=UTC))
    section = after(lines, "Answers per day, last 30 days")
    assert column_labels(section)[-2:] == ["100", "101"]
    assert not any("100101" in line for line in section)


def test_terminal_stability_distribution_and_settings(stats):
    lines = terminal(stats)
    section = after(lines, "Stability")
    rows = {line.split()[0]: line.split()[-2:] for line in section}
    assert rows == {
        "<1d": ["1", "12.5%"], "1-3d": ["2", "25.0%"], "3-7d": ["1", "12.5%"], "1-2w": ["0", "0.0%"],
        "2-4w": ["1", "12.5%"], "1-3mo": ["1", "12.5%"], "3-6mo": ["1", "12.5%"], "6-12mo": ["0", "0.0%"],
        ">1y": ["1", "12.5%"],
    }
    assert lines[-1] == "Settings: desired retention 90% · FSRS parameters defaults · day starts 04:00"


def test_no_color_output_has_no_escape_codes_but_the_same_characters(stats, monkeypatch):
    coloured = io.StringIO()
    render_terminal(stats, Console(file=coloured, force_terminal=True, color_system="truecolor", width=100), SETTINGS)
    assert "\x1b[" in coloured.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = io.StringIO()
    render_terminal(stats, Console(file=plain, force_terminal=True, width=100), SETTINGS)
    assert "\x1b" not in plain.getvalue()
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.getvalue()) == plain.getvalue()
    assert "▓" in plain.getvalue() and "█" in plain.getvalue()


def test_a_narrow_terminal_still_fits(stats):
    lines = terminal(stats, width=50)
    assert max(len(line) for line in lines) <= 50
    grid = after(lines, "Reviews, last 365 days")[1:8]
    assert all(len(row) <= 50 for row in grid) and grid[6].rstrip()[-1] == "▓"  # the latest weeks are kept


def test_terminal_empty_states_read_as_empty_not_as_zero_percent():
    empty = "\n".join(terminal(compute_stats([], [], NOW, tz=UTC)))
    assert "No cards yet." in empty and "Nothing due in the next 30 days." in empty
    assert "No answers in the last 365 days." in empty and "No cards studied yet." in empty
    assert "%" not in empty.replace("desired 90%", "").replace("retention 90%", "").replace("0-100%", "")
    only_cards = terminal(compute_stats(known_cards(), [], NOW, tz=UTC))
    retention = after(only_cards, "True retention")
    assert [line.split()[-3:] for line in retention[2:]] == [["—", "—", "—"]] * 3
    assert "Current streak 0 days · longest streak 0 days" in only_cards


class Page(HTMLParser):
    """What a browser would see: element ids, headings, heatmap cells, text."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.headings: list[str] = []
        self.cells: list[dict[str, str]] = []
        self.metas: list[dict[str, str]] = []
        self.text: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "rect" and "data-date" in attributes:
            self.cells.append(attributes)
        if tag == "meta":
            self.metas.append(attributes)
        if tag in ("h1", "h2"):
            self._in_heading = True
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2"):
            self._in_heading = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_heading:
            self.headings[-1] += data


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(part) for part in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]


def section(page: str, name: str) -> str:
    start = page.index(f'<section id="{name}">')
    return page[start:page.index("</section>", start)]


def test_html_page_holds_every_chart(stats):
    page = render_html(stats, SETTINGS).replace("<wbr>", "")
    parsed = parse(page)
    assert all(section in parsed.ids for section in SECTIONS)
    assert [h.strip() for h in parsed.headings] == [
        "Flashcards statistics", "Cards", "Due forecast", "Reviews, last 365 days", "True retention (desired 90%)",
        "Reviews (answers by kind of card)", "Review time", "Cards added", "Answer buttons", "Hours of the day",
        "Review intervals (days until the next review)", "Stability (how long a memory lasts)",
        "Difficulty (FSRS, 1-10 shown as 0-100%)", "Retrievability (the chance to recall a card now)",
    ]
    text = " ".join(parsed.text)
    assert "Due today 3 (1 overdue) · tomorrow 2 · next 7 days 6 · next 30 days 7 (0.2 a day)" in text
    assert "Due today 3 (1 overdue) · tomorrow 2 · next 7 days 6 · next 90 days 8 (0.1 a day)" in text
    assert "Current streak 3 days · longest streak 5 days · studied 11 of 365 days (3%)" in text
    assert "Settings: desired retention 90% · FSRS parameters defaults · day starts 04:00" in text
    for number in ("75.0%", "3/4", "85.7%", "6/7", "76.9%", "10/13"):
        assert number in text


def test_html_heatmap_has_a_cell_per_day_with_its_count(stats):
    cells = parse(render_html(stats, SETTINGS)).cells
    assert len(cells) == 365
    assert cells[0]["data-date"] == "2025-03-16" and cells[-1]["data-date"] == "2026-03-15"
    by_date = {cell["data-date"]: cell for cell in cells}
    assert by_date["2026-03-14"]["data-count"] == "3" and "l4" in by_date["2026-03-14"]["class"]
    assert by_date["2026-03-15"]["class"].split() == ["l3", "today"]
    assert sum(int(cell["data-count"]) for cell in cells) == 16
    # a calendar in two half-years: Sunday cells in the bottom row, one column per week
    halves = [cells[:next(i for i, c in enumerate(cells) if i and c["x"] == "0" and cells[i - 1]["x"] != "0")]]
    halves.append(cells[len(halves[0]):])
    assert len({cell["y"] for cell in cells}) == 7
    assert [len({cell["x"] for cell in half}) for half in halves] == [27, 26]
    assert int(by_date["2026-03-15"]["y"]) == max(int(cell["y"]) for cell in cells)


def ranged(page: str, key: str) -> str:
    """The blocks of one range (1m, 3m, 1y, all), all sections together."""
    return "".join(re.findall(rf'<div class="rg rg-{key}" data-range="{key}">(.*?)</div>(?=<div class="rg |</section>|<p)',
                              page, flags=re.S))


def test_html_svg_charts_are_well_formed_with_the_numbers(stats):
    page = render_html(stats, SETTINGS)
    charts = svgs(page)
    ns = "{http://www.w3.org/2000/svg}"
    assert all(chart.tag in ("svg", f"{ns}svg") for chart in charts)
    labelled = {chart.get("aria-label"): chart for chart in svgs(ranged(page, "1m")) if chart.get("aria-label")}
    forecast = labelled["Cards due per day"]
    titles = [title.text for title in forecast.iter("title")]
    assert len(titles) == 30 and titles[0] == "2026-03-15: 3 due (with 1 overdue)" and titles[5] == "2026-03-20: 1 due"
    assert [text.text for text in forecast.iter("text") if text.get("class") == "v"] == ["3", "2", "1", "1"]
    answers = labelled["Answers per day by kind"]
    assert [text.text for text in answers.iter("text") if text.get("class") == "v"] == ["1"] * 6 + ["2", "3", "2"]
    minutes = labelled["Minutes per day by kind"]
    assert [text.text for text in minutes.iter("text") if text.get("class") == "v"] == (
        ["2"] + ["0.2"] * 5 + ["1.1", "2.5", "2"])
    stability = [chart.get("aria-label") for chart in svgs(section(page, "stability"))]
    assert stability == ["<1d: 1", "1-3d: 2", "3-7d: 1", "1-2w: 0", "2-4w: 1", "1-3mo: 1", "3-6mo: 1", "6-12mo: 0",
                         ">1y: 1"]


def test_html_is_self_contained_phone_ready_and_escaped(stats):
    page = render_html(stats, {"deck": "<script>alert(1)</script> & co"}, title="Stats <b>")
    lowered = page.lower()
    assert "<script" not in lowered and "http://" not in lowered and "https://" not in lowered
    assert "src=" not in lowered and "<link" not in lowered and "@import" not in lowered and "url(" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page and "Stats &lt;b&gt;" in page
    metas = parse(page).metas
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in metas
    assert "prefers-color-scheme:dark" in page.replace(" ", "")
    assert "overflow-x" not in page and "direction:rtl" not in page  # nothing scrolls sideways: every chart fits
    assert '<svg class="heatgrid" viewBox=' in page  # the calendar scales to the width


def test_html_empty_states():
    page = render_html(compute_stats([], [], NOW, tz=UTC), {})
    parsed = parse(page)
    assert all(section in parsed.ids for section in SECTIONS)
    text = " ".join(parsed.text)
    for message in ("No cards yet.", "Nothing due in the next 30 days.", "No answers in the last 365 days.",
                    "No answers in the last 30 days.", "No cards studied yet.", "No answers in the whole history.",
                    "No cards added in the last 30 days.", "No review cards yet."):
        assert message in text
    assert len(parsed.cells) == 365 and {cell["class"].split()[0] for cell in parsed.cells} == {"l0"}
    assert "nan" not in text.lower() and "0.0%" not in text
    assert section(page, "retention").count("<td>—</td>") == 9
    svgs(page)  # still well-formed
