"""The scheduler with a frozen clock: intervals, states, lapses, fuzz, early reviews, study days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flashcards.clock import day_number, day_start
from flashcards.model import Rating, Schedule, State
from flashcards.scheduler import FSRSScheduler
from flashcards.ui.formats import format_interval

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def labels(scheduler: FSRSScheduler, schedule: Schedule, now: datetime = NOW) -> dict[str, str]:
    return {r.name: format_interval(s.due - now) for r, s in scheduler.preview("card", schedule, now).items()}


def test_a_new_card_previews_anki_like_intervals():
    assert labels(FSRSScheduler(fuzz=False), Schedule()) == {"AGAIN": "1m", "HARD": "6m", "GOOD": "10m", "EASY": "8d"}


def test_learning_steps_then_review_then_lapse_into_relearning():
    scheduler = FSRSScheduler(fuzz=False)
    schedule = scheduler.review("c", Schedule(), Rating.GOOD, NOW)
    assert (schedule.state, schedule.step, schedule.due - NOW) == (State.LEARNING, 1, timedelta(minutes=10))
    later = schedule.due
    schedule = scheduler.review("c", schedule, Rating.GOOD, later)
    assert schedule.state == State.REVIEW and schedule.due - later >= timedelta(days=1)
    review_time = schedule.due
    lapsed = scheduler.review("c", schedule, Rating.AGAIN, review_time)
    assert (lapsed.state, lapsed.lapses, lapsed.reps) == (State.RELEARNING, 1, 3)
    assert lapsed.due - review_time == timedelta(minutes=10)
    assert lapsed.stability < schedule.stability


def test_again_on_a_learning_card_is_not_a_lapse():
    scheduler = FSRSScheduler(fuzz=False)
    schedule = scheduler.review("c", Schedule(), Rating.AGAIN, NOW)
    assert (schedule.state, schedule.lapses) == (State.LEARNING, 0)


def test_settings_change_steps_retention_and_maximum_interval():
    short = FSRSScheduler(learning_steps=[timedelta(minutes=5)], fuzz=False)
    assert short.review("c", Schedule(), Rating.AGAIN, NOW).due - NOW == timedelta(minutes=5)
    capped = FSRSScheduler(maximum_interval=3, fuzz=False)
    assert capped.review("c", Schedule(), Rating.EASY, NOW).due - NOW == timedelta(days=3)
    strict, lax = FSRSScheduler(desired_retention=0.97, fuzz=False), FSRSScheduler(desired_retention=0.8, fuzz=False)
    assert strict.review("c", Schedule(), Rating.EASY, NOW).due < lax.review("c", Schedule(), Rating.EASY, NOW).due


def test_fuzz_is_the_same_in_preview_and_answer_and_differs_between_cards():
    scheduler = FSRSScheduler(fuzz=True)
    plain = FSRSScheduler(fuzz=False)
    base = Schedule(state=State.REVIEW, stability=40.0, difficulty=5.0, due=NOW, last_review=NOW - timedelta(days=40), reps=5)
    unfuzzed = (plain.review("x", base, Rating.GOOD, NOW).due - NOW).days
    seen = set()
    for card in range(40):
        preview = scheduler.preview(f"card{card}", base, NOW)[Rating.GOOD]
        assert preview == scheduler.review(f"card{card}", base, Rating.GOOD, NOW)
        days = (preview.due - NOW).days
        assert abs(days - unfuzzed) <= max(3, unfuzzed * 0.1)
        seen.add(days)
    assert len(seen) > 2


def test_an_early_review_grows_stability_less_than_an_on_time_one():
    scheduler = FSRSScheduler(fuzz=False)
    review = Schedule(state=State.REVIEW, stability=20.0, difficulty=5.0, due=NOW + timedelta(days=20),
                      last_review=NOW, reps=3)
    early = scheduler.review("c", review, Rating.GOOD, NOW + timedelta(days=2))
    on_time = scheduler.review("c", review, Rating.GOOD, NOW + timedelta(days=20))
    assert early.stability < on_time.stability
    assert scheduler.retrievability(review, NOW + timedelta(days=2)) > scheduler.retrievability(review, NOW + timedelta(days=20))


def test_saved_parameters_change_the_intervals():
    from fsrs import Scheduler

    custom = list(Scheduler().parameters)
    custom[3] = 30.0  # initial stability after Easy
    fitted, default = FSRSScheduler(custom, fuzz=False), FSRSScheduler(fuzz=False)
    assert fitted.review("c", Schedule(), Rating.EASY, NOW).due > default.review("c", Schedule(), Rating.EASY, NOW).due
    assert fitted.parameters[3] == 30.0


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


def test_intervals_are_written_as_anki_writes_them():
    cases = {timedelta(seconds=30): "<1m", timedelta(minutes=10): "10m", timedelta(hours=3): "3h",
             timedelta(days=1): "1d", timedelta(days=29): "29d", timedelta(days=45): "1.5mo",
             timedelta(days=365): "1y", timedelta(days=800): "2.2y"}
    assert all(format_interval(d) == text for d, text in cases.items())
