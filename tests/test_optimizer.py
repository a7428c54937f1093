"""Fitting FSRS to a person's history: beats defaults where the person differs, reproducible simulation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
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


# ---------------------------------------------------------------- a personal simulator

def logged(card, at, rating, state, ms):
    from flashcards.model import LoggedAnswer, State

    return LoggedAnswer(0, card, at, rating, ms, State(state), State(state))


def slow_learner_log(cards=60):
    """A person who answers reviews slowly (40 s) and presses Hard far more often than Anki's average."""
    from datetime import timedelta

    answers = []
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    for card in range(cards):
        at = start + timedelta(minutes=card)
        answers.append(logged(f"c{card}", at, 3 if card % 3 else 1, 0, 9000))  # first answers: new cards
        for day in (1, 4, 10):
            answers.append(logged(f"c{card}", at + timedelta(days=day), 2 if card % 2 else 3, 2, 40_000))
    return answers


def test_the_simulator_uses_the_persons_own_costs_and_button_odds_once_the_log_holds_enough():
    from flashcards.optimizer import personal_profile

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

    from flashcards.optimizer import personal_profile

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
    from flashcards.optimizer import at_search_floor

    assert at_search_floor(0.699999988) and not at_search_floor(0.82)


def test_simulate_from_the_command_line_says_whose_costs_and_odds_it_used(tmp_path):
    import json

    from conftest import run_cli
    from flashcards.store import Store

    db = tmp_path / "fc.db"
    with Store(db) as store, store.transaction() as conn:
        store.insert_answers(conn, slow_learner_log())
    result = run_cli("simulate", "--deck-size", "100", "--days", "30", "--json", "--db", str(db))
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["costs_and_odds"]["review_rating_odds"] == "yours" and data["seeds"] == 3
    assert data["retentions"][0]["spread"]["seeds"] == 3
    text = run_cli("simulate", "--deck-size", "100", "--days", "30", "--db", str(tmp_path / "empty.db")).stdout
    assert "Review costs: defaults" in text
