"""The SQLite store: WAL, schema versions, where it lives, the deck cache, history kept across decks."""

from __future__ import annotations

import sqlite3
from datetime import UTC
from pathlib import Path

import pytest
from reviewing import FrozenClock, Reviewing, write_deck

from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.deckfile.writer import save_deck
from flashcards.decks.open_decks import open_decks
from flashcards.errors import FlashcardsError
from flashcards.model import Rating, State
from flashcards.store import SCHEMA_VERSION, Store, default_db_path, resolve_db_path


def test_a_new_store_uses_wal_a_busy_timeout_and_the_current_schema(tmp_path):
    with Store(tmp_path / "sub" / "fc.db") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert store.schema_version == SCHEMA_VERSION
    with Store(tmp_path / "sub" / "fc.db") as again:  # reopening migrates nothing and keeps the version
        assert again.schema_version == SCHEMA_VERSION


def test_a_store_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "fc.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(FlashcardsError, match="newer flashcards"):
        Store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_store_is_never_replaced(tmp_path):
    path = tmp_path / "fc.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(FlashcardsError, match=r"damaged.*left untouched.*backups"):
        Store(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


def test_the_store_lives_in_the_data_directory_unless_a_flag_or_the_environment_says_otherwise(monkeypatch, tmp_path):
    from platformdirs import user_data_path

    monkeypatch.delenv("FLASHCARDS_DB", raising=False)
    assert default_db_path() == user_data_path("flashcards", appauthor=False) / "flashcards.db"
    assert resolve_db_path() == default_db_path()
    monkeypatch.setenv("FLASHCARDS_DB", str(tmp_path / "env.db"))
    assert resolve_db_path() == tmp_path / "env.db"
    assert resolve_db_path(tmp_path / "flag.db") == tmp_path / "flag.db"


def test_without_create_a_missing_store_is_a_clear_error_and_no_file(tmp_path):
    with pytest.raises(FlashcardsError, match="no review store"):
        Store(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


def test_an_unchanged_deck_is_not_parsed_again(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 5)
    parsed = []
    with Store(tmp_path / "fc.db") as store:
        first = open_decks(store, [deck], parsed.append)
        open_decks(store, [deck], parsed.append)
        assert parsed == [deck]
        assert [c.front for c in store.deck_cards(first[0].key)] == [c.front for c in load_deck(deck).cards]
        edited = load_deck(deck)
        edited.cards[0].back = "edited by hand, 中文"
        save_deck(edited, deck)
        open_decks(store, [deck], parsed.append)
        assert parsed == [deck]  # a one-card edit: only that card's chunk is parsed, not the whole file
        assert store.deck_cards(first[0].key)[0].back == "edited by hand, 中文"


def test_an_answer_is_committed_when_answer_returns(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 3)
    with Store(tmp_path / "fc.db") as store:
        session = Reviewing(store, [deck]).session()
        shown = session.next_card()
        session.answer(shown, Rating.GOOD)
        with sqlite3.connect(tmp_path / "fc.db") as other:  # another process's view
            rows = other.execute("SELECT card_id, rating, state_before, state_after FROM review_log").fetchall()
            state = other.execute("SELECT state, reps FROM schedule WHERE card_id = ?", (shown.card.id,)).fetchone()
    assert rows == [(shown.card.id, 3, State.NEW, State.LEARNING)]
    assert state == (State.LEARNING, 1)


def test_a_card_that_leaves_a_deck_keeps_its_history_and_gets_it_back_on_return(tmp_path):
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, 3)
    clock = FrozenClock()
    with Store(tmp_path / "fc.db") as store:
        reviewing = Reviewing(store, [deck], clock)
        session = reviewing.session()
        shown = session.next_card()
        assert shown.card.id == ids[0]
        session.answer(shown, Rating.EASY)
        schedule = store.card(ids[0]).schedule

        full = load_deck(deck)
        removed = full.cards.pop(0)
        save_deck(full, deck)
        session = reviewing.session()
        assert session.counts().new == 2 and session.counts().next_due is None
        assert store.card(ids[0]).schedule == schedule and len(list(store.answers())) == 1

        full.cards.append(removed)
        save_deck(full, deck)
        session = reviewing.session()
        assert session.counts().next_due == schedule.due
        assert store.card(ids[0]).schedule.state == State.REVIEW


def test_history_survives_closing_and_reopening(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 4)
    clock = FrozenClock()
    with Store(tmp_path / "fc.db") as store:
        session = Reviewing(store, [deck], clock).session()
        for rating in (Rating.GOOD, Rating.AGAIN, Rating.EASY):
            session.answer(session.next_card(), rating)
        counts = session.counts()
    with Store(tmp_path / "fc.db") as store:
        reopened = Reviewing(store, [deck], clock).session()
        assert reopened.counts() == counts
        assert [a.rating for a in store.answers()] == [3, 1, 4]
        assert all(a.reviewed_at.tzinfo == UTC for a in store.answers())


def test_decks_are_keyed_by_absolute_path(tmp_path, monkeypatch):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 2)
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "fc.db") as store:
        relative = open_decks(store, [Path("deck.yaml")])
        absolute = open_decks(store, [deck])
    assert relative[0].key == absolute[0].key == str(deck.resolve())
