"""Memory states replayed from the review log match fsrs-rs (Anki's engine) for the same history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

from flashcards.model import CardRow, LoggedAnswer, Schedule, State
from flashcards.scheduling.memory_states import recompute_memory_states
from flashcards.settings import Settings
from flashcards.store import Store

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
OTHER = [0.5, 1.0, 4.0, 12.0, *DEFAULT_PARAMETERS[4:]]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "fc.db") as opened:
        yield opened


def put(store, card_id, answers, state=State.REVIEW, stability=1.0, difficulty=5.0, suspended=False):
    """A card whose log holds (moment, rating) answers, its schedule from some older parameters."""
    last = answers[-1][0]
    schedule = Schedule(state, None, stability, difficulty, last + timedelta(days=3), last, len(answers), 0)
    with store.transaction() as db:
        store.write_card(db, CardRow(card_id, schedule, suspended=suspended))
        store.insert_answers(db, [LoggedAnswer(0, card_id, at, rating, 5000, State.NEW, state) for at, rating in answers])


def fsrs_rs_state(parameters, reviews):
    return FSRS(list(parameters)).memory_state(FSRSItem([FSRSReview(r, d) for r, d in reviews]))


HISTORIES = {
    # card: (answers, the same history as fsrs-rs reviews of (rating, study days since the previous answer))
    "again-first": ([(T0, 1), (T0 + timedelta(minutes=1), 3), (T0 + timedelta(minutes=11), 3),
                     (T0 + timedelta(days=2, hours=3), 3), (T0 + timedelta(days=9), 2)],
                    [(1, 0), (3, 0), (3, 0), (3, 2), (2, 7)]),
    "hard-first": ([(T0, 2), (T0 + timedelta(minutes=10), 3), (T0 + timedelta(days=4), 1),
                    (T0 + timedelta(days=4, minutes=10), 3), (T0 + timedelta(days=5), 4)],
                   [(2, 0), (3, 0), (1, 4), (3, 0), (4, 1)]),
    # Easy at 23:30, Good at 05:00 two study days later: 29.5 hours but 2 study days
    "late-night": ([(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), 4), (datetime(2026, 3, 4, 5, 0, tzinfo=UTC), 3)],
                   [(4, 0), (3, 2)]),
    # 3:59 belongs to the day before: 2 study days, not 3
    "before-rollover": ([(datetime(2026, 3, 2, 4, 0, tzinfo=UTC), 3), (datetime(2026, 3, 5, 3, 59, tzinfo=UTC), 3)],
                        [(3, 0), (3, 2)]),
}


def test_recomputed_states_equal_fsrs_rs_for_the_same_history_including_again_and_hard_first(store):
    for card_id, (answers, _) in HISTORIES.items():
        put(store, card_id, answers)
    report = recompute_memory_states(store, Settings(parameters=OTHER), tz=UTC)
    assert report.cards == len(HISTORIES) and report.changed == len(HISTORIES) and report.rescheduled == 0
    for card_id, (_, reviews) in HISTORIES.items():
        expected = fsrs_rs_state(OTHER, reviews)
        row = store.card(card_id).schedule
        assert row.stability == pytest.approx(expected.stability, rel=1e-6), card_id
        assert row.difficulty == pytest.approx(expected.difficulty, rel=1e-6), card_id


def test_the_default_parameters_are_used_when_none_are_set_and_a_second_run_changes_nothing(store):
    answers, reviews = HISTORIES["late-night"]
    put(store, "c", answers)
    assert recompute_memory_states(store, Settings(), tz=UTC).changed == 1
    assert store.card("c").schedule.stability == pytest.approx(fsrs_rs_state(DEFAULT_PARAMETERS, reviews).stability)
    assert recompute_memory_states(store, Settings(), tz=UTC).to_dict() == {"cards": 1, "changed": 0, "rescheduled": 0}


def test_only_the_cards_asked_for_are_recomputed(store):
    for card_id, (answers, _) in HISTORIES.items():
        put(store, card_id, answers)
    report = recompute_memory_states(store, Settings(parameters=OTHER), ["hard-first"], tz=UTC)
    assert report.cards == 1
    assert store.card("again-first").schedule.stability == 1.0
    assert store.card("hard-first").schedule.stability != 1.0


def test_study_days_follow_the_local_time_zone(store):
    from zoneinfo import ZoneInfo

    # 1 Mar 20:00 and 2 Mar 10:00 UTC are 2 Mar 05:00 and 19:00 in Tokyo: 0 days there, 1 day in UTC
    answers = [(datetime(2026, 3, 1, 20, 0, tzinfo=UTC), 3), (datetime(2026, 3, 2, 10, 0, tzinfo=UTC), 3)]
    put(store, "c", answers)
    recompute_memory_states(store, Settings(), tz=ZoneInfo("Asia/Tokyo"))
    assert store.card("c").schedule.stability == pytest.approx(fsrs_rs_state(DEFAULT_PARAMETERS, [(3, 0), (3, 0)]).stability)
    recompute_memory_states(store, Settings(), tz=UTC)
    assert store.card("c").schedule.stability == pytest.approx(fsrs_rs_state(DEFAULT_PARAMETERS, [(3, 0), (3, 1)]).stability)


def test_reschedule_moves_review_cards_to_last_review_plus_the_new_interval(store):
    answers, reviews = HISTORIES["again-first"]
    put(store, "review", answers)
    put(store, "learning", HISTORIES["hard-first"][0], state=State.RELEARNING)
    put(store, "suspended", HISTORIES["late-night"][0], suspended=True)
    before = {card: store.card(card).schedule.due for card in ("learning", "suspended")}
    settings = Settings(parameters=OTHER, fuzz=False, desired_retention=0.8)
    report = recompute_memory_states(store, settings, reschedule=True, tz=UTC)
    assert report.rescheduled == 1
    state = fsrs_rs_state(OTHER, reviews)
    days = round(FSRS(OTHER).next_interval(state.stability, 0.8, 3))
    assert store.card("review").schedule.due == answers[-1][0] + timedelta(days=days)
    assert {card: store.card(card).schedule.due for card in before} == before


def test_without_reschedule_due_dates_stay(store):
    answers, _ = HISTORIES["again-first"]
    put(store, "c", answers)
    due = store.card("c").schedule.due
    recompute_memory_states(store, Settings(parameters=OTHER), tz=UTC)
    assert store.card("c").schedule.due == due


def test_states_left_by_reviewing_are_what_recomputing_from_the_log_gives(store, tmp_path):
    from reviewing import Reviewing, write_deck

    from flashcards.model import Rating

    deck = tmp_path / "deck.yaml"
    write_deck(deck, 6)
    reviewing = Reviewing(store, [deck])
    ratings = [Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY, Rating.GOOD, Rating.AGAIN, Rating.GOOD]
    for day in range(12):
        session = reviewing.session()
        for index in range(40):
            shown = session.next_card()
            if shown is None:
                break
            session.answer(shown, ratings[(index + day) % len(ratings)])
            reviewing.clock.advance(minutes=11)
        reviewing.clock.advance(hours=13 + day % 5)  # reviews at varying hours of the day
    report = recompute_memory_states(store, reviewing.settings, tz=UTC)
    assert report.cards == 6 and store.answer_count() > 30
    assert report.changed == 0, report


# -- the fast recomputation (study days counted in SQL, items made in C, a chunk of cards at a time) against the
# straightforward one: each card's reviews made one by one, days counted by clock.day_number, fsrs-rs per card

def _random_histories(rng, count, start):
    """Card id -> (state, [(moment, rating)]): answers in clusters (same day, around the rollover hour, across
    daylight-saving changes), some cards new, some without answers, some answered twice in one millisecond."""
    histories = {}
    for index in range(count):
        at = start + timedelta(days=rng.uniform(0, 700), minutes=rng.randrange(1440))
        answers = []
        for _ in range(rng.choice([0, 1, 1, 2, 3, 5, 8, 13, 30])):
            answers.append((at, rng.choice([1, 2, 3, 3, 3, 4])))
            step = rng.choice([timedelta(0), timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=5),
                               timedelta(hours=23, minutes=59), timedelta(days=1), timedelta(days=rng.randrange(2, 90))])
            at += step
        state = rng.choice([State.REVIEW, State.REVIEW, State.LEARNING, State.RELEARNING, State.NEW])
        histories[f"card{index:04d}"] = (state, answers)
    return histories


def _put_all(store, histories):
    with store.transaction() as db:
        for card_id, (state, answers) in histories.items():
            last = answers[-1][0] if answers else None
            due = None if last is None else last + timedelta(days=2)
            store.write_card(db, CardRow(card_id, Schedule(state, None, 1.0, 5.0, due, last, len(answers), 0)))
        store.insert_answers(db, [LoggedAnswer(0, card_id, at, rating, 4000, State.NEW, State.REVIEW)
                                  for card_id, (_, answers) in histories.items() for at, rating in answers])


def _reference(parameters, answers, rollover, tz):
    from flashcards.clock import day_number

    reviews, previous = [], None
    for at, rating in answers:  # (as logged: in time order, a tie in the order given)
        day = day_number(at, rollover, tz)
        reviews.append(FSRSReview(rating, 0 if previous is None else day - previous))
        previous = day
    return FSRS(list(parameters)).memory_state(FSRSItem(reviews))


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kolkata"])
def test_recomputed_states_equal_a_card_by_card_fsrs_rs_computation_for_random_histories(store, monkeypatch, zone):
    import random
    from zoneinfo import ZoneInfo

    from flashcards.store import memory_log

    rng = random.Random(zone)
    tz, rollover = ZoneInfo(zone), rng.choice([0, 3, 4, 23])
    histories = _random_histories(rng, 400, datetime(2024, 1, 1, tzinfo=UTC))
    _put_all(store, histories)
    monkeypatch.setattr(memory_log, "CHUNK", 37)  # many chunks, cards of a chunk read as one
    report = recompute_memory_states(store, Settings(parameters=OTHER, rollover_hour=rollover), tz=tz)
    studied = {card for card, (state, answers) in histories.items() if answers and state != State.NEW}
    assert report.cards == len(studied) == report.changed
    for card_id, (_, answers) in histories.items():
        row = store.card(card_id).schedule
        if card_id not in studied:
            assert (row.stability, row.difficulty) == (1.0, 5.0), card_id  # new, or no answers: untouched
            continue
        expected = _reference(OTHER, answers, rollover, tz)
        assert (row.stability, row.difficulty) == (expected.stability, expected.difficulty), card_id
    again = recompute_memory_states(store, Settings(parameters=OTHER, rollover_hour=rollover), tz=tz)
    assert (again.cards, again.changed) == (len(studied), 0)
    some = rng.sample(sorted(studied), 50)
    assert recompute_memory_states(store, Settings(rollover_hour=rollover), some, tz=tz).changed == 50
    for card_id in some:
        expected = _reference(DEFAULT_PARAMETERS, histories[card_id][1], rollover, tz)
        assert store.card(card_id).schedule.stability == expected.stability, card_id


def test_a_card_the_fast_reading_cannot_take_is_read_card_by_card_with_the_same_result(store):
    """A rating out of 1-4 (a damaged log) cannot be told apart in the history's numbers: that card (and only
    it) is read the straightforward way, and every card gets what fsrs-rs gives for its log as it is."""
    answers, reviews = HISTORIES["again-first"]
    for card_id in ("a", "b", "c"):
        put(store, card_id, answers)
    with store.transaction() as db:
        db.execute("UPDATE review_log SET rating = 5 WHERE card_id = 'b' AND reviewed_at = "
                   "(SELECT max(reviewed_at) FROM review_log WHERE card_id = 'b')")
    report = recompute_memory_states(store, Settings(parameters=OTHER), tz=UTC)
    assert report.cards == 3
    assert store.card("a").schedule.stability == fsrs_rs_state(OTHER, reviews).stability
    assert store.card("b").schedule.stability == fsrs_rs_state(OTHER, [*reviews[:-1], (5, reviews[-1][1])]).stability
    assert store.card("c").schedule.stability == store.card("a").schedule.stability


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kolkata",
                                  "Pacific/Chatham", "America/Sao_Paulo"])
def test_day_shifts_give_the_study_days_day_counter_gives(zone):
    import random
    from zoneinfo import ZoneInfo

    from flashcards.scheduling.studydays import DAY_MS, EPOCH_ORDINAL, day_counter, day_shifts

    rng = random.Random(zone)
    tz = ZoneInfo(zone)
    for rollover in (0, 4, 23):
        count = day_counter(rollover, tz)
        first, last = 1_000_000_000_000 + rng.randrange(10**11), 1_900_000_000_000
        shifts = day_shifts(rollover, tz, first, last)
        assert shifts[0][0] == first and [start for start, _ in shifts] == sorted(start for start, _ in shifts)
        starts = [start for start, _ in shifts]
        moments = [rng.randrange(first, last) for _ in range(5000)] + [start + d for start in starts[1:] for d in (-1, 0, 1)]
        for ms in moments:
            shift = next(shift for start, shift in reversed(shifts) if start <= ms or start == shifts[0][0])
            assert EPOCH_ORDINAL + (ms + shift) // DAY_MS == count(ms), (rollover, ms)
