"""Cards that came from notes made in Anki: each one's note GUID and note type (table `anki_notes`), so that
import-anki, sync and export recognise that note as the card's own and never add a second one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from .rows import marks

_CHUNK = 500  # ids per IN (...) query


class AnkiNotes:
    """The Anki note each card brought from Anki belongs to (mixed into Store)."""

    db: sqlite3.Connection

    def anki_note_links(self, card_ids: Sequence[str] | None = None) -> dict[str, tuple[str, int | None]]:
        """card id -> (GUID, note type id) of the cards that came from a note made in Anki (all, or among
        `card_ids`); cards made here are absent (their GUID comes from their id: package_out.note_guid)."""
        if card_ids is None:
            rows = self.db.execute("SELECT card_id, guid, note_type_id FROM anki_notes")
            return {card_id: (guid, note_type) for card_id, guid, note_type in rows}
        found: dict[str, tuple[str, int | None]] = {}
        ids = list(dict.fromkeys(card_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows = self.db.execute(
                f"SELECT card_id, guid, note_type_id FROM anki_notes WHERE card_id IN ({marks(chunk)})", chunk)
            found.update((card_id, (guid, note_type)) for card_id, guid, note_type in rows)
        return found

    def link_anki_notes(self, db: sqlite3.Connection, links: Iterable[tuple[str, str, int | None]]) -> int:
        """Remember (card id, GUID, note type id) inside a transaction(); a card or a GUID already linked keeps
        its link (the first note a card came from stays its note). Returns how many were added."""
        return db.executemany("INSERT OR IGNORE INTO anki_notes (card_id, guid, note_type_id) VALUES (?, ?, ?)",
                              links).rowcount
