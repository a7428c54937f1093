"""A small known review history in a real store, for the tests of stats and optimize."""

from __future__ import annotations

from reviewing import FrozenClock, Reviewing, write_deck

from flashcards.model import Rating
from flashcards.settings import Settings
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
