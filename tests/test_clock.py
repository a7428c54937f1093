"""Study days: the 4 am rollover in local time, through daylight saving time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flashcards.clock import day_number, day_start


def test_the_study_day_rolls_over_at_4_am_local_time():
    tz = ZoneInfo("Asia/Shanghai")
    before = datetime(2026, 3, 2, 3, 59, tzinfo=tz)
    after = datetime(2026, 3, 2, 4, 0, tzinfo=tz)
    assert day_number(before, 4, tz) + 1 == day_number(after, 4, tz)
    assert day_start(day_number(after, 4, tz), 4, tz) == after.astimezone(UTC)
    assert day_number(after, 0, tz) == day_number(before, 0, tz)


def test_day_start_follows_daylight_saving_time():
    tz = ZoneInfo("Europe/Berlin")
    # the clocks went forward on 2026-03-29: the day still starts at 4 am local, now 02:00 UTC
    assert day_start(datetime(2026, 3, 28).toordinal(), 4, tz) == datetime(2026, 3, 28, 3, 0, tzinfo=UTC)
    assert day_start(datetime(2026, 3, 30).toordinal(), 4, tz) == datetime(2026, 3, 30, 2, 0, tzinfo=UTC)
