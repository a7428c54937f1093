"""Editing one card where it lives: its lines in the deck file, and the store's copy, its id and history kept."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError
from ..model import Card
from ..store import Store
from .deckfile.edit import card_from_document, replace_card


def edit_card(store: Store, deck_keys: list[str], card: Card, document: str) -> Card:
    """Apply an edited card document (see deckfile.edit.card_document); returns the card as saved.

    Nothing changes when the document does not read as a card, the front is empty, or the deck file changed
    since the store last read it: each is one FlashcardsError line.
    """
    key = store.card_deck(card.id, deck_keys)
    if key is None:
        raise FlashcardsError(f"card {card.id} is no longer in the decks")
    edited = card_from_document(document, card)
    if edited == card:
        return card
    cached = store.cached_deck(key)
    expected = None if cached is None else (cached.mtime_ns, cached.size)
    mtime_ns, size = replace_card(Path(key), edited, expected)
    store.replace_cached_card(key, edited, mtime_ns, size)
    return edited
