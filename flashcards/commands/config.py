"""`flashcards config`: see or change settings; new parameters recompute every card's memory state."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError
from .context import open_store, settings_file


def run(key: str | None, value: str | None, db: Path | None, as_json: bool, reschedule: bool = False) -> None:
    """Show every setting, one, or set one (validated) and show it."""
    from ..settings import load_settings, names, save_settings, set_from_text
    from ..ui.reports import print_config

    path = settings_file(db)
    settings = load_settings(path)
    if key is not None and key not in names():
        raise FlashcardsError(f"unknown setting {key!r} (known: {', '.join(names())})")
    if key is not None and value is not None:
        set_from_text(settings, key, value)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_settings(settings, path)
        if key == "parameters" or reschedule:
            _recompute(db, settings, reschedule, quiet=as_json)
    print_config(settings, path, key, as_json)


def _recompute(db: Path | None, settings, reschedule: bool, quiet: bool) -> None:
    """Memory states (and with `reschedule` due dates) follow changed settings; nothing when no store exists."""
    from ..memory import recompute_memory_states
    from ..store import resolve_db_path
    from ..ui.console import err_console

    if not resolve_db_path(db).exists():
        return
    with open_store(db) as store:
        report = recompute_memory_states(store, settings, reschedule=reschedule)
    if not quiet:
        moved = f", {report.rescheduled} due dates moved" if reschedule else ""
        err_console().print(f"Memory states recomputed: {report.changed} of {report.cards} cards changed{moved}.",
                            markup=False)
