"""`flashcards unsuspend`: suspended cards and leeches back into review."""

from __future__ import annotations

from pathlib import Path

from .context import deck_paths, open_store


def run(decks: list[Path] | None, cards: list[str], db: Path | None) -> None:
    """Unsuspend the decks' suspended cards (only `cards` when given) and say how many."""
    from ..decks import open_decks
    from ..ui.reports import print_unsuspended

    with open_store(db) as store:
        keys = [deck.key for deck in open_decks(store, deck_paths(decks))]
        count = store.unsuspend(keys, cards)
    print_unsuspended(count)
