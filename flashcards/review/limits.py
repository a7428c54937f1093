"""The study day and what bounds a session: daily new/review limits, Anki's learn-ahead, --limit and --minutes."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from ..clock import day_number, day_start
from ..model import State
from ..settings import Settings
from ..store import Store


def study_day(now: datetime, settings: Settings, tz: tzinfo | None) -> int:
    """The study day number of `now` (days roll over at settings.rollover_hour)."""
    return day_number(now, settings.rollover_hour, tz)


def day_bounds(today: int, settings: Settings, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """When study day `today` starts, and when the next one does."""
    return (day_start(today, settings.rollover_hour, tz),
            day_start(today + 1, settings.rollover_hour, tz))


def left_today(store: Store, settings: Settings, today: int, tz: tzinfo | None) -> tuple[int, int]:
    """(new, review) answers still allowed today by the daily limits, counted from the log of every session."""
    start, _ = day_bounds(today, settings, tz)
    new_done = store.answers_since(start, [State.NEW])
    reviews_done = store.answers_since(start, [State.REVIEW])
    return max(settings.new_per_day - new_done, 0), max(settings.reviews_per_day - reviews_done, 0)


def learn_ahead_until(now: datetime, settings: Settings) -> datetime:
    """Learning cards due before this moment count as due (Anki's learn-ahead limit)."""
    return now + timedelta(minutes=settings.learn_ahead_minutes, milliseconds=1)


def stop_reason(answered: int, elapsed: timedelta, limit_cards: int | None, limit_minutes: float | None) -> str | None:
    """Why a session stops early (--limit or --minutes reached), or None."""
    if limit_cards is not None and answered >= limit_cards:
        return f"Stopped after {limit_cards} card{'s' if limit_cards != 1 else ''} (--limit)."
    if limit_minutes is not None and elapsed >= timedelta(minutes=limit_minutes):
        return f"Stopped after {limit_minutes:g} minutes (--minutes)."
    return None
