"""`flashcards config`: see or change settings; changed parameters recompute every card's memory state."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError
from ..store import resolve_db_path
from .context import open_store, settings_file


def run(key: str | None, value: str | None, db: Path | None, as_json: bool, *, reschedule: bool = False,
        deck: str | None = None) -> None:
    """Show every setting, one, or set one (validated) and show it; with `deck`, that deck's (deck_settings.py)."""
    from ..settings import load_settings, names, save_settings, set_from_text
    from ..ui.reports import print_config

    for given in (key, value):  # `-1` reaches here as a value (the command ignores unknown options for it)
        if given is not None and given.startswith("-") and not _number(given):
            error = FlashcardsError(f"no such option: {given} (see 'flashcards config --help')")
            error.exit_code = 2  # a usage error, as the parser's own
            raise error
    if deck is not None:
        from . import deck_settings

        deck_settings.run(deck, key, value, db, as_json, reschedule=reschedule)
        return
    path = settings_file(db)
    settings = load_settings(path)
    if key is not None and key not in names():
        raise FlashcardsError(f"unknown setting {key!r} (known: {', '.join(names())})")
    if key is not None and value is not None:
        set_from_text(settings, key, value)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_settings(settings, path)
        if (key == "parameters" or reschedule) and resolve_db_path(db).exists():
            recompute(db, settings, reschedule, quiet=as_json)
    print_config(settings, path, key, as_json)


def recompute(db: Path | None, settings, reschedule: bool, quiet: bool) -> None:
    """Memory states (and with `reschedule` due dates) follow changed settings."""
    from ..scheduling.memory_states import recompute_memory_states
    from ..ui.reports import print_recomputed

    with open_store(db) as store:
        report = recompute_memory_states(store, settings, reschedule=reschedule)
    if not quiet:
        print_recomputed(report, reschedule)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
