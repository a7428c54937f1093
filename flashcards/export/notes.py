"""The notes an export writes, read from the store's cache of the decks as the package is written: each card
with its note's time (note_times.py) and the GUID of the note made in Anki it came from, if it did (import_anki),
so that no deck is ever held whole, as cards or as notes."""

from __future__ import annotations

from collections.abc import Iterator

from ..anki.package_out import ExportNote
from ..decks.open_decks import OpenDeck
from ..store import Store
from .note_times import NoteTimes


class StoredNotes:
    """One deck's notes (package_out.NoteSource), read from the store as they are asked for."""

    def __init__(self, store: Store, deck: OpenDeck, deck_time: int) -> None:
        self._store = store
        self._deck = deck
        self._deck_time = deck_time

    def __iter__(self) -> Iterator[ExportNote]:
        deck_time = self._deck_time
        for card, changed_at, guid in self._store.deck_cards_to_export(self._deck.key):
            yield ExportNote(card, deck_time if changed_at is None else max(changed_at, deck_time), guid)

    def __len__(self) -> int:
        return self._deck.card_count


def stored_notes(store: Store, decks: list[OpenDeck], times: NoteTimes) -> list[StoredNotes]:
    """Each deck's notes, for package_out.export_decks(notes=...)."""
    return [StoredNotes(store, deck, times.deck_time(deck.key)) for deck in decks]
