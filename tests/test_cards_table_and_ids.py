"""`flashcards cards` as a table that keeps whole ids at any width, and `--card` taking an id or a unique prefix."""

from __future__ import annotations

import pytest

from conftest import run_cli
from flashcards.decks.deckfile.writer import save_deck
from flashcards.model import Card, Deck

LONG = ("From the time I began work on AI in 2010 to now, the amount of training data that goes into frontier "
        "AI models has grown by a staggering 1 trillion times, from roughly 10^14 flops to over 10^26 flops.")
IDS = ("aaaa000000000001", "bbbb000000000002", "aaaa000000000003")


@pytest.fixture
def deck_and_db(tmp_path):
    """Three cards (the first and last ids begin alike): the first answered Easy, the second suspended."""
    deck = tmp_path / "reading.yaml"
    fronts = (LONG, "Que sais-je ?", "Know thyself")
    save_deck(Deck("reading", [Card(ident, front, "back", "book") for ident, front in zip(IDS, fronts, strict=True)]),
              deck)
    db = tmp_path / "fc.db"
    assert run_cli("review", str(deck), "--db", str(db), stdin="easy\ns\nq\n").code == 0
    return deck, db


def table(deck, db, columns: int) -> list[str]:
    result = run_cli("cards", str(deck), "--db", str(db), env={"COLUMNS": str(columns)})
    assert result.code == 0, result.stderr
    return [line.rstrip() for line in result.stdout.splitlines()]


def test_at_80_columns_whole_ids_state_and_due_stay_and_the_passage_is_shortened(deck_and_db):
    lines = table(*deck_and_db, 80)
    assert lines[0].split() == ["id", "state", "due", "passage"]
    assert all(len(line) <= 80 for line in lines)
    first, second, third = lines[1:4]
    assert first.startswith(f"{IDS[0]}  review     in ") and first.endswith("…")
    assert "From the time I began work" in first
    assert second.startswith(f"{IDS[1]}  suspended") and second.endswith("Que sais-je ?")
    assert third.startswith(f"{IDS[2]}  new") and third.endswith("Know thyself")
    assert lines[4] == "3 cards"


def test_a_wide_terminal_shows_every_column(deck_and_db):
    lines = table(*deck_and_db, 300)
    assert lines[0].split() == ["id", "deck", "state", "due", "interval", "stability", "passage"]
    assert all(len(line) <= 300 for line in lines)
    first = lines[1].split()
    assert first[:4] == [IDS[0], "reading", "review", "in"]
    assert lines[1].rstrip().endswith("from roughly 10^14 flops to over 10^26 flops.")  # the whole passage fits
    assert lines[1].count("d ") >= 2  # the interval and the stability, in days


def test_unsuspend_takes_a_unique_prefix_of_an_id(deck_and_db):
    deck, db = deck_and_db
    result = run_cli("unsuspend", str(deck), "--card", "bbbb", "--db", str(db))
    assert (result.code, result.stdout, result.stderr) == (0, "Unsuspended 1 card.\n", "")
    assert "suspended" not in table(deck, db, 200)[2]


def test_unsuspend_of_an_unknown_id_is_an_error(deck_and_db):
    deck, db = deck_and_db
    result = run_cli("unsuspend", str(deck), "--card", "cccc", "--db", str(db))
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == f"error: --card cccc: no card of {deck} has this id\n"


def test_unsuspend_of_an_ambiguous_prefix_is_an_error_naming_how_many_match(deck_and_db):
    deck, db = deck_and_db
    result = run_cli("unsuspend", str(deck), "--card", "aaaa", "--db", str(db))
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == ("error: --card aaaa: 2 cards' ids begin with it (aaaa000000000001, aaaa000000000003); "
                             "give more of the id\n")
    assert "suspended" in table(deck, db, 200)[2]  # nothing changed
