"""Fitting FSRS to a person's history: beats defaults where the person differs, reproducible simulation."""

from __future__ import annotations

from datetime import UTC, datetime

from learner import SimAnswer, simulate_history

from flashcards.optimizer import (
    card_histories,
    compare,
    count_long_term_reviews,
    day_number,
    review_sequences,
    simulate,
    training_items,
)


def test_the_day_rolls_over_at_4am_local_time():
    assert day_number(datetime(2026, 3, 2, 3, 59, tzinfo=UTC), 4, UTC) == datetime(2026, 3, 1).toordinal()
    assert day_number(datetime(2026, 3, 2, 4, 0, tzinfo=UTC), 4, UTC) == datetime(2026, 3, 2).toordinal()


def test_training_sequences_are_prefixes_ending_on_a_later_day_in_whole_days():
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    answers = [
        SimAnswer("a", day, 3),
        SimAnswer("a", day.replace(hour=13), 1),  # same day: a short-term review, never a label
        SimAnswer("a", day.replace(day=2, hour=3), 3),  # 3 am still belongs to 1 March
        SimAnswer("a", day.replace(day=4, hour=9), 4),
    ]
    sequences = review_sequences(card_histories(answers, 4, UTC))
    assert [reviews for _, reviews in sequences] == [[(3, 0), (1, 0), (3, 0), (4, 3)]]
    assert len(training_items(card_histories(answers, 4, UTC))) == 1


def test_fitting_beats_the_defaults_on_held_out_reviews_of_a_learner_unlike_them():
    answers = simulate_history(cards=400, reviews_per_card=8, seed=11)
    histories = card_histories(answers, 4, UTC)
    assert count_long_term_reviews(histories) == 400 * 7
    result = compare(training_items(histories), splits=3)
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
