"""Study days counted fast agree with clock.day_number in zones with odd offsets and daylight saving."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

import pytest

from flashcards.clock import day_number, from_ms
from flashcards.scheduling.studydays import day_counter


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"])
def test_fast_study_days_equal_day_number_across_daylight_saving(zone):
    tz = ZoneInfo(zone)
    count = day_counter(4, tz)
    rng = random.Random(zone)
    for _ in range(20_000):
        ms = rng.randrange(1_600_000_000_000, 1_900_000_000_000)
        assert count(ms) == day_number(from_ms(ms), 4, tz), ms


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"])
def test_an_interval_of_n_days_lands_n_study_days_on_across_daylight_saving(zone):
    """Answered just after the 4 am rollover or just before it, an interval that spans a DST change is due
    exactly that many study days later (24-hour days would land an hour either side of the rollover)."""
    from datetime import UTC, datetime, timedelta

    from flashcards.clock import later_by

    tz = ZoneInfo(zone)
    rng = random.Random(zone)
    for _ in range(2_000):
        day = datetime(2025, 1, 1, tzinfo=tz) + timedelta(days=rng.randrange(730))
        local = day.replace(hour=rng.choice([3, 4]), minute=rng.choice([0, 15, 59]))
        moment = local.astimezone(UTC)
        days = rng.randrange(1, 200)
        due = later_by(moment, timedelta(days=days), tz)
        assert day_number(due, 4, tz) - day_number(moment, 4, tz) == days, (local, days)


def test_a_review_scheduled_across_the_autumn_change_is_due_on_its_study_day():
    """A card answered at 04:30 in Berlin a week before the clocks go back: its interval counts study days."""
    from datetime import UTC, datetime

    from flashcards.model import Rating, Schedule, State
    from flashcards.scheduling.scheduler import FSRSScheduler

    tz = ZoneInfo("Europe/Berlin")
    now = datetime(2025, 10, 20, 4, 30, tzinfo=tz).astimezone(UTC)
    card = Schedule(State.REVIEW, None, 30.0, 5.0, now, now.replace(month=9), 5, 0)
    berlin = FSRSScheduler(fuzz=False, tz=tz)
    utc = FSRSScheduler(fuzz=False, tz=UTC)
    for rating in (Rating.HARD, Rating.GOOD, Rating.EASY):
        interval = (utc.review("c", card, rating, now).due - now).days
        due = berlin.review("c", card, rating, now).due
        assert interval > 7 and day_number(due, 4, tz) - day_number(now, 4, tz) == interval


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_days_later_in_ms_is_later_by(zone):
    """The ms shortcut a recompute reschedules with gives the moment clock.later_by gives, DST changes included."""
    from datetime import timedelta

    from flashcards.clock import later_by, to_ms
    from flashcards.scheduling.studydays import days_later

    tz = ZoneInfo(zone)
    later = days_later(4, tz)
    rng = random.Random(zone)
    for _ in range(5_000):
        ms = rng.randrange(1_700_000_000_000, 1_800_000_000_000)
        days = rng.randrange(0, 400)
        assert later(ms, days) == to_ms(later_by(from_ms(ms), timedelta(days=days), tz)), (ms, days)
