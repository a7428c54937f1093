"""optimize over a real store: too little history changes nothing; a learner unlike the defaults gets a fit
that is saved because it predicts better, and the saved parameters schedule the next session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learner import simulate_history, write_to_store
from reviewing import START, FrozenClock, Reviewing, write_deck
from small_history import build_history

from conftest import run_cli
from flashcards.model import Rating
from flashcards.scheduling.optimize import optimize
from flashcards.settings import Settings, load_settings, save_settings, settings_path
from flashcards.store import Store


def test_optimize_with_too_little_history_says_how_much_more_and_changes_nothing(tmp_path):
    store, _, _ = build_history(tmp_path)
    store.close()
    path = settings_path(tmp_path / "fc.db")
    result = run_cli("optimize", "--db", str(tmp_path / "fc.db"))
    assert result.code == 0
    assert "Not enough history" in result.stdout and "2 reviews on a later day" in result.stdout and "398 more needed" in result.stdout
    assert not path.exists()


def test_optimize_fits_a_learner_unlike_the_defaults_and_saves_because_it_predicts_better(tmp_path):
    db = tmp_path / "fc.db"
    with Store(db) as store:
        write_to_store(store, simulate_history(cards=300, reviews_per_card=8, seed=3))
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
        # previews are worked out when asked for, with the store open (the load balancer reads its due counts)
        assert fitted.previews[Rating.EASY].due > default.previews[Rating.EASY].due
        assert fitted.previews[Rating.AGAIN].due == default.previews[Rating.AGAIN].due  # learning steps unchanged


def test_optimize_leaves_out_cards_whose_history_began_before_since(tmp_path):
    with Store(tmp_path / "fc.db") as store:
        write_to_store(store, simulate_history(cards=40, reviews_per_card=4, seed=2))
        everything = optimize(store, None, Settings(), [].append, tz=UTC)
        later = optimize(store, None, Settings(), [].append, tz=UTC, since=datetime(2025, 1, 7, tzinfo=UTC))
    assert (everything.cards, everything.reviews, everything.needed) == (40, 40 * 3, 400 - 40 * 3)
    # the first 20 cards began on 6 January: left out whole; the other 20 began on the 7th
    assert (later.cards, later.reviews, later.since) == (20, 20 * 3, "2025-01-07")
