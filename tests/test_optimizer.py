"""Fitting FSRS to a person's history: beats defaults where the person differs, reproducible simulation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fsrs_rs_python import FSRSReview
from learner import simulate_history, slow_learner_log, write_to_store

from flashcards.clock import to_ms
from flashcards.scheduling.fit import (
    CardCounter,
    compare,
    day_number,
    rows_since,
    training_items_from_rows,
)
from flashcards.scheduling.simulation import simulate
from flashcards.store import Store


def test_the_day_rolls_over_at_4am_local_time():
    assert day_number(datetime(2026, 3, 2, 3, 59, tzinfo=UTC), 4, UTC) == datetime(2026, 3, 1).toordinal()
    assert day_number(datetime(2026, 3, 2, 4, 0, tzinfo=UTC), 4, UTC) == datetime(2026, 3, 2).toordinal()


def rows(*answers: tuple[str, datetime, int]) -> list[tuple[str, int, int]]:
    """(card, moment, rating) as the store streams them: (card id, ms UTC, rating), ordered by card, then time."""
    return sorted((card, to_ms(at), rating) for card, at, rating in answers)


def reviews_of(item) -> list[str]:
    return [repr(review) for review in item.reviews]


def expected(*pairs: tuple[int, int]) -> list[str]:
    return [repr(FSRSReview(rating, delta)) for rating, delta in pairs]


def test_each_answer_on_a_later_study_day_ends_one_training_item_of_whole_days():
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    items = training_items_from_rows(rows(
        ("a", day, 3),
        ("a", day.replace(hour=13), 1),  # same day: a short-term review, never a label
        ("a", day.replace(day=2, hour=3), 3),  # 3 am still belongs to 1 March
        ("a", day.replace(day=4, hour=9), 4),
        ("a", day.replace(day=4, hour=10), 2),  # same day again: no item
        ("a", day.replace(day=5, hour=4), 3),  # 4 am: a new study day
    ), 4, UTC)
    assert [study_day for study_day, _ in items] == [datetime(2026, 3, 4).toordinal(), datetime(2026, 3, 5).toordinal()]
    assert reviews_of(items[0][1]) == expected((3, 0), (1, 0), (3, 0), (4, 3))
    assert reviews_of(items[1][1]) == expected((3, 0), (1, 0), (3, 0), (4, 3), (2, 0), (3, 1))


def test_the_rollover_is_local_time_in_the_given_zone():
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")  # 04:00 in Tokyo is 19:00 UTC the day before
    first = datetime(2026, 3, 1, 12, tzinfo=UTC)
    answers = rows(("a", first, 3), ("a", datetime(2026, 3, 1, 19, 30, tzinfo=UTC), 3))
    assert len(training_items_from_rows(answers, 4, UTC)) == 0  # the same day in UTC
    assert len(training_items_from_rows(answers, 4, tokyo)) == 1  # the next day in Tokyo


def test_items_of_several_cards_come_in_study_day_order_and_a_single_answer_makes_none():
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    items = training_items_from_rows(rows(
        ("a", day, 3), ("a", day.replace(day=20), 3),
        ("b", day, 1), ("b", day.replace(day=3), 3), ("b", day.replace(day=9), 3),
        ("c", day, 4),
    ), 4, UTC)
    assert [study_day - datetime(2026, 3, 1).toordinal() for study_day, _ in items] == [2, 8, 19]
    assert reviews_of(items[1][1]) == expected((1, 0), (3, 2), (3, 6))


def test_cards_begun_before_since_are_left_out_whole_and_the_rest_counted():
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    answers = rows(("a", day, 3), ("a", day.replace(day=10), 3), ("b", day.replace(day=5), 3),
                   ("b", day.replace(day=12), 3), ("c", day.replace(day=6), 1))
    kept = CardCounter(rows_since(answers, to_ms(day.replace(day=5))))
    assert [card for card, _, _ in kept] == ["b", "b", "c"] and kept.cards == 2
    everything = CardCounter(rows_since(answers, None))
    assert len(list(everything)) == 5 and everything.cards == 3


def test_fitting_beats_the_defaults_on_held_out_reviews_of_a_learner_unlike_them(tmp_path):
    with Store(tmp_path / "fc.db") as store:
        write_to_store(store, simulate_history(cards=400, reviews_per_card=8, seed=11))
        items = training_items_from_rows(store.answer_rows_by_card(), 4, UTC)
    assert len(items) == 400 * 7  # every answer after a card's first lands on a later day
    result = compare(items, splits=3)
    assert result.fitted_is_better, (result.defaults, result.fitted)
    assert result.fitted.log_loss < result.defaults.log_loss - 0.005
    assert result.held_out > 0 and len(result.parameters) == 21
    # the fit recovers the learner's longer first memory after Good
    assert result.parameters[2] > 5


def test_simulation_is_reproducible_with_a_seed_and_higher_retention_costs_more_reviews():
    params = [0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835,
              0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542]
    first = simulate(params, [0.8, 0.95], deck_size=500, days=60, seed=7)
    again = simulate(params, [0.8, 0.95], deck_size=500, days=60, seed=7)
    assert [row.reviews_per_day for row in first] == [row.reviews_per_day for row in again]
    low, high = first
    assert sum(high.reviews_per_day) > sum(low.reviews_per_day)
    assert len(low.reviews_per_day) == 60


# ---------------------------------------------------------------- a personal simulator

def test_the_simulator_uses_the_persons_own_costs_and_button_odds_once_the_log_holds_enough():
    from flashcards.scheduling.simulation import personal_profile

    profile = personal_profile(slow_learner_log(), 4, UTC)
    assert profile.sources["review_rating_odds"] == "yours" and profile.sources["first_rating_odds"] == "yours"
    assert profile.review_rating_prob == pytest.approx([0.5, 0.5, 0.0])
    assert profile.first_rating_prob == pytest.approx([1 / 3, 0, 2 / 3, 0])
    assert profile.state_rating_costs[1][1] == pytest.approx(40.0)  # review, Hard: their 40 s
    assert profile.sources["costs"].startswith("yours for")  # only the buttons they used
    few = personal_profile(slow_learner_log(cards=3), 4, UTC)
    assert set(few.sources.values()) == {"defaults"}


def test_a_slow_persons_simulated_workload_costs_more_minutes_than_anki_averages():
    from fsrs_rs_python import DEFAULT_PARAMETERS

    from flashcards.scheduling.simulation import personal_profile

    profile = personal_profile(slow_learner_log(), 4, UTC)
    theirs = simulate(DEFAULT_PARAMETERS, [0.9], 300, 60, seed=3, profile=profile)[0]
    average = simulate(DEFAULT_PARAMETERS, [0.9], 300, 60, seed=3)[0]
    assert theirs.total_minutes > average.total_minutes * 1.3


def test_several_seeds_are_averaged_and_their_spread_reported():
    from fsrs_rs_python import DEFAULT_PARAMETERS

    row = simulate(DEFAULT_PARAMETERS, [0.85], 300, 90, seed=1, seeds=4)[0]
    singles = [simulate(DEFAULT_PARAMETERS, [0.85], 300, 90, seed=s)[0].total_minutes for s in range(1, 5)]
    assert row.spread["seeds"] == 4
    assert row.spread["total_minutes"] == pytest.approx([min(singles), max(singles)])
    assert row.total_minutes == pytest.approx(sum(singles) / 4)


def test_an_optimal_retention_on_the_search_floor_is_not_recommended():
    from flashcards.scheduling.simulation import at_search_floor

    assert at_search_floor(0.699999988) and not at_search_floor(0.82)
