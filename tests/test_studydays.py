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
