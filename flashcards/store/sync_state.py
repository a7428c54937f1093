"""What the sync with Anki reads and keeps in the store: a light stream of answer moments, full answers by id,
what the last sync agreed on per card (suspended, buried), which tells which side changed a flag since,
so that change wins at the next sync (that table is made on first use; nothing else reads it), the
collection and parent deck each set of decks was last synced with (`sync_targets`), so that a bare
`sync DECKS` repeats it, and the mark each sync of a set of decks with a collection leaves (`sync_marks`, with
each card as agreed in `sync_cards` and the Anki rows of the mark's own second in `sync_edge`), so that the next
one reads only what changed since (sync/changes.py)."""

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


# a card as the last sync left it: where it was, its note, and its schedule row's columns
SHADOW_SCHEDULE = "state, step, stability, difficulty, due, last_review, reps, lapses, suspended, buried_until, leech"
_SHADOW_NOTE = "deck, guid, note_id, anki_card_id, note"
_SHADOW_SET = ", ".join(f"{column} = excluded.{column}" for column in
                        [*_SHADOW_NOTE.split(", "), *SHADOW_SCHEDULE.split(", ")])
_SHADOW_UPSERT = (
    f"INSERT INTO sync_cards (mark, card_id, {_SHADOW_NOTE}, {SHADOW_SCHEDULE}) "
    f"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, {', '.join('s.' + c for c in SHADOW_SCHEDULE.split(', '))} "
    "FROM (SELECT 1) LEFT JOIN schedule s ON s.card_id = ?2 WHERE true "
    f"ON CONFLICT (mark, card_id) DO UPDATE SET {_SHADOW_SET}")
_SHADOW_DIFFERS = " OR ".join(f"s.{c} IS NOT k.{c}" for c in SHADOW_SCHEDULE.split(", "))
_MASK = 1 << 32


class ShadowCard(NamedTuple):
    """A card as the last sync left it (`sync_cards`): its deck file, note GUID, Anki note and card ids, and a
    fingerprint of its note as written."""

    deck: str
    guid: str
    note_id: int | None
    anki_card_id: int | None
    note: str | None


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

    # -- marks: what the last sync of a set of decks with a collection left (sync/changes.py)

    def sync_mark(self, collection: str, decks: str) -> tuple[int, str] | None:
        """(mark id, state as JSON) of the last sync of `decks` (a key) with `collection`, or None."""
        row = self.db.execute("SELECT mark, state FROM sync_marks WHERE collection = ? AND decks = ?",
                              (collection, decks)).fetchone()
        return None if row is None else (row[0], row[1])

    def save_sync_mark(self, db: sqlite3.Connection, collection: str, decks: str, state: str) -> int:
        """Record a mark's state inside a transaction(); its id (kept across syncs)."""
        db.execute("INSERT INTO sync_marks (collection, decks, state) VALUES (?, ?, ?) ON CONFLICT (collection, decks) "
                   "DO UPDATE SET state = excluded.state", (collection, decks, state))
        return db.execute("SELECT mark FROM sync_marks WHERE collection = ? AND decks = ?",
                          (collection, decks)).fetchone()[0]

    def log_mark(self) -> tuple[int, list[int]]:
        """(largest log id, log_digest of the rows up to it): what a mark keeps of the log."""
        largest = self.db.execute("SELECT coalesce(max(id), 0) FROM review_log").fetchone()[0]
        return largest, self.log_digest(largest)

    def log_digest(self, up_to: int) -> list[int]:
        """(count, sum of ids, sum of moments) of the log's rows with ids up to `up_to`: a row removed (an undo) or
        put back under a freed id changes it."""
        count, ids, moments = self.db.execute(
            f"SELECT count(*), coalesce(sum(id), 0), coalesce(sum(reviewed_at % {_MASK}), 0) "
            "FROM review_log INDEXED BY review_log_time WHERE id <= ?", (up_to,)).fetchone()
        return [count, ids, moments]

    def cards_answered_after(self, log_id: int) -> set[str]:
        """The cards with answers logged after the row `log_id`."""
        return {row[0] for row in self.db.execute("SELECT DISTINCT card_id FROM review_log WHERE id > ?", (log_id,))}

    def shadow_changed(self, mark: int) -> set[str]:
        """The cards of a mark whose schedule row is no longer as the mark's sync left it."""
        return {row[0] for row in self.db.execute(
            f"SELECT k.card_id FROM sync_cards k LEFT JOIN schedule s ON s.card_id = k.card_id "
            f"WHERE k.mark = ? AND ({_SHADOW_DIFFERS})", (mark,))}

    def shadow_cards(self, mark: int, card_ids: Sequence[str] | None = None) -> dict[str, ShadowCard]:
        """card id -> ShadowCard of a mark's cards (all, or those among `card_ids`)."""
        select = f"SELECT card_id, {_SHADOW_NOTE} FROM sync_cards WHERE mark = ?"
        if card_ids is None:
            return {row[0]: ShadowCard(*row[1:]) for row in self.db.execute(select, (mark,))}
        found: dict[str, ShadowCard] = {}
        ids = list(card_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            found.update((row[0], ShadowCard(*row[1:])) for row in
                         self.db.execute(f"{select} AND card_id IN ({marks(chunk)})", (mark, *chunk)))
        return found

    def shadow_cards_in(self, mark: int, decks: Sequence[str]) -> dict[str, ShadowCard]:
        """The mark's cards that were in these deck files (store keys)."""
        return {row[0]: ShadowCard(*row[1:]) for row in self.db.execute(
            f"SELECT card_id, {_SHADOW_NOTE} FROM sync_cards WHERE mark = ? AND deck IN ({marks(decks)})",
            (mark, *decks))}

    def shadow_of_anki_cards(self, mark: int, anki_card_ids: Sequence[int]) -> dict[int, str]:
        """Anki card id -> our card id, for the mark's cards among these Anki cards."""
        found: dict[int, str] = {}
        ids = list(anki_card_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            found.update(self.db.execute(
                f"SELECT anki_card_id, card_id FROM sync_cards WHERE mark = ? AND anki_card_id IN ({marks(chunk)})",
                (mark, *chunk)))
        return found

    def write_shadow(self, db: sqlite3.Connection, mark: int, rows: Iterable[tuple[str, ShadowCard]],
                     gone: Iterable[str] = (), everything: bool = False) -> None:
        """Inside a transaction(): remember each (card id, ShadowCard) with its schedule row as it is now; forget
        the cards `gone` (or, `everything`, all the mark's cards but these)."""
        if everything:
            db.execute("DELETE FROM sync_cards WHERE mark = ?", (mark,))
        db.executemany("DELETE FROM sync_cards WHERE mark = ? AND card_id = ?", ((mark, card_id) for card_id in gone))
        db.executemany(_SHADOW_UPSERT, ((mark, card_id, *shadow) for card_id, shadow in rows))

    def edge_digests(self, mark: int) -> dict[str, dict[str, str]]:
        """kind ("cards", "notes") -> Anki row id -> digest, of the Anki rows stamped in the mark's own second."""
        found: dict[str, dict[str, str]] = {"cards": {}, "notes": {}}
        for kind, row_id, digest in self.db.execute("SELECT kind, id, digest FROM sync_edge WHERE mark = ?", (mark,)):
            found.setdefault(kind, {})[str(row_id)] = digest
        return found

    def write_edge_digests(self, db: sqlite3.Connection, mark: int, edge: dict[str, dict[str, str]]) -> None:
        db.execute("DELETE FROM sync_edge WHERE mark = ?", (mark,))
        db.executemany("INSERT INTO sync_edge (mark, kind, id, digest) VALUES (?, ?, ?, ?)",
                       ((mark, kind, int(row_id), digest) for kind, rows in edge.items()
                        for row_id, digest in rows.items()))

    def buried_through(self, day: int) -> set[str]:
        """The cards buried through study day `day` or later (their burial may have ended since)."""
        return {row[0] for row in self.db.execute("SELECT card_id FROM schedule WHERE buried_until >= ?", (day,))}

    def agreed_buried(self) -> set[str]:
        """The cards the last sync agreed were buried."""
        exists = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_flags'").fetchone()
        if not exists:
            return set()
        return {row[0] for row in self.db.execute("SELECT card_id FROM sync_flags WHERE buried = 1")}

    def learning_due_from(self, due_ms: int) -> set[str]:
        """Cards in (re)learning due at or after a moment (ms UTC)."""
        return {row[0] for row in self.db.execute(
            "SELECT card_id FROM schedule WHERE state IN (1, 3) AND due >= ?", (due_ms,))}
