"""The scheduler with a frozen clock: intervals, states, lapses, fuzz, early reviews, study days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flashcards.clock import day_number
from flashcards.model import Rating, Schedule, State
from flashcards.scheduling.scheduler import FSRSScheduler
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


def test_saved_parameters_change_the_intervals():
    from fsrs import Scheduler

    custom = list(Scheduler().parameters)
    custom[3] = 30.0  # initial stability after Easy
    fitted, default = FSRSScheduler(custom, fuzz=False), FSRSScheduler(fuzz=False)
    assert fitted.review("c", Schedule(), Rating.EASY, NOW).due > default.review("c", Schedule(), Rating.EASY, NOW).due
    assert fitted.parameters[3] == 30.0


# ---------------------------------------------------------------- pinned to fsrs-rs (Anki's engine)

def replay(scheduler: FSRSScheduler, answers: list[tuple[datetime, Rating]], card: str = "c") -> Schedule:
    schedule = Schedule()
    for moment, rating in answers:
        schedule = scheduler.review(card, schedule, rating, moment)
    return schedule


def fsrs_rs_memory(reviews: list[tuple[int, int]]):
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

    return FSRS(DEFAULT_PARAMETERS).memory_state(FSRSItem([FSRSReview(rating, days) for rating, days in reviews]))


def test_easy_at_23_30_then_good_at_05_00_two_study_days_later_grows_as_fsrs_rs_does_for_2_days():
    scheduler = FSRSScheduler(fuzz=False, tz=UTC)
    schedule = replay(scheduler, [(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), Rating.EASY),
                                  (datetime(2026, 3, 4, 5, 0, tzinfo=UTC), Rating.GOOD)])
    expected = fsrs_rs_memory([(4, 0), (3, 2)])
    assert schedule.stability == pytest.approx(expected.stability, rel=1e-6)
    assert schedule.difficulty == pytest.approx(expected.difficulty, rel=1e-6)
    assert schedule.stability != pytest.approx(fsrs_rs_memory([(4, 0), (3, 1)]).stability, rel=1e-3)


def test_71_hours_over_three_study_days_count_as_two_in_the_rollover_zone():
    tz = ZoneInfo("America/New_York")
    scheduler = FSRSScheduler(fuzz=False, tz=tz)
    start = datetime(2026, 5, 4, 4, 30, tzinfo=tz)
    schedule = replay(scheduler, [(start, Rating.GOOD), (start + timedelta(minutes=10), Rating.GOOD),
                                  (start + timedelta(hours=71), Rating.GOOD)])
    assert schedule.stability == pytest.approx(fsrs_rs_memory([(3, 0), (3, 0), (3, 2)]).stability, rel=1e-6)


@pytest.mark.parametrize("history", [
    # (minutes after the start, rating); Again first, Hard first, lapses, relearning, same-day repeats
    [(0, 1), (1, 1), (2, 3), (12, 3), (60 * 24 * 3, 3), (60 * 24 * 12, 1), (60 * 24 * 12 + 10, 3), (60 * 24 * 20, 4)],
    [(0, 2), (6, 2), (16, 3), (60 * 24 + 600, 2), (60 * 24 * 5, 3), (60 * 24 * 5 + 30, 1), (60 * 24 * 40, 3)],
    [(0, 4), (60 * 24 * 9 - 300, 3), (60 * 24 * 30 + 1000, 1), (60 * 24 * 30 + 1010, 2), (60 * 24 * 31, 3)],
])
def test_every_state_along_a_history_equals_fsrs_rs_for_the_same_study_days(history):
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

    scheduler = FSRSScheduler(tz=UTC)
    start = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
    schedule, reviews, previous_day = Schedule(), [], None
    for minutes, rating in history:
        moment = start + timedelta(minutes=minutes)
        schedule = scheduler.review("c", schedule, Rating(rating), moment)
        day = day_number(moment, 4, UTC)
        reviews.append(FSRSReview(rating, 0 if previous_day is None else day - previous_day))
        previous_day = day
        expected = FSRS(DEFAULT_PARAMETERS).memory_state(FSRSItem(list(reviews)))
        assert (schedule.stability, schedule.difficulty) == pytest.approx((expected.stability, expected.difficulty), rel=1e-6)


def test_after_fuzz_hard_good_and_easy_stay_strictly_ordered_over_thousands_of_previews():
    import random

    rng = random.Random(5)
    scheduler = FSRSScheduler(fuzz=True)
    checked = 0
    for card in range(3000):
        stability = rng.choice([0.3, 0.8, 1.5, 2.5, 3.0, 4.0]) * rng.uniform(0.5, 2) if card % 2 else rng.uniform(0.1, 400)
        interval = rng.randint(1, max(1, int(stability * 2)))
        schedule = Schedule(state=State.REVIEW, stability=stability, difficulty=rng.uniform(1, 10),
                            due=NOW - timedelta(days=rng.randint(0, 3)), reps=rng.randint(1, 30),
                            last_review=NOW - timedelta(days=interval))
        schedule = Schedule(**{**schedule.__dict__, "due": schedule.last_review + timedelta(days=interval)})
        days = {rating: (s.due - NOW).days for rating, s in scheduler.preview(f"c{card}", schedule, NOW).items()}
        assert days[Rating.HARD] < days[Rating.GOOD] < days[Rating.EASY], (schedule, days)
        checked += 1
    for card in range(1000):  # learning cards graduating: Good < Easy
        previews = scheduler.preview(f"n{card}", Schedule(), NOW)
        assert previews[Rating.EASY].due > previews[Rating.GOOD].due
    assert checked == 3000


def test_a_growing_interval_is_never_fuzzed_below_the_previous_one():
    scheduler = FSRSScheduler(fuzz=True)
    for card in range(300):
        schedule = Schedule(state=State.REVIEW, stability=30.0, difficulty=5.0, due=NOW, reps=4,
                            last_review=NOW - timedelta(days=30))
        good = scheduler.review(f"c{card}", schedule, Rating.GOOD, NOW)
        assert (good.due - NOW).days >= 31
