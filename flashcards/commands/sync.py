"""`flashcards sync`: the decks' cards, answers and schedules, the same in the store and in Anki's collection.

The collection is opened first: while Anki has it open the sync stops there, before the store is touched.
"""

from __future__ import annotations

from pathlib import Path

from .context import deck_paths, open_store, store_settings


def run(decks: list[Path] | None, anki: Path | None, parent: str | None, dry_run: bool, db: Path | None,
        as_json: bool) -> None:
    """Open Anki's collection, then the store and the decks; sync; print the report."""
    from ..anki.live import locate_collection, open_collection
    from ..decks.open_decks import load_through_store
    from ..sync import sync_with_anki
    from ..ui.console import err_console, parse_progress
    from ..ui.reports import print_sync

    path = locate_collection(anki)
    with open_collection(path) as col, open_store(db) as store:
        settings = store_settings(store)
        with parse_progress() as on_parse:
            loaded = load_through_store(store, deck_paths(decks), on_parse)
        with err_console().status("Syncing with Anki…"):
            report = sync_with_anki(store, col, loaded, settings, parent=parent, dry_run=dry_run)
    print_sync(report, as_json)
