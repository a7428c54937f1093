"""The store's schema: numbered migrations, applied in order and recorded in PRAGMA user_version.

A migration is a function of one connection, run inside a transaction; never edit one that has shipped,
add the next.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..errors import FlashcardsError


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


def _m005_deck_chunks(db: sqlite3.Connection) -> None:
    # each cached card's chunk of the deck file (a hash of its text) and the file's header: a hand edit
    # re-parses only the chunks that changed
    db.execute("ALTER TABLE deck_cards ADD COLUMN chunk TEXT")
    db.execute("ALTER TABLE decks ADD COLUMN layout TEXT")


def _m006_sync_flags(db: sqlite3.Connection) -> None:
    # suspended and buried as both sides agreed at the last `sync`: the side that changed a flag since wins
    db.execute("CREATE TABLE IF NOT EXISTS sync_flags (card_id TEXT PRIMARY KEY, suspended INTEGER NOT NULL, "
               "buried INTEGER NOT NULL) WITHOUT ROWID")


def _m007_previous_intervals(db: sqlite3.Connection) -> None:
    # the interval each answer was given at (the card's previous answer's due minus its time; NULL for a card's
    # first answer), as Anki keeps lastIvl in its revlog: stats tell young from mature in one grouped scan
    db.execute("ALTER TABLE review_log ADD COLUMN previous_interval_ms INTEGER")
    db.execute(
        "UPDATE review_log SET previous_interval_ms = w.previous FROM (SELECT id, lag(due - reviewed_at) OVER "
        "(PARTITION BY card_id ORDER BY reviewed_at, id) AS previous FROM review_log) AS w "
        "WHERE review_log.id = w.id AND w.previous IS NOT NULL")
    # what stats sum of each answer, in time order: a day's answers are one range of it (no sort, no row lookups)
    db.execute("CREATE INDEX review_log_stats ON review_log(reviewed_at, state_before, rating, previous_interval_ms, "
               "duration_ms, card_id)")


def _m008_deck_order_index(db: sqlite3.Connection) -> None:
    # a deck's card ids and chunk hashes in deck order without reading the cards' text (the table's rows hold
    # it): what a hand edit and adding a highlight read of a big deck
    db.execute("CREATE INDEX deck_cards_order ON deck_cards(deck_path, position, card_id, chunk)")


def _m009_anki_notes(db: sqlite3.Connection) -> None:
    # cards that came from a note made in Anki: that note's GUID and note type, so that sync and export update
    # or leave that note and never add a second one
    db.execute("CREATE TABLE anki_notes (card_id TEXT PRIMARY KEY, guid TEXT NOT NULL, note_type_id INTEGER)")
    db.execute("CREATE UNIQUE INDEX anki_notes_guid ON anki_notes(guid)")


def _m010_sync_targets(db: sqlite3.Connection) -> None:
    # the collection and parent deck a set of decks was last synced with, so a bare `sync DECKS` repeats it
    db.execute("CREATE TABLE sync_targets (decks TEXT PRIMARY KEY, collection TEXT NOT NULL, parent TEXT,"
               " synced_at INTEGER NOT NULL)")


def _m011_due_load_index(db: sqlite3.Connection) -> None:
    # the studied cards due in a span of time counted from an index alone (state in it, the card id as the table's
    # key): what the load balancer asks for each day of a fuzz range, on every answer
    db.execute("CREATE INDEX schedule_due_load ON schedule(due, state) WHERE state > 0")


def _m012_sync_marks(db: sqlite3.Connection) -> None:
    # what both sides were at the end of the last sync of a set of decks with a collection, so that the next sync
    # reads only what changed since (sync/changes.py): the mark itself (JSON), each card's schedule and note as
    # agreed then with its Anki note and card ids, and digests of the Anki rows stamped in the mark's own second
    db.execute("CREATE TABLE sync_marks (mark INTEGER PRIMARY KEY, collection TEXT NOT NULL, decks TEXT NOT NULL, "
               "state TEXT NOT NULL, UNIQUE (collection, decks))")
    db.execute("CREATE TABLE sync_cards (mark INTEGER NOT NULL, card_id TEXT NOT NULL, deck TEXT NOT NULL, "
               "guid TEXT NOT NULL, note_id INTEGER, anki_card_id INTEGER, note TEXT, state INTEGER, step INTEGER, "
               "stability REAL, difficulty REAL, due INTEGER, last_review INTEGER, reps INTEGER, lapses INTEGER, "
               "suspended INTEGER, buried_until INTEGER, leech INTEGER, PRIMARY KEY (mark, card_id)) WITHOUT ROWID")
    db.execute("CREATE INDEX sync_cards_anki ON sync_cards(mark, anki_card_id)")
    db.execute("CREATE TABLE sync_edge (mark INTEGER NOT NULL, kind TEXT NOT NULL, id INTEGER NOT NULL, "
               "digest TEXT NOT NULL, PRIMARY KEY (mark, kind, id)) WITHOUT ROWID")



def _m014_deck_groups(db: sqlite3.Connection) -> None:
    # each cached deck's chunks in runs of neighbours of about 64 KB, hashed whole (deckfile.chunks.Groups): a hand
    # edit is found by hashing the file a run at a time from both ends, never reading every card's row
    db.execute("ALTER TABLE decks ADD COLUMN groups BLOB")


def _m013_card_history_index(db: sqlite3.Connection) -> None:
    # each card's answers in (time, id) order with their ratings from the index alone, no row lookups: what
    # recomputing memory states reads of the whole log (memory_log.py); it serves every query the old one did
    db.execute("DROP INDEX review_log_card")
    db.execute("CREATE INDEX review_log_card ON review_log(card_id, reviewed_at, id, rating)")


def _m015_stats_days(db: sqlite3.Connection) -> None:
    # past study days' answers summed for stats, per scope (all answers, or a set of decks), and what each scope's
    # sums cover; a counter that triggers on the log bump (made by store/stats_days.py with the first sums)
    db.execute("CREATE TABLE stats_days (scope TEXT NOT NULL, day INTEGER NOT NULL, hour INTEGER NOT NULL, "
               "state_before INTEGER NOT NULL, mature INTEGER NOT NULL, rating INTEGER NOT NULL, answers INTEGER NOT NULL, "
               "duration_ms INTEGER NOT NULL, PRIMARY KEY (scope, day, hour, state_before, mature, rating)) WITHOUT ROWID")
    db.execute("CREATE TABLE stats_marks (scope TEXT PRIMARY KEY, shape TEXT NOT NULL, first_ms INTEGER NOT NULL, "
               "covered_ms INTEGER NOT NULL, answers INTEGER NOT NULL, changes INTEGER NOT NULL, written INTEGER NOT NULL)")
    db.execute("CREATE TABLE stats_log_changes (changes INTEGER NOT NULL)")


def _m016_memory_history(db: sqlite3.Connection) -> None:
    # each card's history in the compact form fsrs-rs reads: a cache of the log, kept right by triggers on it
    from .memory_history import create

    create(db)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_initial, _m002_due_index, _m003_new_index, _m004_note_times,
                                                          _m005_deck_chunks, _m006_sync_flags, _m007_previous_intervals,
                                                          _m008_deck_order_index, _m009_anki_notes, _m010_sync_targets,
                                                          _m011_due_load_index, _m012_sync_marks, _m014_deck_groups,
                                                          _m013_card_history_index, _m015_stats_days,
                                                          _m016_memory_history]
SCHEMA_VERSION = len(MIGRATIONS)


def refuse_newer_schema(db: sqlite3.Connection, path: Path) -> None:
    """A store made by a newer flashcards is refused before anything writes to it."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise FlashcardsError(f"{path}: made by a newer flashcards (schema {version}, this one knows {SCHEMA_VERSION}); upgrade")


def pending(db: sqlite3.Connection) -> range:
    """The numbers of the migrations not yet applied to this store."""
    return range(db.execute("PRAGMA user_version").fetchone()[0], SCHEMA_VERSION)
