"""Export times: when each card's note last changed, so a re-import into Anki updates exactly the edited notes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


class ExportTimes:
    """Note modification times (mixed into Store)."""

    db: sqlite3.Connection
    transaction: Callable

    def changed_times(self, path: str) -> dict[str, int]:
        """card id -> when its content last changed (seconds), for a cached deck's cards."""
        return dict(self.db.execute("SELECT card_id, changed_at FROM deck_cards WHERE deck_path = ?", (path,)))

    def deck_export_time(self, path: str, fingerprint: str, now: int) -> int:
        """When what a deck adds to its notes (fingerprinted by the caller) last changed, as of an export now.

        Read only: record_deck_export() keeps it once the package is written.
        """
        row = self.db.execute("SELECT fingerprint, changed_at FROM exported_decks WHERE deck_path = ?", (path,)).fetchone()
        if row is not None and row[0] == fingerprint:
            return row[1]
        if row is None:
            return now
        # later than any of its notes' times, so Anki takes every note as newer
        latest = self.db.execute("SELECT max(changed_at) FROM deck_cards WHERE deck_path = ?", (path,)).fetchone()[0]
        return max(now, row[1] + 1, (latest or 0) + 1)

    def record_deck_export(self, path: str, fingerprint: str, changed_at: int) -> None:
        """Remember a deck's fingerprint and time after its package was written."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO exported_decks VALUES (?, ?, ?)", (path, fingerprint, changed_at))
