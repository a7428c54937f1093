"""stats, optimize, simulate and config over a real store with a known history."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from html.parser import HTMLParser

from learner import simulate_history
from reviewing import START, FrozenClock, Reviewing, write_deck

from conftest import run_cli
from flashcards.clock import day_number
from flashcards.insights import optimize, simulate_workload, store_stats
from flashcards.model import Rating, State
from flashcards.settings import Settings, load_settings, save_settings, settings_path
from flashcards.store import Store


def build_history(tmp_path):
    """5 cards: 2 learned on day 0; one of them reviewed 30 days later (Good) and one forgotten (Again)."""
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, 5)
    store = Store(tmp_path / "fc.db")
    reviewing = Reviewing(store, [deck], FrozenClock(), Settings(fuzz=False))
    session = reviewing.session()
    for _ in range(2):
        session.answer(session.next_card(), Rating.EASY, duration_ms=6000)
    reviewing.clock.advance(days=30)
    session = reviewing.session()
    session.answer(session.next_card(), Rating.GOOD, duration_ms=4000)
    session.answer(session.next_card(), Rating.AGAIN, duration_ms=10000)
    session.suspend(session.next_card())  # the third card: new, suspended
    return store, reviewing, ids


def test_stats_from_the_store_count_states_answers_and_retention(tmp_path):
    store, reviewing, _ = build_history(tmp_path)
    stats = store_stats(store, None, Settings(), now=reviewing.clock.now, tz=UTC)
    cards = stats.cards
    assert (cards.new, cards.learning, cards.young, cards.mature, cards.suspended, cards.total) == (2, 1, 0, 1, 1, 5)  # the Good review earned a month: mature
    last_30 = stats.retention[1]
    assert (last_30.young.passed, last_30.young.total) == (1, 2)  # Good kept, Again lost, both young (8-day cards)
    today = [day for day in stats.heatmap if day.day.toordinal() == day_number(reviewing.clock.now, 4, UTC)]
    assert today[0].count == 2 and stats.current_streak == 1 and stats.days_studied == 2
    assert stats.activity[-1].minutes == (4000 + 10000) / 60000
    assert sum(day.count for day in stats.heatmap) == 4
    store.close()


def test_stats_of_one_deck_leave_out_the_other_decks_cards(tmp_path):
    store, reviewing, _ = build_history(tmp_path)
    other = tmp_path / "other.yaml"
    write_deck(other, 3, name="other")
    from flashcards.decks import open_decks

    keys = [deck.key for deck in open_decks(store, [other])]
    stats = store_stats(store, keys, Settings(), now=reviewing.clock.now, tz=UTC)
    assert (stats.cards.new, stats.cards.total, sum(d.count for d in stats.heatmap)) == (3, 3, 0)
    store.close()


def test_stats_command_prints_charts_json_and_a_self_contained_page(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 4)
    db = tmp_path / "fc.db"
    run_cli("review", str(deck), "--db", str(db), stdin="3\n1\n4\n")
    page = tmp_path / "stats.html"
    result = run_cli("stats", "--db", str(db), "--html", str(page))
    assert result.code == 0, result.stderr
    for heading in ("Cards", "Due forecast", "Reviews, last 365 days", "True retention", "Answers per day"):
        assert heading in result.stdout
    assert "parameters FSRS defaults" in result.stdout
    numbers = json.loads(run_cli("stats", "--db", str(db), "--json").stdout)
    assert numbers["cards"]["new"] == 1 and numbers["cards"]["learning"] == 2 and numbers["cards"]["young"] == 1
    assert numbers["settings"]["desired retention"] == "90%"

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.svgs, self.external = 0, []

        def handle_starttag(self, tag, attrs):
            self.svgs += tag == "svg"
            self.external += [v for k, v in attrs if k in ("src", "href") and v and "://" in v]

    parser = Collect()
    parser.feed(page.read_text(encoding="utf-8"))
    assert parser.svgs >= 4 and parser.external == []


def test_stats_on_a_store_that_does_not_exist_shows_empty_charts_and_creates_nothing(tmp_path):
    result = run_cli("stats", "--db", str(tmp_path / "none.db"), "--json")
    assert result.code == 0
    assert json.loads(result.stdout)["cards"]["total"] == 0
    assert run_cli("stats", "--db", str(tmp_path / "none.db")).code == 0
    assert not (tmp_path / "none.db").exists()


def test_optimize_with_too_little_history_says_how_much_more_and_changes_nothing(tmp_path):
    store, _, _ = build_history(tmp_path)
    store.close()
    path = settings_path(tmp_path / "fc.db")
    result = run_cli("optimize", "--db", str(tmp_path / "fc.db"))
    assert result.code == 0
    assert "Not enough history" in result.stdout and "2 reviews on a later day" in result.stdout and "398 more needed" in result.stdout
    assert not path.exists()


def write_learner_history(store: Store, answers) -> None:
    """A simulated learner's answers straight into the log (the optimizer reads only the log)."""
    with store.transaction() as db:
        for answer in answers:
            db.execute(
                "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) VALUES (?, ?, ?, ?, ?, ?)",
                (answer.card_id, int(answer.reviewed_at.timestamp() * 1000), answer.rating, 5000, int(State.REVIEW), int(State.REVIEW)),
            )


def test_optimize_fits_a_learner_unlike_the_defaults_and_saves_because_it_predicts_better(tmp_path):
    db = tmp_path / "fc.db"
    with Store(db) as store:
        write_learner_history(store, simulate_history(cards=300, reviews_per_card=8, seed=3))
        settings = Settings()
        saved = []
        result = optimize(store, None, settings, saved.append, now=START + timedelta(days=400), tz=UTC)
    assert result.comparison.fitted.log_loss < result.comparison.defaults.log_loss
    assert result.saved and saved == [settings]
    assert len(settings.parameters) == 21 and settings.fitted["reviews"] == result.reviews >= 400


def test_saved_parameters_schedule_the_next_session(tmp_path):
    from fsrs import Scheduler

    deck = tmp_path / "deck.yaml"
    write_deck(deck, 1)
    with Store(tmp_path / "fc.db") as store:
        default = Reviewing(store, [deck], FrozenClock(), Settings(fuzz=False)).session().next_card()
        custom = list(Scheduler().parameters)
        custom[3] = 40.0  # a learner who keeps Easy cards far longer
        save_settings(Settings(parameters=custom), settings_path(store.path))
        saved = load_settings(settings_path(store.path))
        fitted = Reviewing(store, [deck], FrozenClock(), saved).session().next_card()
    assert fitted.previews[Rating.EASY].due > default.previews[Rating.EASY].due
    assert fitted.previews[Rating.AGAIN].due == default.previews[Rating.AGAIN].due  # learning steps unchanged


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


def test_config_shows_sets_refuses_and_restores_defaults(tmp_path):
    db = str(tmp_path / "fc.db")
    assert "desired_retention = 0.9" in run_cli("config", "--db", db).stdout
    assert run_cli("config", "desired_retention", "0.85", "--db", db).stdout.strip() == "desired_retention = 0.85"
    assert json.loads(run_cli("config", "--db", db, "--json").stdout)["desired_retention"] == 0.85
    bad = run_cli("config", "desired_retention", "1.5", "--db", db)
    assert bad.code == 1 and bad.stderr.strip() == "error: desired_retention must be between 0.7 and 0.99, not 1.5"
    unknown = run_cli("config", "colour", "--db", db)
    assert unknown.code == 1 and "unknown setting 'colour'" in unknown.stderr
    run_cli("config", "desired_retention", "default", "--db", db)
    assert load_settings(settings_path(tmp_path / "fc.db")).desired_retention == 0.9
