"""Memory states follow the parameters: `config parameters`, `optimize` (per-fold save rule, --since) and
--reschedule over a real store, checked against fsrs-rs for the same histories."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview
from learner import simulate_history

from conftest import run_cli
from flashcards.clock import day_number
from flashcards.model import CardRow, Schedule, State
from flashcards.scheduling.fit import Comparison, Fold, Scores
from flashcards.scheduling.fuzz import constrained_fuzz_bounds
from flashcards.settings import load_settings, settings_path
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end (histories recomputed through the CLI): run by CI, left out of the quick loop

UTC_ENV = {"TZ": "UTC"}
OTHER = [0.5, 1.0, 4.0, 12.0, *DEFAULT_PARAMETERS[4:]]


def write_history(store: Store, answers) -> None:
    """Answers into the log and each card's schedule as a review card answered last at its last answer."""
    last: dict[str, datetime] = {}
    counts: dict[str, int] = {}
    for answer in answers:
        last[answer.card_id] = answer.reviewed_at
        counts[answer.card_id] = counts.get(answer.card_id, 0) + 1
    with store.transaction() as db:
        store.insert_answers(db, answers)
        store.write_cards(db, [CardRow(card, Schedule(State.REVIEW, None, 1.0, 5.0, at + timedelta(days=1), at, counts[card]))
                               for card, at in last.items()])


def expected_states(answers, parameters) -> dict[str, object]:
    by_card: dict[str, list] = {}
    for a in sorted(answers, key=lambda a: (a.card_id, a.reviewed_at)):
        by_card.setdefault(a.card_id, []).append(a)
    result = {}
    for card, items in by_card.items():
        days = [day_number(a.reviewed_at, 4, UTC) for a in items]
        reviews = [FSRSReview(a.rating, 0 if i == 0 else days[i] - days[i - 1]) for i, a in enumerate(items)]
        result[card] = FSRS(list(parameters)).memory_state(FSRSItem(reviews))
    return result


def assert_states(store: Store, expected) -> None:
    for card, state in expected.items():
        row = store.card(card).schedule
        assert (row.stability, row.difficulty) == pytest.approx((state.stability, state.difficulty), rel=1e-5), card


def test_setting_parameters_recomputes_every_cards_memory_state_from_its_answers(tmp_path):
    db = tmp_path / "fc.db"
    answers = simulate_history(cards=30, reviews_per_card=5, seed=4)
    with Store(db) as store:
        write_history(store, answers)
        due_before = {card.card_id: card.schedule.due for card in store.cards()}
    result = run_cli("config", "parameters", ",".join(map(str, OTHER)), "--db", str(db), env=UTC_ENV)
    assert result.code == 0, result.stderr
    assert "Memory states recomputed: 30 of 30 cards changed" in result.stderr
    with Store(db) as store:
        assert_states(store, expected_states(answers, OTHER))
        assert {card.card_id: card.schedule.due for card in store.cards()} == due_before  # no --reschedule


def test_reschedule_on_a_retention_change_moves_review_cards_due_dates(tmp_path):
    db = tmp_path / "fc.db"
    answers = simulate_history(cards=20, reviews_per_card=4, seed=6)
    with Store(db) as store:
        write_history(store, answers)
    result = run_cli("config", "desired_retention", "0.75", "--reschedule", "--db", str(db), env=UTC_ENV)
    assert result.code == 0, result.stderr
    assert "due dates moved" in result.stderr
    with Store(db) as store:
        for card, state in expected_states(answers, DEFAULT_PARAMETERS).items():
            row = store.card(card).schedule
            days = (row.due - row.last_review).days
            plain = FSRS(DEFAULT_PARAMETERS).next_interval(state.stability, 0.75, 3)
            low, high = constrained_fuzz_bounds(plain, 1, 36500)  # Anki's fuzz range around fsrs-rs's interval
            assert low <= days <= high, (card, days, plain)


def test_optimize_saves_only_on_a_majority_of_folds_and_in_total():
    def fold(defaults, fitted):
        return Fold(100, Scores(defaults, 0.05), Scores(fitted, 0.05))

    one_big_fold = Comparison(300, 300, Scores(0.40, 0.05), Scores(0.35, 0.05), [], [fold(0.5, 0.3), fold(0.35, 0.37), fold(0.35, 0.38)])
    assert one_big_fold.folds_won == 1 and not one_big_fold.fitted_is_better
    majority = Comparison(300, 300, Scores(0.40, 0.05), Scores(0.39, 0.05), [], [fold(0.4, 0.39), fold(0.4, 0.39), fold(0.4, 0.41)])
    assert majority.fitted_is_better


def test_optimize_shows_each_fold_the_cards_used_and_recomputes_states_after_saving(tmp_path):
    db = tmp_path / "fc.db"
    answers = simulate_history(cards=300, reviews_per_card=8, seed=3)
    with Store(db) as store:
        write_history(store, answers)
    result = run_cli("optimize", "--json", "--db", str(db), env=UTC_ENV)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["cards"] == 300 and data["reviews"] == 300 * 7 and len(data["folds"]) == 5
    assert data["saved"] and data["folds_won"] >= 3 and data["recomputed"]["cards"] == 300
    parameters = load_settings(settings_path(db)).parameters
    with Store(db) as store:
        assert_states(store, expected_states(answers, parameters))
    text = run_cli("optimize", "--db", str(db), env=UTC_ENV).stdout
    assert "fold 5" in text and "Used 300 cards and 2100 long-term reviews" in text


def test_optimize_since_a_date_leaves_out_cards_begun_before_it(tmp_path):
    db = tmp_path / "fc.db"
    answers = simulate_history(cards=100, reviews_per_card=6, seed=8)  # 20 new cards a day from 2025-01-06
    with Store(db) as store:
        write_history(store, answers)
    data = json.loads(run_cli("optimize", "--since", "2025-01-08", "--json", "--db", str(db), env=UTC_ENV).stdout)
    assert data["cards"] == 60 and data["reviews"] == 60 * 5 and data["since"] == "2025-01-08"
    bad = run_cli("optimize", "--since", "last week", "--db", str(db))
    assert bad.code != 0 and "--since: expected a date" in bad.stderr and "Traceback" not in bad.stderr
