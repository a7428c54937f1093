"""Finding cards by text, tag and state (`flashcards cards`), and unsuspending by the same filters."""

from __future__ import annotations

import json

import pytest
from reviewing import FrozenClock, Reviewing

from flashcards.decks.card_finder import find_cards, unsuspend_matching
from flashcards.decks.deckfile.writer import save_deck
from flashcards.decks.open_decks import open_decks
from flashcards.model import Card, CardFilter, CardStatus, Deck, Rating, card_id
from flashcards.settings import Settings
from flashcards.store import Store

PASSAGES = [
    ("Que sais-je ?", "Montaigne's motto", ["essays"]),
    ("学而时习之，不亦说乎", "Confucius: learning and practice", ["classics"]),
    ("The unexamined life is not worth living", "Socrates, in the Apology", ["classics", "greek"]),
]


@pytest.fixture
def reviewing(tmp_path):
    deck = tmp_path / "reading.yaml"
    cards = [Card(card_id(front), front, back, "book", tags) for front, back, tags in PASSAGES]
    save_deck(Deck("reading", cards), deck)
    with Store(tmp_path / "fc.db") as store:
        yield Reviewing(store, [deck], FrozenClock(), Settings(fuzz=False))


def found(reviewing, **filters) -> list[str]:
    decks = open_decks(reviewing.store, reviewing.deck_paths)
    return [item.card.front for item in find_cards(reviewing.store, decks, CardFilter(**filters))]


def test_search_matches_passage_commentary_and_source_ignoring_case(reviewing):
    assert found(reviewing, search="montaigne") == ["Que sais-je ?"]
    assert found(reviewing, search="习") == ["学而时习之，不亦说乎"]
    assert len(found(reviewing, search="BOOK")) == 3


def test_tag_and_state_filters(reviewing):
    assert found(reviewing, tags=("greek",)) == ["The unexamined life is not worth living"]
    session = reviewing.session()
    shown = session.next_card()
    session.answer(shown, Rating.EASY)  # the first card becomes a review card
    assert found(reviewing, status=CardStatus.REVIEW) == ["Que sais-je ?"]
    assert len(found(reviewing, status=CardStatus.NEW)) == 2


def test_unsuspend_brings_back_only_the_matching_suspended_cards(reviewing):
    session = reviewing.session()
    for _ in range(2):
        session.suspend(session.next_card())
    decks = open_decks(reviewing.store, reviewing.deck_paths)
    assert found(reviewing, status=CardStatus.SUSPENDED) == ["Que sais-je ?", "学而时习之，不亦说乎"]
    assert unsuspend_matching(reviewing.store, decks, CardFilter(search="nothing like this")) == 0
    assert unsuspend_matching(reviewing.store, decks, CardFilter(tags=("classics",))) == 1
    assert found(reviewing, status=CardStatus.SUSPENDED) == ["Que sais-je ?"]


def test_the_cards_command_lists_json_with_schedules(cli, tmp_path):
    deck = tmp_path / "reading.yaml"
    save_deck(Deck("reading", [Card(card_id(f), f, b, "book", t) for f, b, t in PASSAGES]), deck)
    db = tmp_path / "fc.db"
    result = cli("cards", str(deck), "--tag", "classics", "--json", "--db", str(db))
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["state"] for row in rows] == ["new", "new"]
    assert set(rows[0]) >= {"id", "deck", "state", "due", "interval_days", "stability_days"}
    table = cli("cards", str(deck), "--search", "Socrates", "--db", str(db))
    assert "1 card" in table.stdout and card_id(PASSAGES[2][0]) in table.stdout
    bad = cli("cards", str(deck), "--state", "sleeping", "--db", str(db))
    assert bad.code == 2 and "Traceback" not in bad.stderr
