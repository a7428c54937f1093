"""Easy days (Anki's, Monday first: normal, reduced, minimum) through the load balancer: with a minimum Sunday no
card whose fuzz range has another day lands on a Sunday; a reduced day gets fewer. Days are study days in local
time, so the rollover hour decides which weekday a due moment belongs to. The clock is the frozen one."""

from __future__ import annotations

import random
import statistics
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from reviewing import FrozenClock, write_deck

from conftest import run_cli
from flashcards.clock import day_number
from flashcards.decks.open_decks import open_decks
from flashcards.errors import FlashcardsError
from flashcards.model import CardRow, Rating, Schedule, State
from flashcards.review.session import Session
from flashcards.scheduling.load_balance import weekday
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.settings import Settings, load_settings, set_from_text, settings_path
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end (Anki's own scheduler and simulated weeks): run by CI, left out of the quick loop

TOKYO = ZoneInfo("Asia/Tokyo")  # no daylight saving time: every due moment keeps its local hour
# 02:30 on Wednesday 2026-03-04 in Tokyo: before the 4 am rollover, so still Tuesday's study day
EARLY = datetime(2026, 3, 4, 2, 30, tzinfo=TOKYO)
SUNDAY = 6


def reviews_due(store: Store, tmp_path, count: int, now: datetime, seed: int = 5) -> tuple:
    """A deck of review cards due now whose Good intervals are 3 to 60 days (fuzz ranges of two days or more)."""
    rng = random.Random(seed)
    deck = tmp_path / "due.yaml"
    ids = write_deck(deck, count, name="due")
    open_decks(store, [deck])
    with store.transaction() as db:
        for card in ids:
            stability = rng.uniform(3.0, 25.0)
            elapsed = rng.randint(max(1, int(stability * 0.7)), int(stability) + 1)
            store.write_card(db, CardRow(card, Schedule(State.REVIEW, None, stability, 5.0, now,
                                                        now - timedelta(days=elapsed), 5)))
    return deck, ids


def answer_all(tmp_path, name: str, easy_days: list[float], now: datetime = EARLY, count: int = 300):
    """Answer every card Good in one session; the study day each card landed on."""
    folder = tmp_path / name
    folder.mkdir()
    settings = Settings(easy_days=easy_days, reviews_per_day=10_000)
    with Store(folder / "fc.db") as store:
        deck, ids = reviews_due(store, folder, count, now)
        session = Session(store, open_decks(store, [deck]), FSRSScheduler.from_settings(settings, TOKYO), settings,
                          clock=FrozenClock(now), tz=TOKYO)
        while (shown := session.next_card()) is not None:
            good = shown.previews[Rating.GOOD]
            assert session.answer(shown, Rating.GOOD).schedule == good  # the preview is the day it gets
        dues = [store.card(card).schedule.due for card in ids]
        return [day_number(due, 4, TOKYO) for due in dues], dues


def test_a_minimum_sunday_gets_no_card_whose_range_has_another_day(tmp_path):
    today = day_number(EARLY, 4, TOKYO)
    assert weekday(today) == 1  # 02:30 on a Wednesday is Tuesday's study day
    normal, _ = answer_all(tmp_path, "normal", [1.0] * 7)
    assert sum(weekday(day) == SUNDAY for day in normal) > 20  # without easy days, Sundays get their share
    sunday_off, dues = answer_all(tmp_path, "sunday", [1, 1, 1, 1, 1, 1, 0])
    assert not [day for day in sunday_off if weekday(day) == SUNDAY]
    # the due moments keep their local hour, 02:30, before the rollover: a card due at 02:30 on a Sunday belongs
    # to Saturday's study day and is allowed; one due at 02:30 on a Monday would belong to Sunday's: none is
    local_weekdays = [due.astimezone(TOKYO).weekday() for due in dues]
    assert local_weekdays.count(SUNDAY) > 20 and local_weekdays.count(0) == 0


def test_a_reduced_saturday_gets_fewer_cards_than_a_normal_day(tmp_path):
    normal, _ = answer_all(tmp_path, "normal", [1.0] * 7)
    reduced, _ = answer_all(tmp_path, "reduced", [1, 1, 1, 1, 1, 0.5, 1])

    def per_weekday(days):
        return [sum(weekday(day) == number for day in days) for number in range(7)]

    plain, fewer = per_weekday(normal), per_weekday(reduced)
    assert fewer[5] < plain[5] and fewer[5] < 0.8 * statistics.mean(fewer[:5] + fewer[6:]), (plain, fewer)
    assert statistics.mean(reduced) == pytest.approx(statistics.mean(normal), rel=0.03)


def test_a_range_of_one_sunday_still_lands_on_it():
    sunday = datetime(2026, 3, 8, 10, 0, tzinfo=TOKYO)  # schedule from Saturday to a Sunday one day later
    saturday = sunday - timedelta(days=1)
    scheduler = FSRSScheduler(tz=TOKYO, easy_days=[1, 1, 1, 1, 1, 1, 0]).with_load(_Empty())
    schedule = Schedule(State.REVIEW, None, 0.4, 8.0, saturday, saturday - timedelta(days=1), 3)
    again_free = scheduler.preview("c", schedule, saturday)
    hard_days = day_number(again_free[Rating.HARD].due, 4, TOKYO) - day_number(saturday, 4, TOKYO)
    assert hard_days == 1 and weekday(day_number(again_free[Rating.HARD].due, 4, TOKYO)) == SUNDAY


class _Empty:
    def due_counts(self, first_day: int, last_day: int, card_id: str) -> list[int]:
        return [0] * (last_day - first_day + 1)


def test_easy_days_are_seven_numbers_from_0_to_1_set_with_config(tmp_path):
    settings = Settings()
    set_from_text(settings, "easy_days", "1,1,1,1,1,0.5,0")
    assert settings.easy_days == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0]
    for bad in ("1,1,1", "1,1,1,1,1,1,2", "1 1 1 1 1 1 1 1"):
        with pytest.raises(FlashcardsError, match="easy_days must be 7 numbers from 0 to 1, Monday first"):
            set_from_text(Settings(), "easy_days", bad)
    db = tmp_path / "fc.db"
    result = run_cli("config", "easy_days", "1,1,1,1,1,0.5,0", "--db", str(db))
    assert result.code == 0, result.stderr
    assert load_settings(settings_path(db)).easy_days == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0]
    refused = run_cli("config", "easy_days", "1,0", "--db", str(db))
    assert refused.code == 1 and "easy_days must be 7 numbers" in refused.stderr
