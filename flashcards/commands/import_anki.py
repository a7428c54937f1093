"""`flashcards import-anki`: Anki's answers come home once; notes made in Anki join a deck with --deck."""

from __future__ import annotations

from pathlib import Path

from .context import open_store, store_settings


def run(package: Path, deck: Path | None, db: Path | None, as_json: bool) -> None:
    """Merge the package's history into the store (after today's backup) and print the report."""
    from ..clock import utc_now
    from ..import_anki.history import import_anki
    from ..ui.anki_import import print_anki_import

    with open_store(db, backup=True) as store:
        report = import_anki(store, store_settings(store), package, deck, utc_now())
    print_anki_import(report, as_json)
