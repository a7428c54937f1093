"""The study day and what bounds a session: daily new/review limits (the store's, or a deck's own), Anki's
learn-ahead, --limit and --minutes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class LimitGroup:
    """Decks of a session under one pair of daily limits: a deck name with limits of its own (its cards' answers
    count against them), or every other deck under the store's (the answers on every card but those decks')."""

    keys: tuple[str, ...]  # the session's decks in the group, in the session's order
    new_per_day: int
    reviews_per_day: int
    decks: tuple[str, ...] | None = None  # the group's answers: on cards of these decks (store keys); None: every card
    other_than: tuple[str, ...] = ()  # ... but those of these decks


def limit_groups(keys: Sequence[str], names: dict[str, str], settings: Settings,
                 keys_by_name: dict[str, list[str]]) -> list[LimitGroup]:
    """The session's decks (store keys, with their names) grouped by the daily limits they are under."""
    own = {name for name, keys_of in keys_by_name.items()
           if {"new_per_day", "reviews_per_day"} & set(settings.decks.get(name, {}))}
    separate = tuple(sorted(key for name in own for key in keys_by_name[name]))
    groups = [LimitGroup(tuple(key for key in keys if names[key] not in own), settings.new_per_day,
                         settings.reviews_per_day, None, separate)]
    for name in sorted(own):
        mine = settings.for_deck(name)
        groups.append(LimitGroup(tuple(key for key in keys if names[key] == name), mine.new_per_day,
                                 mine.reviews_per_day, tuple(keys_by_name[name])))
    return [group for group in groups if group.keys]


def left_today(store: Store, settings: Settings, today: int, tz: tzinfo | None,
               group: LimitGroup | None = None) -> tuple[int, int]:
    """(new, review) answers still allowed today by the daily limits (the store's, or a group's), counted from the
    log of every session."""
    start, _ = day_bounds(today, settings, tz)
    decks, other_than = (group.decks, group.other_than) if group is not None else (None, ())
    new_done = store.answers_since(start, [State.NEW], decks, other_than)
    reviews_done = store.answers_since(start, [State.REVIEW], decks, other_than)
    new_limit, review_limit = ((group.new_per_day, group.reviews_per_day) if group is not None
                               else (settings.new_per_day, settings.reviews_per_day))
    return max(new_limit - new_done, 0), max(review_limit - reviews_done, 0)


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
