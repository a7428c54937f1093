"""`flashcards review`: the due cards, in the terminal (or one command a line from a script)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..model import CardFilter
from .context import open_session


def run(decks: list[Path] | None, db: Path | None, ahead: bool, *, only: CardFilter | None = None,
        limit_cards: int | None = None, limit_minutes: float | None = None) -> None:
    """Review on a terminal, or read commands line by line when standard input is not one."""
    from ..ui.reviewer import run_lines, run_terminal

    session = open_session(db, decks, ahead=ahead, backup=True, only=only, limit_cards=limit_cards,
                           limit_minutes=limit_minutes)
    with session.store:
        if sys.stdin.isatty() and sys.stdout.isatty():
            run_terminal(session)
        else:
            run_lines(session, sys.stdin, sys.stdout)
