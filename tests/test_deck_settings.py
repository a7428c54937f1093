"""Settings per deck (Anki's presets): a deck's own desired retention, parameters, steps, limits and easy days over
the store's; intervals as fsrs-rs gives them for each deck; memory states follow a deck's own parameters; optimize
can fit one deck's; simulate says which settings it used."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, MemoryState
from learner import simulate_history
from reviewing import START, FrozenClock, Reviewing, write_deck

from conftest import run_cli
from flashcards.decks.open_decks import open_decks
from flashcards.errors import FlashcardsError
from flashcards.model import CardRow, Rating, Schedule, State
from flashcards.settings import DECK_KEYS, Settings, load_settings, save_settings, set_for_deck, settings_path
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end (real Anki imports and the CLI): run by CI, left out of the quick loop

UTC_ENV = {"TZ": "UTC"}
OTHER = [0.5, 1.0, 4.0, 12.0, *DEFAULT_PARAMETERS[4:]]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "fc.db") as opened:
        yield opened


def two_decks(tmp_path, count: int = 3) -> tuple[list, list[str], list[str]]:
    first, second = tmp_path / "strict.yaml", tmp_path / "lax.yaml"
    return [first, second], write_deck(first, count, name="strict"), write_deck(second, count, name="lax")


def days_of(schedule: Schedule) -> int:
    return round((schedule.due - schedule.last_review).total_seconds() / 86400)


def test_two_decks_with_different_retention_get_the_intervals_fsrs_rs_gives_for_each(store, tmp_path):
    decks, strict, lax = two_decks(tmp_path)
    settings = Settings(fuzz=False)
    set_for_deck(settings, "strict", "desired_retention", "0.97")
    set_for_deck(settings, "lax", "desired_retention", "0.75")
    reviewing = Reviewing(store, decks, FrozenClock(), settings)
    session = reviewing.session()
    for _ in strict + lax:  # graduate every card with Easy
        shown = session.next_card()
        session.answer(shown, Rating.EASY)
    fsrs = FSRS(DEFAULT_PARAMETERS)
    for cards, retention in ((strict, 0.97), (lax, 0.75)):
        expected = max(round(fsrs.next_states(None, retention, 0).easy.interval), 1)
        assert {days_of(store.card(card).schedule) for card in cards} == {expected}
    # and a review answered on time, Good, on each deck
    reviewing.clock.now = START + timedelta(days=60)
    session = reviewing.session()
    while (shown := session.next_card()) is not None:
        before = shown.row.schedule
        after = session.answer(shown, Rating.GOOD).schedule
        retention = 0.97 if shown.card.id in strict else 0.75
        elapsed = (reviewing.clock.now - before.last_review).days
        state = fsrs.next_states(MemoryState(before.stability, before.difficulty), retention, elapsed)
        assert (after.stability, after.difficulty) == pytest.approx((state.good.memory.stability,
                                                                      state.good.memory.difficulty), rel=1e-6)
        assert days_of(after) == max(round(state.good.interval), days_of(before) + 1)  # Anki's floor, no fuzz
    assert days_of(store.card(strict[0]).schedule) < days_of(store.card(lax[0]).schedule)


def test_a_decks_own_parameters_steps_and_maximum_interval_schedule_only_its_cards(store, tmp_path):
    decks, strict, lax = two_decks(tmp_path, count=1)
    settings = Settings(fuzz=False)
    set_for_deck(settings, "strict", "parameters", ",".join(map(str, OTHER)))
    set_for_deck(settings, "strict", "learning_steps_minutes", "3")
    set_for_deck(settings, "lax", "maximum_interval_days", "2")
    session = Reviewing(store, decks, FrozenClock(), settings).session()
    shown = session.next_card()
    assert shown.card.id == strict[0]
    assert shown.previews[Rating.AGAIN].due - START == timedelta(minutes=3)
    easy = session.answer(shown, Rating.EASY).schedule
    assert easy.stability == pytest.approx(FSRS(OTHER).next_states(None, 0.9, 0).easy.memory.stability, rel=1e-6)
    shown = session.next_card()
    assert shown.previews[Rating.AGAIN].due - START == timedelta(minutes=1)  # the store's steps
    assert days_of(session.answer(shown, Rating.EASY).schedule) == 2  # its own maximum interval
    assert easy.stability != pytest.approx(store.card(lax[0]).schedule.stability)


def test_a_decks_own_daily_limits_count_its_own_answers_and_the_rest_share_the_stores(store, tmp_path):
    decks, strict, _ = two_decks(tmp_path, count=5)
    other = tmp_path / "other.yaml"
    write_deck(other, 5, name="other")
    settings = Settings(fuzz=False, new_per_day=3)
    set_for_deck(settings, "strict", "new_per_day", "2")
    session = Reviewing(store, [*decks, other], FrozenClock(), settings).session()
    assert session.counts().new == 2 + 3
    seen = []
    while (shown := session.next_card()) is not None:
        seen.append(shown.card.id)
        session.answer(shown, Rating.EASY)
    assert seen[:2] == strict[:2] and len(seen) == 5  # strict's 2, then 3 of lax and other together
    assert not set(seen[2:]) & set(strict)
    assert session.counts().new == 0


def test_memory_states_follow_a_decks_own_parameters_when_they_change(tmp_path):
    from test_parameters_follow import expected_states, write_history

    db = tmp_path / "fc.db"
    decks, strict, lax = two_decks(tmp_path, count=10)
    answers = simulate_history(cards=20, reviews_per_card=4, seed=9)
    ids = {f"c{number}": card for number, card in enumerate(strict + lax)}
    answers = [replace(answer, card_id=ids[answer.card_id]) for answer in answers]
    with Store(db) as store:
        open_decks(store, decks)
        write_history(store, answers)
    result = run_cli("config", "--deck", str(decks[0]), "parameters", ",".join(map(str, OTHER)), "--db", str(db),
                     env=UTC_ENV)
    assert result.code == 0, result.stderr
    assert "Memory states recomputed: 10 of 10 cards changed" in result.stderr
    assert load_settings(settings_path(db)).decks == {"strict": {"parameters": pytest.approx(OTHER)}}
    mine = [answer for answer in answers if answer.card_id in strict]
    theirs = [answer for answer in answers if answer.card_id in lax]
    with Store(db) as store:
        for card, state in expected_states(mine, OTHER).items():
            row = store.card(card).schedule
            assert (row.stability, row.difficulty) == pytest.approx((state.stability, state.difficulty), rel=1e-5)
        for card in {answer.card_id for answer in theirs}:
            assert store.card(card).schedule.stability == 1.0  # untouched by the other deck's change
    # the store's parameters changed: every card follows its own deck's
    assert run_cli("config", "parameters", "default", "--db", str(db), env=UTC_ENV).code == 0
    with Store(db) as store:
        for group, parameters in ((mine, OTHER), (theirs, DEFAULT_PARAMETERS)):
            for card, state in expected_states(group, parameters).items():
                assert store.card(card).schedule.stability == pytest.approx(state.stability, rel=1e-5)


def test_optimize_for_a_deck_saves_its_own_parameters_only(tmp_path):
    db = tmp_path / "fc.db"
    decks, strict, _ = two_decks(tmp_path, count=300)
    from test_parameters_follow import write_history

    answers = simulate_history(cards=300, reviews_per_card=8, seed=3)
    ids = {f"c{number}": card for number, card in enumerate(strict)}
    with Store(db) as store:
        open_decks(store, decks)
        write_history(store, [replace(answer, card_id=ids[answer.card_id]) for answer in answers])
    result = run_cli("optimize", str(decks[0]), "--for-deck", "--json", "--db", str(db), env=UTC_ENV)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["saved"] and data["for_decks"] == ["strict"] and data["recomputed"]["cards"] == 300
    saved = load_settings(settings_path(db))
    assert saved.parameters == [] and len(saved.decks["strict"]["parameters"]) == 21
    assert saved.decks["strict"]["fitted"]["reviews"] == data["reviews"]
    bare = run_cli("optimize", "--for-deck", "--db", str(db))
    assert bare.code == 1 and "--for-deck: name the decks" in bare.stderr


def test_simulate_and_config_say_which_settings_they_use(tmp_path):
    db = tmp_path / "fc.db"
    echoed = run_cli("config", "--deck", "strict", "desired_retention", "0.8", "--db", str(db))
    assert echoed.code == 0 and echoed.stdout.strip() == "[deck strict] desired_retention = 0.8"
    shown = run_cli("config", "--deck", "strict", "--db", str(db)).stdout
    assert "[deck strict] desired_retention = 0.8\n" in shown and "deck strict: desired_retention of its own" in shown
    assert "[deck strict] new_per_day = 20 (the store's)" in shown
    text = run_cli("simulate", "--deck", "strict", "--deck-size", "10", "--days", "5", "--db", str(db)).stdout
    assert "Simulated with the own settings of deck strict (desired_retention), the rest the store's." in text
    data = json.loads(run_cli("simulate", "--deck-size", "10", "--days", "5", "--json", "--db", str(db)).stdout)
    assert data["settings"] == "the store's settings"
    refused = run_cli("config", "--deck", "strict", "rollover_hour", "3", "--db", str(db))
    assert refused.code == 1 and "'rollover_hour' is the same for every deck" in refused.stderr


def test_a_decks_settings_in_the_file_are_checked_as_the_stores(tmp_path):
    path = tmp_path / "fc.settings.json"
    path.write_text(json.dumps({"decks": {"strict": {"desired_retention": 2}}}), encoding="utf-8")
    with pytest.raises(FlashcardsError, match=r"fc\.settings\.json: decks: strict: desired_retention must be between"):
        load_settings(path)
    path.write_text(json.dumps({"decks": {"strict": {"fuzz": False}}}), encoding="utf-8")
    with pytest.raises(FlashcardsError, match="'fuzz' is the same for every deck"):
        load_settings(path)
    settings = Settings()
    for key in DECK_KEYS:
        assert getattr(settings.for_deck("strict"), key) == getattr(settings, key)
    set_for_deck(settings, "strict", "easy_days", "1 1 1 1 1 0.5 0")
    save_settings(settings, path)
    assert load_settings(path).for_deck("strict").easy_days == [1, 1, 1, 1, 1, 0.5, 0]
    set_for_deck(settings, "strict", "easy_days", "default")
    assert settings.decks == {}


def test_a_deck_with_its_own_settings_is_balanced_over_its_own_cards(store, tmp_path):
    from flashcards.clock import day_number

    decks, _, lax = two_decks(tmp_path, count=40)
    open_decks(store, decks)
    settings = Settings()
    set_for_deck(settings, "strict", "desired_retention", "0.9")  # the same numbers, but its own preset
    with store.transaction() as db:  # lax's cards crowd day +10
        for card in lax:
            store.write_card(db, CardRow(card, Schedule(State.REVIEW, None, 20.0, 5.0, START + timedelta(days=10),
                                                        START - timedelta(days=10), 3)))
    session = Reviewing(store, decks, FrozenClock(), settings).session()
    today = day_number(START, 4, UTC)
    own = session.scheduler_for("strict").load
    shared = session.scheduler_for("lax").load
    assert own.due_counts(today + 9, today + 11, "x") == [0, 0, 0]
    assert shared.due_counts(today + 9, today + 11, "x") == [0, 40, 0]


def test_stats_and_the_config_listing_say_which_deck_has_settings_of_its_own(tmp_path):
    db = tmp_path / "fc.db"
    deck = tmp_path / "strict.yaml"
    deck.write_text("cards:\n- front: a passage\n  back: its commentary\n", encoding="utf-8")
    assert run_cli("due", str(deck), "--db", str(db)).code == 0
    assert run_cli("config", "--deck", "strict", "desired_retention", "0.8", "--db", str(db)).code == 0
    listing = run_cli("config", "--db", str(db)).stdout
    assert "[deck strict] desired_retention = 0.8" in listing and "decks = {" not in listing
    own = json.loads(run_cli("stats", str(deck), "--json", "--db", str(db)).stdout)
    assert own["settings"]["settings"].startswith("the own settings of deck strict")
    assert own["settings"]["desired retention"] == "80%"
    other = tmp_path / "loose.yaml"
    other.write_text("cards:\n- front: another passage\n  back: more\n", encoding="utf-8")
    assert run_cli("due", str(other), "--db", str(db)).code == 0
    text = run_cli("stats", "--db", str(db)).stdout  # every card: two decks, one with settings of its own
    assert "Settings: the store's settings (not the own settings of strict: name one deck for those)" in text


def test_an_export_carries_each_decks_own_retention_and_forgetting_curve_into_anki(tmp_path, anki_collection):
    """Imported into real Anki, each card's FSRS data holds its own deck's desired retention and decay."""
    from anki_history import import_with_scheduling

    db = tmp_path / "fc.db"
    decks, _, _ = two_decks(tmp_path)
    settings = Settings(fuzz=False)
    set_for_deck(settings, "strict", "desired_retention", "0.97")
    set_for_deck(settings, "lax", "desired_retention", "0.75")
    set_for_deck(settings, "lax", "parameters", ",".join(map(str, [*DEFAULT_PARAMETERS[:20], 0.3])))
    with Store(db) as store:
        session = Reviewing(store, decks, FrozenClock(), settings).session()
        while (shown := session.next_card()) is not None:
            session.answer(shown, Rating.GOOD)
    save_settings(settings, settings_path(db))
    out = tmp_path / "both.apkg"
    result = run_cli("export", *map(str, decks), "-o", str(out), "--db", str(db), env=UTC_ENV)
    assert result.code == 0, result.stderr
    import_with_scheduling(anki_collection, out)
    got: dict[str, set] = {}
    for cid in anki_collection.find_cards(""):
        card = anki_collection.get_card(cid)
        got.setdefault(anki_collection.decks.name(card.did).split("::")[-1], set()).add(
            (round(card.desired_retention, 2), round(card.decay, 3)))
    assert got == {"strict": {(0.97, round(DEFAULT_PARAMETERS[20], 3))}, "lax": {(0.75, 0.3)}}
