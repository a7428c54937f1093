"""`flashcards stats` numbers: a known history on a fixed clock, every number a person would read checked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from known_history import NOW, at, known_answers, known_cards, review

from flashcards.stats.numbers import Stats, compute_stats


@pytest.fixture
def stats() -> Stats:
    return compute_stats(known_cards(), known_answers(), NOW, rollover_hour=4, tz=UTC)


def test_cards_by_state_count_suspended_and_buried_apart(stats):
    cards = stats.cards
    assert (cards.new, cards.learning, cards.young, cards.mature) == (2, 2, 2, 3)
    assert (cards.suspended, cards.buried, cards.total) == (2, 1, 12)


def test_forecast_puts_overdue_and_before_4am_cards_today_and_leaves_out_suspended(stats):
    assert len(stats.forecast) == 30
    assert stats.forecast[0].day == date(2026, 3, 15) and stats.forecast[29].day == date(2026, 4, 13)
    due = {index: item.count for index, item in enumerate(stats.forecast) if item.count}
    assert due == {0: 3, 1: 2, 5: 1, 29: 1}  # today: l1, r1, y2; tomorrow: y1 and the buried b1 (s1 suspended)
    assert (stats.due_today, stats.due_tomorrow, stats.overdue) == (3, 2, 1)


def test_heatmap_counts_answers_per_study_day_with_the_4am_boundary(stats):
    assert len(stats.heatmap) == 365
    assert stats.heatmap[0].day == date(2025, 3, 16) and stats.heatmap[-1].day == date(2026, 3, 15)
    counts = {item.day.isoformat(): item.count for item in stats.heatmap if item.count}
    assert counts == {
        "2025-03-16": 1, "2026-01-10": 2, "2026-02-20": 1,
        "2026-03-01": 1, "2026-03-02": 1, "2026-03-03": 1, "2026-03-04": 1, "2026-03-05": 1,
        "2026-03-13": 2, "2026-03-14": 3, "2026-03-15": 2,
    }
    assert stats.answers_total == 16  # the 3 am answer of 16 March 2025 belongs to the 15th, outside the year
    assert (stats.days_studied, stats.period_days) == (11, 365)
    assert stats.days_studied_pct == pytest.approx(100 * 11 / 365)


def test_rollover_at_midnight_moves_the_0330_answer_to_its_calendar_day():
    stats = compute_stats([], known_answers(), NOW, rollover_hour=0, tz=UTC)
    counts = {item.day.isoformat(): item.count for item in stats.heatmap}
    assert (counts["2026-03-14"], counts["2026-03-15"]) == (2, 3)


def test_days_follow_the_local_time_zone():
    new_york = timezone(timedelta(hours=-5))
    answers = [review(at("2026-03-15", "08:30"), 3, 10, 5), review(at("2026-03-15", "09:30"), 3, 10, 5)]
    # 03:30 and 04:30 in New York: the first still belongs to 14 March there
    stats = compute_stats([], answers, NOW, tz=new_york)
    assert stats.today == date(2026, 3, 15)
    assert [(item.day.day, item.count) for item in stats.heatmap[-2:]] == [(14, 1), (15, 1)]
    utc = compute_stats([], answers, NOW, tz=UTC)
    assert [item.count for item in utc.heatmap[-2:]] == [0, 2]


def test_streaks_current_and_longest(stats):
    assert (stats.current_streak, stats.longest_streak) == (3, 5)  # 13-15 March; 1-5 March


def test_current_streak_ends_yesterday_until_the_first_answer_today():
    answers = known_answers()
    next_day = compute_stats([], answers, NOW + timedelta(days=1), tz=UTC)
    assert next_day.current_streak == 3  # nothing yet on the 16th: the run up to the 15th still counts
    before_4am = compute_stats([], answers, at("2026-03-16", "03:59"), tz=UTC)
    assert before_4am.today == date(2026, 3, 15) and before_4am.current_streak == 3
    two_days_later = compute_stats([], answers, NOW + timedelta(days=2), tz=UTC)
    assert (two_days_later.current_streak, two_days_later.longest_streak) == (0, 5)


def test_true_retention_young_and_mature_for_7_30_365_days(stats):
    rows = {row.days: row for row in stats.retention}
    assert sorted(rows) == [7, 30, 365]

    def numbers(row):
        return [(count.passed, count.total) for count in (row.young, row.mature, row.combined)]

    assert numbers(rows[7]) == [(2, 2), (1, 2), (3, 4)]
    assert numbers(rows[30]) == [(6, 7), (2, 3), (8, 10)]
    assert numbers(rows[365]) == [(6, 8), (4, 5), (10, 13)]
    assert rows[365].combined.failed == 3
    assert rows[30].young.rate == pytest.approx(6 / 7)
    assert stats.desired_retention == 0.9


def test_answers_and_minutes_per_day_for_the_last_30_days(stats):
    assert len(stats.activity) == 30
    assert stats.activity[0].day == date(2026, 2, 14) and stats.activity[-1].day == date(2026, 3, 15)
    busy = {item.day.isoformat(): (item.answers, round(item.minutes, 4)) for item in stats.activity if item.answers}
    sixth = round(10 / 60, 4)
    assert busy == {
        "2026-02-20": (1, 2.0),
        "2026-03-01": (1, sixth), "2026-03-02": (1, sixth), "2026-03-03": (1, sixth), "2026-03-04": (1, sixth),
        "2026-03-05": (1, sixth),
        "2026-03-13": (2, round(65 / 60, 4)), "2026-03-14": (3, 2.5), "2026-03-15": (2, 2.0),
    }
    assert stats.minutes_total == pytest.approx(625 / 60)  # the 10 minutes of 15 March 2025 are outside


def test_stability_buckets_leave_out_new_and_suspended_cards(stats):
    buckets = {bucket.label: bucket.count for bucket in stats.stability}
    assert buckets == {
        "<1d": 1, "1-3d": 2, "3-7d": 1, "1-2w": 0, "2-4w": 1, "1-3mo": 1, "3-6mo": 1, "6-12mo": 0, ">1y": 1,
    }


def test_no_cards_and_no_answers_give_zeros_and_no_rates():
    stats = compute_stats([], [], NOW, tz=UTC)
    assert stats.cards.total == 0
    assert [item.count for item in stats.forecast] == [0] * 30
    assert (stats.due_today, stats.due_tomorrow, stats.overdue) == (0, 0, 0)
    assert len(stats.heatmap) == 365 and not any(item.count for item in stats.heatmap)
    assert (stats.current_streak, stats.longest_streak, stats.days_studied, stats.period_days) == (0, 0, 0, 0)
    assert stats.days_studied_pct is None
    assert all(count.rate is None for row in stats.retention for count in (row.young, row.mature, row.combined))
    assert (stats.answers_total, stats.minutes_total) == (0, 0)
    assert not any(bucket.count for bucket in stats.stability)


def test_cards_but_no_answers_show_counts_and_forecast_but_no_retention():
    stats = compute_stats(known_cards(), [], NOW, tz=UTC)
    assert stats.cards.total == 12 and stats.due_today == 3
    assert stats.retention[0].combined.rate is None and stats.retention[0].combined.total == 0
    assert stats.days_studied_pct is None and stats.current_streak == 0
    data = stats.to_dict()
    assert data["retention"][2]["all"] == {"passed": 0, "failed": 0, "total": 0, "rate": None}


def test_days_studied_is_a_share_of_the_days_since_the_first_answer():
    answers = [review(NOW - timedelta(days=day), 3, 10, 5) for day in (0, 1, 3, 9)]
    stats = compute_stats([], answers, NOW, tz=UTC)
    assert (stats.days_studied, stats.period_days) == (4, 10)
    assert stats.days_studied_pct == pytest.approx(40.0)


def test_to_dict_is_json_with_every_section(stats):
    data = json.loads(json.dumps(stats.to_dict()))
    assert data["today"] == "2026-03-15"
    assert data["cards"] == {"new": 2, "learning": 2, "young": 2, "mature": 3, "suspended": 2, "buried": 1, "total": 12}
    assert data["forecast"]["due_today"] == 3 and data["forecast"]["due_tomorrow"] == 2
    assert data["forecast"]["days"][5] == {"date": "2026-03-20", "due": 1}
    assert data["heatmap"]["current_streak"] == 3 and data["heatmap"]["longest_streak"] == 5
    assert data["heatmap"]["days_studied_pct"] == 3.0
    assert data["retention"][0] == {
        "days": 7,
        "young": {"passed": 2, "failed": 0, "total": 2, "rate": 1.0},
        "mature": {"passed": 1, "failed": 1, "total": 2, "rate": 0.5},
        "all": {"passed": 3, "failed": 1, "total": 4, "rate": 0.75},
    }
    assert data["activity"]["answers_total"] == 16 and data["activity"]["minutes_total"] == 10.42
    assert data["stability"][-1] == {"bucket": ">1y", "low_days": 365, "high_days": None, "cards": 1}


def test_naive_times_are_taken_as_utc_and_bad_settings_are_refused():
    naive = compute_stats([], [review(datetime(2026, 3, 15, 3, 30), 3, 10, 5)], datetime(2026, 3, 15, 12), tz=UTC)
    assert naive.heatmap[-2].count == 1
    with pytest.raises(ValueError, match="rollover_hour"):
        compute_stats([], [], NOW, rollover_hour=24)
    with pytest.raises(ValueError, match="days"):
        compute_stats([], [], NOW, days=0)
