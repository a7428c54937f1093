"""`flashcards unsuspend`: suspended cards and leeches back into review."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError
from ..model import CardFilter
from .context import deck_paths, open_store


def run(decks: list[Path] | None, wanted: CardFilter, db: Path | None) -> None:
    """Unsuspend the decks' suspended cards that pass the filter and say how many."""
    from ..decks.card_finder import unsuspend_matching
    from ..decks.open_decks import open_decks
    from ..ui.reports import print_unsuspended

    with open_store(db) as store:
        if store.readonly:
            raise FlashcardsError(f"{store.path}: the store is read-only (file or filesystem); nothing changed")
        count = unsuspend_matching(store, open_decks(store, deck_paths(decks)), wanted)
    print_unsuspended(count)
