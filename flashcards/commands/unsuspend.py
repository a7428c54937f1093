"""`flashcards unsuspend`: suspended cards and leeches back into review."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError
from ..model import CardFilter
from .context import deck_paths, open_store


def run(decks: list[Path] | None, wanted: CardFilter, db: Path | None) -> None:
    """Unsuspend the decks' suspended cards that pass the filter and say how many."""
    from dataclasses import replace

    from ..decks.card_finder import resolve_card_ids, unsuspend_matching
    from ..decks.open_decks import open_decks
    from ..ui.reports import print_unsuspended

    paths = deck_paths(decks)
    with open_store(db) as store:
        if store.readonly:
            raise FlashcardsError(f"{store.path}: the store is read-only (file or filesystem); nothing changed")
        opened = open_decks(store, paths)
        if wanted.ids:  # whole ids or unique prefixes, as git takes commits; an unknown one is an error
            wanted = replace(wanted, ids=resolve_card_ids(store, opened, wanted.ids, ", ".join(map(str, paths))))
        count = unsuspend_matching(store, opened, wanted)
    print_unsuspended(count)
