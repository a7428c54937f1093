"""`flashcards export`: decks into an Anki package, one way: decks -> notes (and their scheduling) -> package
written -> note times recorded. The notes are read from the store's cache of the decks as the package is written:
no deck is held whole."""

from __future__ import annotations

from pathlib import Path

from .context import open_store, store_settings


def run(decks: list[Path], output: Path, parent: str | None, db: Path | None, *, scheduling: bool = True,
        package_format: str = "legacy") -> None:
    """Write the package, then remember each note's time so a re-import updates exactly the edited notes."""
    from ..anki.package_out import export_decks
    from ..clock import utc_now
    from ..decks.open_decks import open_decks
    from ..export.note_times import note_times, record_note_times
    from ..export.notes import stored_notes
    from ..files.atomic import refuse_to_replace_a_deck
    from ..ui.console import parse_progress, progress_bar
    from ..ui.reports import print_export

    refuse_to_replace_a_deck(output, "an Anki package")
    with open_store(db) as store:
        with parse_progress() as on_parse:
            opened = open_decks(store, decks, on_parse)
        times = note_times(store, opened, parent)
        history = None
        if scheduling:
            from ..export.history import export_history

            history = export_history(store, store_settings(store), utc_now())
        notes = stored_notes(store, opened, times)
        with progress_bar("Exporting", sum(len(deck) for deck in notes)) as advance:
            count = export_decks(opened, output, parent, progress=advance, history=history,
                                 package_format=package_format, notes=notes)
        record_note_times(store, times)
    print_export(count, len(opened), output)
