"""Anki's load balancer: a fuzzed interval lands on the days of its fuzz range that hold fewer reviews, with the
same mean interval, Hard < Good < Easy and the previous-interval floor kept; previews show the day the answer
gives. Checked as a formula, over a real store through review sessions, and against Anki's own scheduler."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from reviewing import FrozenClock, Reviewing, write_deck

from flashcards.clock import day_number
from flashcards.decks.open_decks import open_decks
from flashcards.model import CardRow, Rating, Schedule, State
from flashcards.scheduling.fuzz import constrained_fuzz_bounds, fuzz_factor, with_review_fuzz
from flashcards.scheduling.load_balance import (
    MINIMUM,
    NORMAL,
    REDUCED,
    balanced_interval,
    day_weights,
    easy_day_modifiers,
    weekday,
    weighted_choice,
)
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.settings import Settings
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end (Anki's own scheduler answering real cards): run by CI, left out of the quick loop

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
TODAY = day_number(NOW, 4, UTC)


class DictLoad:
    """Cards due per study day from a dict, as the store would count them."""

    def __init__(self, counts: dict[int, int] | None = None) -> None:
        self.counts = counts if counts is not None else {}
        self.asked: list[tuple[int, int]] = []

    def due_counts(self, first_day: int, last_day: int, card_id: str) -> list[int]:
        self.asked.append((first_day, last_day))
        return [self.counts.get(day, 0) for day in range(first_day, last_day + 1)]


def review_schedule(stability: float, elapsed: int, now: datetime = NOW, reps: int = 5) -> Schedule:
    return Schedule(state=State.REVIEW, stability=stability, difficulty=5.0, due=now,
                    last_review=now - timedelta(days=elapsed), reps=reps)


# ---------------------------------------------------------------- the formula, as Anki's load_balancer.rs has it

def test_weights_are_one_for_an_empty_day_else_inverse_count_to_2_15_times_inverse_interval_cubed():
    weights = day_weights(10, [0, 4, 9], [NORMAL] * 3)
    assert weights[0] == 1.0
    assert weights[1] == pytest.approx((1 / 4) ** 2.15 * (1 / 11) ** 3)
    assert weights[2] == pytest.approx((1 / 9) ** 2.15 * (1 / 12) ** 3)


def test_with_equal_weights_the_balancer_gives_exactly_the_day_plain_fuzz_gives():
    for card in range(500):
        factor = fuzz_factor(f"c{card}", 3)
        interval = 3 + card % 80 + 0.37
        lower, upper = constrained_fuzz_bounds(interval, 1, 36500)
        chosen = lower + weighted_choice([1.0] * (upper - lower + 1), factor)
        assert chosen == with_review_fuzz(factor, interval, 1, 36500)
        flat = balanced_interval(factor, interval, 1, 36500, TODAY, lambda a, b: [0] * (b - a + 1))
        assert flat == chosen


def test_the_least_loaded_day_wins_and_long_intervals_are_left_to_plain_fuzz():
    load = {TODAY + day: 50 for day in range(1, 200)}
    load[TODAY + 21] = 0
    for card in range(50):
        assert balanced_interval(fuzz_factor(f"c{card}", 1), 20.0, 1, 36500, TODAY,
                                 lambda a, b: [load.get(d, 0) for d in range(a, b + 1)]) == 21
    assert balanced_interval(0.5, 91.0, 1, 36500, TODAY, lambda a, b: [0] * (b - a + 1)) is None  # over 90 days
    assert balanced_interval(0.5, 50.0, 91, 36500, TODAY, lambda a, b: [0] * (b - a + 1)) is None  # minimum over 90
    assert balanced_interval(0.5, 2.0, 1, 36500, TODAY, lambda a, b: [0] * (b - a + 1)) == 2  # one day: no choice


def test_easy_day_modifiers_follow_anki_minimum_always_reduced_above_its_half_share():
    week = [NORMAL, NORMAL, NORMAL, NORMAL, NORMAL, REDUCED, MINIMUM]
    # Saturday (reduced) holds 10 of 40 cards over 4 days: 10 / 0.5 = 20 > 30 / 2.5 = 12 -> minimum
    assert easy_day_modifiers(week, [3, 4, 5, 6], [10, 10, 10, 10]) == [1.0, 1.0, 0.0001, 0.0001]
    # with 2 cards: 2 / 0.5 = 4 <= 38 / 2.5 -> normal
    assert easy_day_modifiers(week, [3, 4, 5, 6], [19, 19, 2, 0]) == [1.0, 1.0, 1.0, 0.0001]
    # a minimum day gets nothing while the range has another day; alone, it is balanced as a normal day
    assert day_weights(5, [3, 0], [NORMAL, 0.0001])[1] == 0.0
    assert day_weights(5, [3, 0], [0.0001, 0.0001]) == day_weights(5, [3, 0], [NORMAL, NORMAL])


# ---------------------------------------------------------------- through the scheduler

def test_hard_good_easy_stay_ordered_and_above_the_floor_under_any_load():
    rng = random.Random(11)
    plain = FSRSScheduler(tz=UTC)
    for card in range(2000):
        load = DictLoad({TODAY + day: rng.choice([0, 0, 1, 5, 30, 200]) for day in range(1, 130)})
        scheduler = FSRSScheduler(tz=UTC).with_load(load)
        stability = rng.uniform(0.5, 80)
        elapsed = rng.randint(1, max(1, int(stability * 1.5)))
        schedule = review_schedule(stability, elapsed)
        schedule = Schedule(**{**schedule.__dict__, "due": schedule.last_review + timedelta(days=rng.randint(1, 60))})
        days = {rating: (s.due - NOW).days for rating, s in scheduler.preview(f"c{card}", schedule, NOW).items()}
        assert days[Rating.HARD] < days[Rating.GOOD] < days[Rating.EASY], (schedule, days)
        unbalanced = {rating: (s.due - NOW).days for rating, s in plain.preview(f"c{card}", schedule, NOW).items()}
        previous = round((schedule.due - schedule.last_review).total_seconds() / 86400)
        states = plain.next_states(schedule, NOW)
        for rating, interval in ((Rating.HARD, states.hard.interval), (Rating.GOOD, states.good.interval)):
            if round(interval) > previous:  # a growing interval is never balanced below the previous one + 1
                assert days[rating] >= previous + 1 and unbalanced[rating] >= previous + 1
    for card in range(300):  # graduating: Good < Easy, Good on the balanced good day
        scheduler = FSRSScheduler(tz=UTC).with_load(DictLoad({TODAY + d: rng.randint(0, 9) for d in range(1, 60)}))
        previews = scheduler.preview(f"n{card}", Schedule(), NOW)
        assert previews[Rating.EASY].due > previews[Rating.GOOD].due


def test_the_preview_is_the_answer_and_the_load_is_asked_once_per_day():
    load = DictLoad({TODAY + day: (day * 7) % 11 for day in range(1, 100)})
    scheduler = FSRSScheduler(tz=UTC).with_load(load)
    for card in range(200):
        schedule = review_schedule(5 + card % 40, 4 + card % 20)
        previews = scheduler.preview(f"c{card}", schedule, NOW)
        for rating in (Rating.HARD, Rating.GOOD, Rating.EASY):
            assert scheduler.review(f"c{card}", schedule, rating, NOW) == previews[rating]
    load.asked.clear()
    scheduler.preview("one", review_schedule(20, 20), NOW)
    days = [day for first, last in load.asked for day in range(first, last + 1)]
    assert len(days) == len(set(days))  # Hard, Good and Easy share what was read


def test_without_fuzz_or_with_load_balance_off_intervals_are_plain():
    load = DictLoad({TODAY + day: 100 for day in range(1, 100)})
    load.counts[TODAY + 18] = 0
    schedule = review_schedule(10, 7)
    for scheduler, plain in ((FSRSScheduler(tz=UTC, fuzz=False).with_load(load), FSRSScheduler(tz=UTC, fuzz=False)),
                             (FSRSScheduler(tz=UTC, load_balance=False).with_load(load), FSRSScheduler(tz=UTC))):
        assert scheduler.preview("c", schedule, NOW) == plain.preview("c", schedule, NOW)
    assert FSRSScheduler.from_settings(Settings(load_balance=False)).load_balance is False


# ---------------------------------------------------------------- a real store, answered in review sessions

def due_reviews(store: Store, tmp_path, count: int, rng: random.Random, now: datetime, name: str = "due"):
    """A deck of `count` review cards, all due at `now`, of varied stability (intervals under 90 days)."""
    deck = tmp_path / f"{name}.yaml"
    ids = write_deck(deck, count, name=name)
    open_decks(store, [deck])
    with store.transaction() as db:
        for card in ids:
            stability = rng.uniform(2.0, 30.0)
            elapsed = rng.randint(max(1, int(stability * 0.6)), int(stability * 1.1) + 1)
            store.write_card(db, CardRow(card, review_schedule(stability, elapsed, now)))
    return deck, ids


def background(store: Store, tmp_path, rng: random.Random, now: datetime, days: int = 80) -> None:
    """Review cards already due on each later day, unevenly (another deck: the load is every card's)."""
    deck = tmp_path / "background.yaml"
    counts = [rng.choice([0, 2, 5, 12, 25]) for _ in range(days)]
    ids = write_deck(deck, sum(counts), name="background")
    open_decks(store, [deck])
    rows, at = [], 0
    for day, count in enumerate(counts, 1):
        for card in ids[at:at + count]:
            rows.append(CardRow(card, Schedule(State.REVIEW, None, 30.0, 5.0, now + timedelta(days=day),
                                               now - timedelta(days=30), 4)))
        at += count
    with store.transaction() as db:
        store.write_cards(db, rows)


def answer_everything(store: Store, deck, settings: Settings, clock: FrozenClock, rating=Rating.GOOD) -> None:
    session = Reviewing(store, [deck], clock, settings).session()
    while (shown := session.next_card()) is not None:
        preview = shown.previews[rating]
        answered = session.answer(shown, rating)
        assert answered.schedule == preview  # the buttons showed the day the answer gave


def per_day(store: Store, today: int, last: int) -> list[int]:
    counts = dict.fromkeys(range(today + 1, today + last + 1), 0)
    for row in store.cards():
        if row.schedule.state == State.REVIEW and row.schedule.due is not None:
            day = day_number(row.schedule.due, 4, UTC)
            if day in counts:
                counts[day] += 1
    return list(counts.values())


def answered_on_one_day(tmp_path, balance: bool, count: int = 400, seed: int = 3):
    folder = tmp_path / ("balanced" if balance else "plain")
    folder.mkdir()
    rng = random.Random(seed)
    with Store(folder / "fc.db") as store:
        background(store, folder, rng, NOW)
        deck, ids = due_reviews(store, folder, count, rng, NOW)
        settings = Settings(load_balance=balance, reviews_per_day=10_000)
        answer_everything(store, deck, settings, FrozenClock(NOW))
        intervals = [day_number(store.card(card).schedule.due, 4, UTC) - TODAY for card in ids]
        return intervals, per_day(store, TODAY, 120)


def test_daily_counts_are_smoother_with_the_balancer_at_the_same_mean_interval(tmp_path):
    plain_intervals, plain_days = answered_on_one_day(tmp_path, balance=False)
    balanced_intervals, balanced_days = answered_on_one_day(tmp_path, balance=True)
    plain_mean, balanced_mean = statistics.mean(plain_intervals), statistics.mean(balanced_intervals)
    assert abs(balanced_mean - plain_mean) <= 0.02 * plain_mean, (plain_mean, balanced_mean)
    assert sum(balanced_days) == sum(plain_days)  # every card within the 120 days either way
    # the same cards got the same fuzz ranges; over the days where they had a choice (from the third day, under
    # 90 days; the background ends at 80), the balanced days are far smoother
    plain, balanced = statistics.pvariance(plain_days[2:80]), statistics.pvariance(balanced_days[2:80])
    assert balanced < 0.7 * plain, (plain, balanced)


def test_config_turns_the_balancer_off(tmp_path):
    from conftest import run_cli

    db = tmp_path / "fc.db"
    assert run_cli("config", "load_balance", "false", "--db", str(db)).stdout.strip() == "load_balance = false"
    from flashcards.settings import load_settings, settings_path

    assert load_settings(settings_path(db)).load_balance is False
    assert Settings().load_balance is True


def test_the_store_counts_studied_cards_due_per_study_day_leaving_the_answered_card_out(tmp_path):
    from flashcards.store.day_load import StoreLoad

    with Store(tmp_path / "fc.db") as store:
        deck = tmp_path / "d.yaml"
        ids = write_deck(deck, 6)
        open_decks(store, [deck])
        dues = [NOW + timedelta(days=1), NOW + timedelta(days=1, hours=17), NOW + timedelta(days=2),
                NOW + timedelta(days=3)]
        with store.transaction() as db:
            for card, due in zip(ids, dues, strict=False):
                store.write_card(db, CardRow(card, Schedule(State.REVIEW, None, 5.0, 5.0, due, NOW, 2)))
            store.write_card(db, CardRow(ids[4], Schedule(State.REVIEW, None, 5.0, 5.0, NOW + timedelta(days=2), NOW, 2),
                                         suspended=True))  # counted, as Anki counts it
        load = StoreLoad(store, 4, UTC)
        # day + 1 at 10:00, day + 1 at 03:00 the next morning (still day + 1: before the 4 am rollover)
        assert load.due_counts(TODAY + 1, TODAY + 4, "none") == [2, 2, 1, 0]
        assert load.due_counts(TODAY + 1, TODAY + 4, ids[0]) == [1, 2, 1, 0]


# ---------------------------------------------------------------- Anki's own scheduler

def anki_answers(tmp_path, empty_offset: int, targets: int, easy_days=None, stability=10.0, elapsed=7):
    """Answer `targets` review cards Good in a real Anki collection (FSRS and load balancing on) whose other cards
    fill every day of the Good fuzz range but `empty_offset`; returns (range, Anki's intervals in order)."""
    import time

    Collection = pytest.importorskip("anki.collection").Collection  # first: anki.cards alone is a circular import
    from anki.cards import FSRSMemoryState
    from anki.scheduler.v3 import CardAnswer
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, MemoryState

    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        col.set_config("fsrs", True)
        col.load_balancer_enabled = True
        deck_id = col.decks.id("balanced")
        if easy_days is not None:
            conf = col.decks.config_dict_for_deck_id(deck_id)
            conf["easyDaysPercentages"] = easy_days
            col.decks.update_config(conf)
        basic = col.models.by_name("Basic")
        ids = []
        for number in range(targets + 240):
            note = col.new_note(basic)
            note["Front"], note["Back"] = f"q{number}", "a"
            col.add_note(note, deck_id)
            ids.append(note.cards()[0].id)
        today = col.sched.today
        states = FSRS(DEFAULT_PARAMETERS).next_states(MemoryState(stability, 5.0), 0.9, elapsed)
        lower, upper = constrained_fuzz_bounds(states.good.interval, elapsed + 1, 36500)
        filled = [offset for offset in range(lower, upper + 1) if offset != empty_offset]
        for number, card_id in enumerate(ids[targets:]):
            offset = filled[number % len(filled)]
            col.db.execute("update cards set type = 2, queue = 2, due = ?, ivl = ? where id = ?", today + offset,
                           offset, card_id)
        for card_id in ids[:targets]:
            card = col.get_card(card_id)
            card.type, card.queue, card.due, card.ivl, card.reps = 2, 2, today, elapsed, 4
            card.memory_state = FSRSMemoryState(stability=stability, difficulty=5.0)
            card.last_review_time = int(time.time()) - elapsed * 86400
            col.update_card(card)
        col.decks.select(deck_id)
        chosen = []
        for _ in range(targets):
            queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
            card = col.get_card(queued.card.id)
            card.start_timer()
            col.sched.answer_card(col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD))
            chosen.append(col.get_card(queued.card.id).due - today)
        return (lower, upper), chosen
    finally:
        col.close()


def ours(empty_offset: int, targets: int, span: tuple[int, int], easy_days=None, stability=10.0,
         elapsed=7) -> list[int]:
    """The same collection for our scheduler, on the same day in the machine's time zone (Anki's clock is the real
    one): the same counts per day, each answer added to its day."""
    now = datetime.now(UTC)
    today = day_number(now, 4, None)
    filled = [offset for offset in range(span[0], span[1] + 1) if offset != empty_offset]
    load = DictLoad()
    for number in range(240):
        day = today + filled[number % len(filled)]
        load.counts[day] = load.counts.get(day, 0) + 1
    scheduler = FSRSScheduler(easy_days=easy_days or [1.0] * 7).with_load(load)
    chosen = []
    for card in range(targets):
        after = scheduler.review(f"card{card}", review_schedule(stability, elapsed, now, 4), Rating.GOOD, now)
        day = day_number(after.due, 4, None)
        load.counts[day] = load.counts.get(day, 0) + 1
        chosen.append(day - today)
    return chosen


def folder(tmp_path, name: str):
    path = tmp_path / name
    path.mkdir()
    return path


def test_anki_and_we_both_fill_the_empty_day_of_the_range_first_and_pick_only_within_it(tmp_path):
    for empty in (25, 28):
        span, anki = anki_answers(folder(tmp_path, str(empty)), empty, 16)
        assert span == (24, 30)  # stability 10, 7 days: fsrs-rs's Good is 26.9 days
        mine = ours(empty, 16, span)
        assert all(span[0] <= days <= span[1] for days in anki + mine), (anki, mine)
        assert anki[0] == mine[0] == empty  # an empty day against ~40 cards a day: certain, in Anki and here
        assert anki.count(empty) >= 8 and mine.count(empty) >= 8  # and it keeps most until it catches up


def weekday_of_offset(offset: int) -> int:
    return weekday(day_number(datetime.now(UTC), 4, None) + offset)


def test_anki_and_we_keep_cards_off_a_minimum_day_and_fewer_on_a_reduced_one(tmp_path):
    week = [NORMAL] * 7
    week[weekday_of_offset(25)] = MINIMUM  # a full day of the range (no day is empty)
    week[weekday_of_offset(27)] = REDUCED
    span, anki = anki_answers(folder(tmp_path, "easy"), -1, 24, easy_days=week)
    mine = ours(-1, 24, span, easy_days=week)
    assert 25 not in anki and 25 not in mine, (anki, mine)
    for chosen in (anki, mine):
        others = [chosen.count(day) for day in range(span[0], span[1] + 1) if day not in (25, 27)]
        assert chosen.count(27) <= statistics.mean(others), chosen


def test_an_empty_minimum_day_gets_a_card_in_anki_and_none_here(tmp_path):
    """The one place we part from Anki on purpose: since "Easy days: revisited" Anki weighs a day with no cards
    due as 1 whatever its easy-day setting, so an empty minimum day draws the next card; here it stays free."""
    week = [NORMAL] * 7
    week[weekday_of_offset(26)] = MINIMUM
    span, anki = anki_answers(folder(tmp_path, "quirk"), 26, 4, easy_days=week)
    mine = ours(26, 4, span, easy_days=week)
    assert anki[0] == 26 and 26 not in mine, (anki, mine)


# ---------------------------------------------------------------- rescheduling on change (Anki's rescheduler)

def rescheduled(tmp_path, balance: bool):
    from learner import simulate_history
    from test_parameters_follow import write_history

    from flashcards.scheduling.memory_states import recompute_memory_states

    folder = tmp_path / ("balanced" if balance else "plain")
    folder.mkdir()
    answers = simulate_history(cards=400, reviews_per_card=3, seed=12, start=NOW - timedelta(days=40))
    last = max(answer.reviewed_at for answer in answers)
    with Store(folder / "fc.db") as store:
        write_history(store, answers)
        report = recompute_memory_states(store, Settings(load_balance=balance, desired_retention=0.85),
                                         reschedule=True, now=last, tz=UTC)
        rows = {row.card_id: row.schedule for row in store.cards()}
    return report, rows, day_number(last, 4, UTC)


def test_rescheduling_on_change_balances_within_the_fuzz_range_as_ankis_rescheduler(tmp_path):
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    plain_report, plain, today = rescheduled(tmp_path, balance=False)
    balanced_report, balanced, _ = rescheduled(tmp_path, balance=True)
    assert plain_report.cards == balanced_report.cards == 400
    fsrs = FSRS(DEFAULT_PARAMETERS)
    moved = 0
    for card, schedule in balanced.items():
        days = round((schedule.due - schedule.last_review).total_seconds() / 86400)
        lower, upper = constrained_fuzz_bounds(fsrs.next_interval(schedule.stability, 0.85, 3), 1, 36500)
        assert lower <= days <= upper, (card, days, lower, upper)
        moved += schedule.due != plain[card].due

    def future_counts(rows) -> list[int]:
        counts = dict.fromkeys(range(today + 1, today + 91), 0)
        for schedule in rows.values():
            day = day_number(schedule.due, 4, UTC)
            if day in counts:
                counts[day] += 1
        return list(counts.values())

    assert moved > 100
    # the next 90 days: 6.3 without the balancer, 4.0 with it
    assert statistics.pvariance(future_counts(balanced)) < 0.8 * statistics.pvariance(future_counts(plain))
