"""`flashcards cards`: find cards by text, tag and state, with their schedules."""

from __future__ import annotations

from pathlib import Path

from ..model import CardFilter
from .context import deck_paths, open_store


def run(decks: list[Path] | None, wanted: CardFilter, db: Path | None, as_json: bool) -> None:
    """List the cards that pass the filter: id, deck, state, due, interval, stability."""
    from ..decks.card_finder import find_cards
    from ..decks.open_decks import open_decks
    from ..ui.console import parse_progress
    from ..ui.reports import print_cards

    with open_store(db) as store:
        with parse_progress() as on_parse:
            opened = open_decks(store, deck_paths(decks), on_parse)
        print_cards(find_cards(store, opened, wanted), as_json)
