"""`flashcards sync`: the decks' cards, answers and schedules, the same in the store and in Anki's collection.

The collection is opened first: while Anki has it open the sync stops there, before the store is touched.
"""

from __future__ import annotations

import json
from pathlib import Path

from .context import deck_paths, open_store, store_settings


def run(decks: list[Path] | None, anki: Path | None, parent: str | None, dry_run: bool, db: Path | None,
        as_json: bool) -> None:
    """Open Anki's collection, then the store and the decks; sync; print the report."""
    from ..anki.live import locate_collection, open_collection
    from ..decks.open_decks import load_through_store
    from ..sync import sync_with_anki
    from ..ui.console import err_console, parse_progress

    path = locate_collection(anki)
    with open_collection(path) as col, open_store(db) as store:
        settings = store_settings(store)
        with parse_progress() as on_parse:
            loaded = load_through_store(store, deck_paths(decks), on_parse)
        with err_console().status("Syncing with Anki…"):
            report = sync_with_anki(store, col, loaded, settings, parent=parent, dry_run=dry_run)
    print_sync(report, as_json)


def print_sync(report, as_json: bool) -> None:
    """The report: on the terminal, or as JSON."""
    from ..ui.console import out_console
    from ..ui.formats import plural

    console = out_console()
    if as_json:
        console.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    verb = "Would sync" if report.dry_run else "Synced"
    lines = [
        f"{verb} with {report.collection}:",
        f"  notes: {report.notes_added} added, {report.notes_updated} updated in Anki",
        f"  answers: {report.answers_to_anki} to Anki, {report.answers_to_store} from Anki",
        f"  schedules moved: {plural(len(report.schedules_moved), 'card')}",
    ]
    if report.left_in_anki:
        lines.append(f"  left in Anki: {plural(len(report.left_in_anki), 'note')} no longer in these decks "
                     "(delete them in Anki if you want them gone)")
    if report.dry_run:
        lines.append("Nothing was written (--dry-run).")
    elif not report.changed:
        lines.append("Nothing to do: both sides already agree.")
    else:
        backups = ", ".join(b for b in (report.anki_backup, report.store_backup) if b)
        if backups:
            lines.append(f"Backups taken first: {backups}")
        lines.append("Sync Anki with AnkiWeb as usual to take this to your other devices.")
    console.print("\n".join(lines), markup=False)
