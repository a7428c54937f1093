"""The review store: SQLite (WAL) holding each card's schedule, every answer, and a cache of the decks.

Knows SQL and nothing of FSRS beyond the Schedule it saves. One answer is one transaction: the schedule
and its log row are committed together, before the next card shows. Times are integer milliseconds UTC.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .clock import from_ms, to_ms
from .errors import FlashcardsError
from .model import Card, CardRow, LoggedAnswer, Schedule, State, content_fingerprint

ENV_VAR = "FLASHCARDS_DB"
BUSY_TIMEOUT_S = 30.0  # a second session waits this long for the other's write to finish


def default_db_path() -> Path:
    """Where the store lives unless --db or FLASHCARDS_DB say otherwise: the platform's data directory."""
    from platformdirs import user_data_path

    return user_data_path("flashcards", appauthor=False) / "flashcards.db"


def resolve_db_path(option: Path | None = None) -> Path:
    """The store path: the --db option, else $FLASHCARDS_DB, else the default."""
    if option is not None:
        return option
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else default_db_path()


# ---------------------------------------------------------------- schema

def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run statements one by one (executescript would commit the migration's transaction)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _m001_initial(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE schedule (            -- one row per card ever seen in a deck, kept when it leaves
            card_id      TEXT PRIMARY KEY,
            state        INTEGER NOT NULL DEFAULT 0,   -- 0 new, 1 learning, 2 review, 3 relearning
            step         INTEGER,
            stability    REAL,
            difficulty   REAL,
            due          INTEGER,                      -- ms UTC, NULL for new cards
            last_review  INTEGER,
            reps         INTEGER NOT NULL DEFAULT 0,
            lapses       INTEGER NOT NULL DEFAULT 0,
            suspended    INTEGER NOT NULL DEFAULT 0,
            buried_until INTEGER,                      -- study day number the card stays buried through
            leech        INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX schedule_state_due ON schedule(state, due);

        CREATE TABLE review_log (
            id           INTEGER PRIMARY KEY,
            card_id      TEXT NOT NULL,
            reviewed_at  INTEGER NOT NULL,             -- ms UTC
            rating       INTEGER NOT NULL,             -- 1 Again, 2 Hard, 3 Good, 4 Easy
            duration_ms  INTEGER NOT NULL,
            state_before INTEGER NOT NULL,
            state_after  INTEGER NOT NULL,
            stability    REAL,                         -- after the answer
            difficulty   REAL,
            due          INTEGER
        );
        CREATE INDEX review_log_time ON review_log(reviewed_at);
        CREATE INDEX review_log_card ON review_log(card_id, reviewed_at);

        CREATE TABLE decks (               -- the deck files as last read, to skip parsing unchanged ones
            path      TEXT PRIMARY KEY,
            name      TEXT NOT NULL,
            tags      TEXT NOT NULL,                   -- JSON list
            mtime_ns  INTEGER NOT NULL,
            size      INTEGER NOT NULL,
            cards     INTEGER NOT NULL
        );
        CREATE TABLE deck_cards (
            deck_path TEXT NOT NULL REFERENCES decks(path) ON DELETE CASCADE,
            position  INTEGER NOT NULL,
            card_id   TEXT NOT NULL,
            front     TEXT NOT NULL,
            back      TEXT NOT NULL,
            source    TEXT NOT NULL,
            tags      TEXT NOT NULL,                   -- JSON list
            PRIMARY KEY (deck_path, position)
        ) WITHOUT ROWID;
        CREATE INDEX deck_cards_card ON deck_cards(card_id, deck_path);
        """
    )


def _m002_due_index(db: sqlite3.Connection) -> None:
    db.execute("CREATE INDEX schedule_due ON schedule(due) WHERE state > 0")  # the next due card, at once


def _m003_new_index(db: sqlite3.Connection) -> None:
    db.execute("CREATE INDEX schedule_new ON schedule(card_id) WHERE state = 0")  # are any new cards left?


def _m004_note_times(db: sqlite3.Connection) -> None:
    # when each card's content last changed (its Anki note's modification time), from a fingerprint of it
    db.execute("ALTER TABLE deck_cards ADD COLUMN fingerprint TEXT")
    db.execute("ALTER TABLE deck_cards ADD COLUMN changed_at INTEGER")
    # the same for what a deck adds to its notes (the Anki deck name, the deck's tags), as last exported
    db.execute("CREATE TABLE exported_decks (deck_path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, changed_at INTEGER NOT NULL)")
    db.execute("UPDATE decks SET mtime_ns = -1")  # cached decks are read again once, to fill them in


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_initial, _m002_due_index, _m003_new_index, _m004_note_times]
SCHEMA_VERSION = len(MIGRATIONS)

_SCHEDULE_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses"
_SELECT_CARD = f"SELECT card_id, {_SCHEDULE_COLUMNS}, suspended, buried_until, leech FROM schedule"


# ---------------------------------------------------------------- records

@dataclass(frozen=True)
class CachedDeck:
    """A deck file as the store last read it."""

    path: str
    name: str
    tags: list[str]
    mtime_ns: int
    size: int
    cards: int


def _schedule_from(row: Sequence) -> Schedule:
    state, step, stability, difficulty, due, last_review, reps, lapses = row
    return Schedule(State(state), step, stability, difficulty, from_ms(due), from_ms(last_review), reps, lapses)


def _schedule_values(schedule: Schedule) -> tuple:
    return (int(schedule.state), schedule.step, schedule.stability, schedule.difficulty, to_ms(schedule.due),
            to_ms(schedule.last_review), schedule.reps, schedule.lapses)


# ---------------------------------------------------------------- the store

class Store:
    """An open review store. Use as a context manager, or call close()."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not path.exists():
            if not create:
                raise FlashcardsError(f"{path}: no review store here yet (review a deck first)")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FlashcardsError(f"{path.parent}: cannot create the store's folder ({exc.strerror})") from None
        try:
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise FlashcardsError(f"{path}: cannot open the review store ({exc})") from None
        try:
            self._refuse_newer_schema()  # before anything writes to the file
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # an acknowledged answer survives a power cut too
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except FlashcardsError:
            self.db.close()
            raise
        except sqlite3.OperationalError as exc:
            self.db.close()
            raise FlashcardsError(f"{path}: cannot open the review store ({exc})") from None
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise damaged_store_error(path, exc) from None

    # -- lifecycle

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        self.db.close()

    def backup_daily(self) -> Path | None:
        """Today's backup of the store, unless it was already taken (see backup.py)."""
        from .backup import daily_backup

        return daily_backup(self.db, self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so that concurrent writers queue up."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _refuse_newer_schema(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise FlashcardsError(
                f"{self.path}: made by a newer flashcards (schema {version}, this one knows {SCHEMA_VERSION}); upgrade"
            )

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as db:
                MIGRATIONS[number](db)
                db.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    # -- deck cache

    def cached_deck(self, path: str) -> CachedDeck | None:
        """What the store knows of a deck file, or None."""
        row = self.db.execute("SELECT path, name, tags, mtime_ns, size, cards FROM decks WHERE path = ?", (path,)).fetchone()
        return None if row is None else CachedDeck(row[0], row[1], json.loads(row[2]), *row[3:])

    def cache_deck(self, path: str, name: str, tags: list[str], cards: list[Card], mtime_ns: int, size: int) -> None:
        """Replace the cached copy of a deck file and give every new card a schedule row (state new)."""
        now = int(time.time())
        with self.transaction() as db:
            before = {card_id: (fingerprint, changed_at) for card_id, fingerprint, changed_at in db.execute(
                "SELECT card_id, fingerprint, changed_at FROM deck_cards WHERE deck_path = ?", (path,))}
            db.execute("DELETE FROM deck_cards WHERE deck_path = ?", (path,))
            db.execute(
                "INSERT OR REPLACE INTO decks (path, name, tags, mtime_ns, size, cards) VALUES (?, ?, ?, ?, ?, ?)",
                (path, name, json.dumps(tags, ensure_ascii=False), mtime_ns, size, len(cards)),
            )

            def rows():
                for position, card in enumerate(cards):
                    fingerprint = content_fingerprint(card)
                    old_fingerprint, old_time = before.get(card.id, (None, None))
                    if fingerprint == old_fingerprint and old_time:
                        changed_at = old_time
                    else:  # later than before even within the same second, or Anki would not see it as newer
                        changed_at = max(now, (old_time or 0) + 1)
                    yield (path, position, card.id, card.front, card.back, card.source,
                           json.dumps(card.tags, ensure_ascii=False), fingerprint, changed_at)

            db.executemany(
                "INSERT INTO deck_cards (deck_path, position, card_id, front, back, source, tags, fingerprint, changed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows(),
            )
            db.execute("INSERT OR IGNORE INTO schedule (card_id) SELECT card_id FROM deck_cards WHERE deck_path = ?", (path,))

    def deck_cards(self, path: str) -> list[Card]:
        """The cached cards of a deck, in deck order."""
        rows = self.db.execute(
            "SELECT card_id, front, back, source, tags FROM deck_cards WHERE deck_path = ? ORDER BY position", (path,)
        )
        return [Card(r[0], r[1], r[2], r[3], _tags(r[4])) for r in rows]

    def card_text(self, card_id: str, decks: Sequence[str]) -> tuple[str, Card] | None:
        """(deck name, card) for a card of one of the given decks."""
        row = self.db.execute(
            f"SELECT d.name, c.card_id, c.front, c.back, c.source, c.tags FROM deck_cards c JOIN decks d ON d.path = c.deck_path "
            f"WHERE c.card_id = ? AND c.deck_path IN ({_marks(decks)}) LIMIT 1", (card_id, *decks),
        ).fetchone()
        return None if row is None else (row[0], Card(row[1], row[2], row[3], row[4], _tags(row[5])))

    # -- schedules

    def card(self, card_id: str) -> CardRow | None:
        """A card's schedule row."""
        row = self.db.execute(f"{_SELECT_CARD} WHERE card_id = ?", (card_id,)).fetchone()
        return None if row is None else _card_row(row)

    def cards(self, decks: Sequence[str] | None = None) -> Iterator[CardRow]:
        """Every schedule row, or those of cards in the given decks."""
        return (_card_row(row) for row in self.db.execute(f"{_SELECT_CARD} {_where_in_decks(decks)}", tuple(decks or ())))

    def write_card(self, db: sqlite3.Connection, row: CardRow) -> None:
        """Write a schedule row inside a transaction()."""
        db.execute(
            f"INSERT OR REPLACE INTO schedule (card_id, {_SCHEDULE_COLUMNS}, suspended, buried_until, leech) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.card_id, *_schedule_values(row.schedule), int(row.suspended), row.buried_until, int(row.leech)),
        )

    def log_answer(self, db: sqlite3.Connection, card_id: str, at: datetime, rating: int, duration_ms: int,
                   before: Schedule, after: Schedule) -> int:
        """Append an answer to the log inside a transaction(); returns its row id."""
        cursor = db.execute(
            "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after, stability, difficulty, due) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (card_id, to_ms(at), rating, duration_ms, int(before.state), int(after.state), after.stability,
             after.difficulty, to_ms(after.due)),
        )
        return cursor.lastrowid

    # -- queue queries (the session's questions; indexes make each one cheap)

    def first_due(self, decks: Sequence[str], states: Sequence[State], before: datetime, today: int) -> CardRow | None:
        """The earliest-due active card in `states` due before a moment, among the decks."""
        row = self.db.execute(
            f"{_SELECT_CARD} WHERE state IN ({_marks(states)}) AND due < ? AND {_ACTIVE} "
            f"AND {_IN_DECKS.format(_marks(decks))} ORDER BY due LIMIT 1",
            (*map(int, states), to_ms(before), today, *decks),
        ).fetchone()
        return None if row is None else _card_row(row)

    def count_due(self, decks: Sequence[str], states: Sequence[State], before: datetime, today: int,
                  limit: int = -1) -> int:
        """How many active cards in `states` are due before a moment (counting stops at `limit`)."""
        return self.db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM schedule WHERE state IN ({_marks(states)}) AND due < ? AND {_ACTIVE} "
            f"AND {_IN_DECKS.format(_marks(decks))} LIMIT ?)",
            (*map(int, states), to_ms(before), today, *decks, limit),
        ).fetchone()[0]

    def next_due(self, decks: Sequence[str], today: int) -> datetime | None:
        """When the next active, already studied card falls due."""
        row = self.db.execute(
            f"SELECT due FROM schedule INDEXED BY schedule_due WHERE state > 0 AND {_ACTIVE} "
            f"AND {_IN_DECKS.format(_marks(decks))} ORDER BY due LIMIT 1",
            (today, *decks),
        ).fetchone()
        return None if row is None else from_ms(row[0])

    def new_cards(self, decks: Sequence[str], today: int, limit: int) -> list[str]:
        """New cards in deck order (decks in the order given), at most `limit`.

        When the decks hold no active new card (the partial index answers at once) nothing is scanned;
        otherwise each deck is walked in position order and the walk stops as soon as `limit` are found.
        """
        if limit <= 0 or self.count_new(decks, today, 1) == 0:
            return []
        found: list[str] = []
        for deck in decks:
            rows = self.db.execute(
                f"SELECT c.card_id FROM deck_cards c JOIN schedule s ON s.card_id = c.card_id "
                f"WHERE c.deck_path = ? AND s.state = 0 AND {_ACTIVE} AND s.card_id NOT IN ({_marks(found)}) "
                "ORDER BY c.position LIMIT ?",
                (deck, today, *found, limit - len(found)),
            )
            found += [row[0] for row in rows]
            if len(found) >= limit:
                break
        return found

    def count_new(self, decks: Sequence[str], today: int, limit: int = -1) -> int:
        """How many active new cards the decks hold (counting stops at `limit`)."""
        return self.db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM schedule INDEXED BY schedule_new WHERE state = 0 AND {_ACTIVE} "
            f"AND {_IN_DECKS.format(_marks(decks))} LIMIT ?)",
            (today, *decks, limit),
        ).fetchone()[0]

    def answers_since(self, since: datetime, states_before: Sequence[State]) -> int:
        """How many answers were logged since a moment, on cards that were in `states_before`."""
        return self.db.execute(
            f"SELECT count(*) FROM review_log WHERE reviewed_at >= ? AND state_before IN ({_marks(states_before)})",
            (to_ms(since), *map(int, states_before)),
        ).fetchone()[0]

    def unsuspend(self, decks: Sequence[str], card_ids: Sequence[str] = ()) -> int:
        """Unsuspend the suspended cards of the decks (only `card_ids` when given); returns how many."""
        only = f"AND card_id IN ({_marks(card_ids)})" if card_ids else ""
        with self.transaction() as db:
            return db.execute(
                f"UPDATE schedule SET suspended = 0 WHERE suspended = 1 {only} "
                f"AND {_IN_DECKS.format(_marks(decks))}",
                (*card_ids, *decks),
            ).rowcount

    def changed_times(self, path: str) -> dict[str, int]:
        """card id -> when its content last changed (seconds), for a cached deck's cards."""
        return dict(self.db.execute("SELECT card_id, changed_at FROM deck_cards WHERE deck_path = ?", (path,)))

    def deck_changed_time(self, path: str, fingerprint: str, now: int) -> int:
        """When what a deck adds to its notes (fingerprinted by the caller) last changed, as of this export."""
        with self.transaction() as db:
            row = db.execute("SELECT fingerprint, changed_at FROM exported_decks WHERE deck_path = ?", (path,)).fetchone()
            if row is not None and row[0] == fingerprint:
                return row[1]
            changed_at = now
            if row is not None:  # later than any of its notes' times, so Anki takes every note as newer
                latest = db.execute("SELECT max(changed_at) FROM deck_cards WHERE deck_path = ?", (path,)).fetchone()[0]
                changed_at = max(now, row[1] + 1, (latest or 0) + 1)
            db.execute("INSERT OR REPLACE INTO exported_decks VALUES (?, ?, ?)", (path, fingerprint, changed_at))
            return changed_at

    # -- the log

    def answers(self, decks: Sequence[str] | None = None) -> Iterator[LoggedAnswer]:
        """Logged answers in time order, all or those of cards in the given decks."""
        rows = self.db.execute(
            "SELECT id, card_id, reviewed_at, rating, duration_ms, state_before, state_after, due FROM review_log "
            f"{_where_in_decks(decks)} ORDER BY reviewed_at, id", tuple(decks or ()),
        )
        return (LoggedAnswer(r[0], r[1], from_ms(r[2]), r[3], r[4], r[5], r[6], from_ms(r[7])) for r in rows)

    def answer_rows_by_card(self, decks: Sequence[str] | None = None) -> Iterator[tuple[str, int, int]]:
        """(card id, answered at in ms UTC, rating) for every answer, ordered by card then time: a light stream."""
        return self.db.execute(
            f"SELECT card_id, reviewed_at, rating FROM review_log {_where_in_decks(decks)} ORDER BY card_id, reviewed_at, id",
            tuple(decks or ()),
        )

    def answer_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM review_log").fetchone()[0]


_ACTIVE = "suspended = 0 AND (buried_until IS NULL OR buried_until < ?)"
# a per-row index lookup (deck_cards_card), cheap when a query stops early (LIMIT, ORDER BY an index)
_IN_DECKS = "EXISTS (SELECT 1 FROM deck_cards d WHERE d.card_id = schedule.card_id AND d.deck_path IN ({}))"


def _marks(values: Iterable) -> str:
    return ", ".join("?" for _ in values)


def _where_in_decks(decks: Sequence[str] | None) -> str:
    """A WHERE clause keeping the rows of cards in the given decks (none: every row); binds `decks`."""
    return "" if decks is None else f"WHERE card_id IN (SELECT card_id FROM deck_cards WHERE deck_path IN ({_marks(decks)}))"


def _tags(text: str) -> list[str]:
    """A card's tags as stored (JSON); most cards have none, which skips the decoder."""
    return [] if text == "[]" else json.loads(text)


def _card_row(row: Sequence) -> CardRow:
    return CardRow(row[0], _schedule_from(row[1:9]), bool(row[9]), row[10], bool(row[11]))


def damaged_store_error(path: Path, exc: Exception) -> FlashcardsError:
    """The message for a store SQLite cannot read: never replaced, pointing at the backups."""
    from .backup import backup_dir

    return FlashcardsError(
        f"{path}: the review store is damaged ({exc}); it was left untouched. Run `flashcards check` for details; "
        f"backups are in {backup_dir(path)}"
    )
