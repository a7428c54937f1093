"""What the sync with Anki reads and keeps in the store: a light stream of answer moments, full answers by id,
what the last sync agreed on per card (suspended, buried), which tells which side changed a flag since,
so that change wins at the next sync (that table is made on first use; nothing else reads it), and the
collection and parent deck each set of decks was last synced with (`sync_targets`), so that a bare
`sync DECKS` repeats it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from ..model import AnswerFacts
from .rows import ANSWER_FACTS, marks

_CREATE = ("CREATE TABLE IF NOT EXISTS sync_flags (card_id TEXT PRIMARY KEY, suspended INTEGER NOT NULL, "
           "buried INTEGER NOT NULL) WITHOUT ROWID")
_CHUNK = 500


class SyncTarget(NamedTuple):
    """Where a set of decks was last synced: the collection file, the parent deck (None: none), when (ms UTC)."""

    collection: str
    parent: str | None
    synced_at: int


def last_sync_target(db_path: Path, decks: str) -> SyncTarget | None:
    """The target `decks` (a key made by the sync command) was last synced with, read without writing to the
    store or creating anything beside it (the sync opens Anki's collection before the store); None when the
    store, its table or the row is missing, or the store cannot be read."""
    if not db_path.is_file():
        return None
    wal = Path(f"{db_path}-wal")
    quiet = not wal.exists() or wal.stat().st_size == 0  # nothing outside the file: read it as it is, no -shm
    uri = f"{db_path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if quiet else "")
    try:
        db = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        return _target(db, decks)
    except sqlite3.Error:
        return None
    finally:
        db.close()


def _target(db: sqlite3.Connection, decks: str) -> SyncTarget | None:
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_targets'").fetchone()
    if not exists:
        return None
    row = db.execute("SELECT collection, parent, synced_at FROM sync_targets WHERE decks = ?", (decks,)).fetchone()
    return SyncTarget(*row) if row else None


class SyncState:
    """Answer moments, answers by id, the flags each card had when both sides last agreed, and where each set of
    decks was last synced (mixed into Store)."""

    db: sqlite3.Connection

    def answer_moments_of(self, card_ids: Sequence[str]) -> Iterator[tuple[int, str, int, int]]:
        """(log id, card id, answered at in ms UTC, rating) of these cards' answers, by card then time."""
        ids = list(card_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            yield from self.db.execute(
                f"SELECT id, card_id, reviewed_at, rating FROM review_log WHERE card_id IN ({marks(chunk)}) "
                "ORDER BY card_id, reviewed_at, id", chunk)

    def answer_facts_by_id(self, log_ids: Sequence[int]) -> dict[int, AnswerFacts]:
        """These rows of the log as Anki's review log needs them (see model.AnswerFacts), by log id."""
        found: dict[int, AnswerFacts] = {}
        ids = list(log_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for row in self.db.execute(f"SELECT id, {ANSWER_FACTS} FROM review_log WHERE id IN ({marks(chunk)})", chunk):
                found[row[0]] = AnswerFacts._make(row[1:])
        return found

    def synced_flags(self, card_ids: Sequence[str]) -> dict[str, tuple[bool, bool]]:
        """card id -> (suspended, buried) as of the last sync; cards never synced are absent."""
        exists = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_flags'").fetchone()
        if not exists:
            return {}
        found: dict[str, tuple[bool, bool]] = {}
        ids = list(card_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            rows = self.db.execute(
                f"SELECT card_id, suspended, buried FROM sync_flags WHERE card_id IN ({marks(chunk)})",
                chunk)
            found.update((card_id, (bool(suspended), bool(buried))) for card_id, suspended, buried in rows)
        return found

    def record_synced_flags(self, db: sqlite3.Connection, rows: Iterable[tuple[str, bool, bool]]) -> None:
        """Remember (card id, suspended, buried) as agreed, inside a transaction()."""
        db.execute(_CREATE)
        db.executemany("INSERT OR REPLACE INTO sync_flags (card_id, suspended, buried) VALUES (?, ?, ?)",
                       ((card_id, int(suspended), int(buried)) for card_id, suspended, buried in rows))

    def sync_target(self, decks: str) -> SyncTarget | None:
        """The collection and parent deck these decks (a key made by the sync command) were last synced with."""
        return _target(self.db, decks)

    def record_sync_target(self, db: sqlite3.Connection, decks: str, target: SyncTarget) -> None:
        """Remember where these decks were synced, inside a transaction()."""
        db.execute("INSERT OR REPLACE INTO sync_targets (decks, collection, parent, synced_at) VALUES (?, ?, ?, ?)",
                   (decks, target.collection, target.parent, target.synced_at))
