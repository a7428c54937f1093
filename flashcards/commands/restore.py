"""`flashcards restore`: a backup in the store's place; the current store moved aside, never overwritten."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import FlashcardsError


def run(backup: Path | None, db: Path | None, yes: bool) -> None:
    """Say what will happen, ask (unless --yes), restore, and say what was done."""
    from ..clock import utc_now
    from ..settings import settings_path
    from ..store import resolve_db_path
    from ..store.restore import plan_restore, restore
    from ..ui.console import out_console
    from ..ui.reports import print_restored, restore_plan_line

    path = resolve_db_path(db)
    plan = plan_restore(path, settings_path(path), backup, utc_now().astimezone())
    console = out_console()
    console.print(restore_plan_line(plan), markup=False)
    if not yes:
        if not sys.stdin.isatty():
            raise FlashcardsError("restore: pass --yes to confirm (standard input is not a terminal)")
        if console.input("Go ahead? [y/N] ").strip().lower() not in ("y", "yes"):
            raise FlashcardsError("restore: nothing changed")
    print_restored(restore(plan))
