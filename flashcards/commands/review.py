"""`flashcards review`: the due cards, in the terminal (or one command a line from a script)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import FlashcardsError
from ..model import CardFilter
from .context import open_session


def run(decks: list[Path] | None, db: Path | None, ahead: bool, *, only: CardFilter | None = None,
        limit_cards: int | None = None, limit_minutes: float | None = None) -> None:
    """Review on a terminal, or read commands line by line when standard input is not one."""
    from ..ui.reviewer import run_lines, run_terminal

    session = open_session(db, decks, ahead=ahead, only=only, limit_cards=limit_cards, limit_minutes=limit_minutes)
    if session.store.readonly:
        session.store.close()
        raise FlashcardsError(f"{session.store.path}: the store is read-only (file or filesystem); answers could "
                              "not be saved. `due`, `stats` and `check` work on it")
    backup = session.store.start_daily_backup()  # in the background: the first card is not kept waiting
    try:
        with session.store:
            if sys.stdin.isatty() and sys.stdout.isatty():
                run_terminal(session)
            else:
                run_lines(session, sys.stdin, sys.stdout)
    finally:
        failed = backup.wait() if backup is not None else None
        if failed:
            from ..ui.console import warning_line

            warning_line(failed)
