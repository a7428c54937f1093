"""simulate: reproducible for a seed, the cheapest retention named (or not, on the search floor), and the
person's own costs and odds used once their log holds enough."""

from __future__ import annotations

import json

from learner import slow_learner_log

from conftest import run_cli
from flashcards.scheduling.workload import simulate_workload
from flashcards.settings import Settings
from flashcards.store import Store


def test_simulation_is_reproducible_with_a_seed_and_names_the_cheapest_retention(tmp_path):
    first = simulate_workload(Settings(), 200, 60, [0.8, 0.9], seed=5, find_optimal=False)
    again = simulate_workload(Settings(), 200, 60, [0.8, 0.9], seed=5, find_optimal=False)
    assert first.to_dict() == again.to_dict()
    higher = first.rows[1]
    assert sum(higher.reviews_per_day) > sum(first.rows[0].reviews_per_day)  # more retention, more reviews
    result = run_cli("simulate", "--deck-size", "200", "--days", "60", "--optimal", "--db", str(tmp_path / "fc.db"))
    assert result.code == 0, result.stderr
    # with the defaults the search ends on its floor (70%): said so, not recommended
    assert "stopped at its floor (70%)" in result.stdout and "FSRS's default parameters" in result.stdout
    assert "config desired_retention" not in result.stdout
    data = json.loads(run_cli("simulate", "--deck-size", "200", "--days", "60", "--json", "--db", str(tmp_path / "fc.db")).stdout)
    assert [row["retention"] for row in data["retentions"]] == [0.8, 0.85, 0.9, 0.95]


def test_simulate_from_the_command_line_says_whose_costs_and_odds_it_used(tmp_path):
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
