"""What Anki's statistics show, in ours too, over random histories: each range's answers by kind, buttons, hours
and cards added, the forecast of each range, the intervals, difficulty and retrievability of the cards; every
figure against a plain recomputation (stats_history.py), on the page and in --json as well."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stats_history import NOW, RANGE_DAYS, answers, cards, expected_due, expected_memory, expected_ranges, study_day

from flashcards.stats.numbers import INTERVAL_BUCKETS, compute_stats
from flashcards.stats.periods import MAX_BARS, bar_days
from flashcards.stats.totals import KINDS
from flashcards.ui.stats_html import render_html

pytestmark = pytest.mark.slow  # end to end (stats through the CLI over long histories): run by CI, left out of the quick loop

ZONES = st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kathmandu", "America/New_York"])


@settings(max_examples=80, deadline=None)
@given(log=answers(), snapshots=cards(), zone=ZONES, rollover=st.sampled_from([0, 4]))
def test_each_range_has_the_answers_by_kind_buttons_hours_and_added_cards_of_its_days(log, snapshots, zone, rollover):
    tz = ZoneInfo(zone)
    stats = compute_stats(snapshots, log, NOW, rollover_hour=rollover, tz=tz)
    expected = expected_ranges(log, NOW, rollover, tz)
    today = study_day(NOW, rollover, tz)
    assert [period.key for period in stats.periods] == ["1m", "3m", "1y", "all"]
    for period in stats.periods:
        want = expected[period.key]
        assert period.days == want.days
        assert dict(zip(KINDS, period.answers.values(), strict=True)) == {name: want.kinds[name] for name in KINDS}
        assert dict(zip(KINDS, period.ms.values(), strict=True)) == {name: want.ms[name] for name in KINDS}
        for item in period.buttons:
            assert item.counts == tuple(want.buttons[item.group, rating] for rating in (1, 2, 3, 4))
        assert sum(item.total for item in period.buttons) == sum(want.buttons.values())
        assert [hour.answers for hour in period.hours] == [want.hours[hour] for hour in range(24)]
        assert [hour.correct for hour in period.hours] == [want.hours_correct[hour] for hour in range(24)]
        assert period.added == want.added
        assert period.days_studied == len(want.studied)
        # the bars: whole days, one after the other, the last ending today; together they are the range's totals
        bars = period.reviews
        assert bars[-1].last == today and bars[0].first == today - timedelta(days=period.days - 1)
        assert len(bars) <= MAX_BARS and period.bar_days == bar_days(period.days)
        for before, after in itertools.pairwise(bars):
            assert after.first == before.last + timedelta(days=1)
            assert (after.last - after.first).days + 1 == period.bar_days
        assert sum(bar.answers.total for bar in bars) == period.answers.total
        assert sum(bar.ms.total for bar in bars) == period.ms.total
        assert sum(bar.added for bar in bars) == period.added
    assert [p.bar_days for p in stats.periods[:3]] == [1, 2, 5]  # as Anki bins a month, 3 months, a year
    for shorter, longer in itertools.pairwise(stats.periods[:3]):  # each range holds the one before
        assert shorter.answers.total <= longer.answers.total and shorter.added <= longer.added
    month = stats.periods[0]
    assert [(bar.first, bar.answers.total, bar.ms.total / 60_000) for bar in month.reviews] == [
        (item.day, item.answers, item.minutes) for item in stats.activity]  # the 30 days the terminal charts


@settings(max_examples=60, deadline=None)
@given(snapshots=cards(), zone=ZONES, rollover=st.sampled_from([0, 4]))
def test_each_range_forecast_counts_the_cards_due_in_its_days_with_the_overdue_today(snapshots, zone, rollover):
    tz = ZoneInfo(zone)
    stats = compute_stats(snapshots, [], NOW, rollover_hour=rollover, tz=tz)
    today = study_day(NOW, rollover, tz)
    due = expected_due(snapshots, NOW, rollover, tz)
    overdue = sum(count for day, count in due.items() if day < today)
    last = max(due, default=today)
    for period in stats.periods:
        ahead = RANGE_DAYS.get(period.key) or max((last - today).days + 1, 1)
        assert period.forecast_days == ahead
        window = [today + timedelta(days=offset) for offset in range(ahead)]
        assert period.due == overdue + sum(due.get(day, 0) for day in window)
        bars = period.forecast
        assert bars[0].first == today and bars[-1].last == window[-1] and len(bars) <= MAX_BARS
        for before, after in itertools.pairwise(bars):
            assert after.first == before.last + timedelta(days=1)
        for index, bar in enumerate(bars):
            days = [bar.first + timedelta(days=offset) for offset in range((bar.last - bar.first).days + 1)]
            assert bar.due == sum(due.get(day, 0) for day in days) + (overdue if index == 0 else 0)
    assert [bar.due for bar in stats.periods[0].forecast] == [item.count for item in stats.forecast]


@settings(max_examples=80, deadline=None)
@given(snapshots=cards(), decay=st.sampled_from([0.1542, 0.5, 0.8]))
def test_intervals_difficulty_and_retrievability_of_the_cards_being_studied(snapshots, decay):
    memory = compute_stats(snapshots, [], NOW, tz=UTC, decay=decay).memory
    intervals, difficulty, retrievability, values = expected_memory(snapshots, NOW, decay)
    assert {bucket.low_days: bucket.count for bucket in memory.intervals if bucket.count} == dict(intervals)
    assert [bucket.label for bucket in memory.intervals] == [label for label, _, _ in INTERVAL_BUCKETS]
    assert {index: item.count for index, item in enumerate(memory.difficulty) if item.count} == dict(difficulty)
    assert {index: item.count for index, item in enumerate(memory.retrievability) if item.count} == dict(retrievability)
    assert [(item.low, item.high) for item in memory.difficulty] == [(5 * i, 5 * i + 5) for i in range(20)]
    if values:
        assert memory.retrievability_mean == pytest.approx(sum(values) / len(values), abs=1e-6)
        assert memory.recall_now == pytest.approx(sum(values), abs=1e-5)
    else:
        assert memory.retrievability_mean is None and memory.recall_now == 0
    shares = [(card.difficulty - 1) / 9 * 100 for card in snapshots
              if not (card.suspended or card.state == "new") and card.difficulty is not None]
    if shares:
        assert memory.difficulty_mean == pytest.approx(sum(shares) / len(shares), abs=1e-3)
    else:
        assert memory.difficulty_mean is None


class RangeBlocks(HTMLParser):
    """Per range block of the page (data-range): the tooltips of each chart, the rows of each table, the text."""

    TRACKED = frozenset({"section", "div", "svg", "title", "table", "tr", "td", "th", "p", "g", "text", "small"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.tips: dict[tuple[str, str, str], list[str]] = {}  # (range, section, chart) -> tooltips
        self.rows: dict[tuple[str, str], list[list[str]]] = {}  # (range, section) -> table rows
        self.text: dict[str, list[str]] = {}

    def where(self, key: str) -> str:
        return next((attrs[key] for _, attrs in reversed(self.stack) if key in attrs), "")

    def handle_starttag(self, tag, attrs):
        if tag in self.TRACKED:
            self.stack.append((tag, dict(attrs)))
            if tag == "tr":
                self.rows.setdefault((self.where("data-range"), self.where("id")), []).append([])

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        block = self.where("data-range")
        self.text.setdefault(block, []).append(data)
        tags = [tag for tag, _ in self.stack]
        if tags and tags[-1] == "title":
            self.tips.setdefault((block, self.where("id"), self.where("aria-label")), []).append(data)
        elif "tr" in tags and tags[-1] in ("td", "th") and data.strip():
            self.rows[block, self.where("id")][-1].append(data.strip())


def parse_blocks(page: str) -> RangeBlocks:
    parser = RangeBlocks()
    parser.feed(page)
    parser.close()
    return parser


def leading_number(tip: str) -> int:
    found = re.search(r": ([\d,]+) ", tip + " ")
    assert found, tip
    return int(found.group(1).replace(",", ""))


@settings(max_examples=40, deadline=None)
@given(log=answers(valid_ratings=True), snapshots=cards())
def test_the_page_draws_each_range_with_its_own_figures_and_needs_no_script(log, snapshots):
    stats = compute_stats(snapshots, log, NOW, tz=UTC)
    page = render_html(stats, {})
    assert "<script" not in page.lower() and "javascript:" not in page.lower()
    # the range picker is radio buttons and CSS: one checked by default, one :checked rule per range
    assert re.findall(r'<input class="range-input" type="radio" name="range" id="range-(\w+)"', page) == [
        "1m", "3m", "1y", "all"]
    assert page.count(" checked ") == 1 and 'id="range-1m" value="1m" checked' in page
    for key in ("1m", "3m", "1y", "all"):
        assert f"#range-{key}:checked~section .rg-{key}" in page and f'<label for="range-{key}">' in page
    blocks = parse_blocks(page)
    expected = expected_ranges(log, NOW, 4, UTC)
    for key, want in expected.items():
        total = sum(want.kinds.values())
        assert sum(want.buttons.values()) == total  # (ratings 1-4 only here)
        if not total:
            assert "No answers in the" in " ".join(blocks.text[key])
            continue
        rows = {row[0]: row[1:] for row in blocks.rows[key, "buttons"][1:]}
        for group, label in (("learning", "Learning"), ("young", "Young"), ("mature", "Mature")):
            assert [int(cell.replace(",", "")) for cell in rows[label][:4]] == [
                want.buttons[group, rating] for rating in (1, 2, 3, 4)]
        assert sum(int(cell.replace(",", "")) for cell in rows["All"][:4]) == total  # the buttons sum to the answers
        reviews = blocks.tips[key, "reviews", "Answers per day by kind"]
        assert sum(leading_number(tip) for tip in reviews) == total
        hours = blocks.tips[key, "hours", "Answers per hour of the day"]
        assert len(hours) == 24 and sum(leading_number(tip) for tip in hours) == total
        buttons = blocks.tips[key, "buttons", "Answer buttons by kind of card"]
        assert sum(int(re.search(r": ([\d,]+) of", tip).group(1).replace(",", "")) for tip in buttons) == total
        added = blocks.tips.get((key, "added", "Cards added per day"), [])
        assert sum(leading_number(tip) for tip in added) == want.added
        text = " ".join(blocks.text[key])
        assert f"{total:,} answers" in text and f"Studied {len(want.studied):,} of " in text
    # a range's block differs from the next one's when some answers fall between them
    for (short_key, short), (long_key, long) in itertools.pairwise(list(expected.items())[:3]):
        if sum(short.kinds.values()) != sum(long.kinds.values()):
            chart = "Answers per hour of the day"
            assert blocks.tips.get((short_key, "hours", chart)) != blocks.tips.get((long_key, "hours", chart))


def test_json_has_every_range_and_the_memory_figures():
    from known_history import known_answers, known_cards

    stats = compute_stats(known_cards(), known_answers(), NOW, tz=UTC)
    data = json.loads(json.dumps(stats.to_dict()))
    assert [period["range"] for period in data["periods"]] == ["1 month", "3 months", "1 year", "all"]
    month = data["periods"][0]
    assert month["answers"] == {"learning": 2, "young": 7, "mature": 3, "relearning": 1, "total": 13}
    assert month["buttons"]["mature"] == {"again": 1, "hard": 0, "good": 1, "easy": 1, "total": 3, "correct": 2,
                                          "rate": 0.6667}
    assert sum(group["total"] for group in month["buttons"].values()) == month["answers"]["total"]
    assert sum(hour["answers"] for hour in month["hours"]) == 13 and len(month["hours"]) == 24
    assert sum(bar["learning"] + bar["young"] + bar["mature"] + bar["relearning"] for bar in month["reviews"]) == 13
    assert month["added"] == 1 and month["forecast"]["due"] == 7 and month["forecast"]["days"] == 30
    assert data["periods"][3]["answers"]["total"] == 17
    assert data["intervals"]["cards"] == 6 and data["intervals"]["buckets"][6]["bucket"] == "3w-1mo"
    assert data["difficulty"]["cards"] == 0 and data["difficulty"]["mean_pct"] is None  # known cards have none
    assert data["retrievability"]["cards"] == 8 and 0 < data["retrievability"]["mean"] <= 1
