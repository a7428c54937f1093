"""`flashcards due`: what is due now, without starting a session."""

from __future__ import annotations

from pathlib import Path

from .context import open_session


def run(decks: list[Path] | None, db: Path | None, as_json: bool) -> None:
    """Print the counts within today's limits and when the next studied card falls due."""
    from ..ui.reports import print_due

    session = open_session(db, decks)
    with session.store:
        print_due(session.counts(), session.clock(), as_json)
