"""The store's file: opening it (WAL, full sync, migrations), transactions, closing, and damage reported as such."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import FlashcardsError
from . import schema

BUSY_TIMEOUT_S = 30.0  # a second session waits this long for the other's write to finish


class Connection:
    """An open store file. Use as a context manager, or call close().

    A store on a read-only file or filesystem is copied into memory (`readonly` is True): reading commands
    work, and what they would cache is simply not kept; commands that record answers refuse it.
    """

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not path.exists():
            if not create:
                raise FlashcardsError(f"{path}: no review store here yet (review a deck first)")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FlashcardsError(f"{path.parent}: cannot create the store's folder ({exc.strerror})") from None
        else:
            refuse_what_is_not_a_store(path)
        self.readonly = path.exists() and not (_writable(path) and _writable(path.parent))
        try:
            if self.readonly:  # a read-only file or filesystem: work on a copy in memory, the file never written
                self.db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                source = sqlite3.connect(readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)
                try:
                    refuse_foreign_tables(source, path)
                    source.backup(self.db)
                finally:
                    source.close()
            else:
                self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise FlashcardsError(f"{path}: cannot open the review store ({exc})") from None
        try:
            refuse_foreign_tables(self.db, path)  # before anything writes to the file
            schema.refuse_newer_schema(self.db, path)
            if self.readonly:
                self._migrate()  # in memory only
            else:
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

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so that concurrent writers queue up."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except BaseException:  # a full disk at the very end: nothing half-written stays pending
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        for number in schema.pending(self.db):
            with self.transaction() as db:
                schema.MIGRATIONS[number](db)
                db.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def backup_daily(self) -> Path | None:
        """Today's backup of the store, unless it was already taken (see backups.py); waits for it."""
        from ..settings import settings_path
        from .backups import daily_backup

        return daily_backup(self.path, settings_file=settings_path(self.path))

    def start_daily_backup(self):
        """Today's backup, taken in the background (a thread with its own connection): a BackupJob, or None
        on a read-only store. Call its wait() before exiting; it returns the error line, if any."""
        from ..settings import settings_path
        from .backups import BackupJob

        return None if self.readonly else BackupJob(self.path, settings_file=settings_path(self.path))


SQLITE_HEADER = b"SQLite format 3\x00"
OUR_TABLES = {"schedule", "review_log", "decks", "deck_cards", "exported_decks", "sync_flags", "anki_notes", "sync_targets",
              "sync_marks", "sync_cards", "sync_edge", "stats_days", "stats_marks", "stats_log_changes",
              "memory_history", "memory_history_days"}


def refuse_what_is_not_a_store(path: Path) -> None:
    """A file that cannot be our store (empty, or not SQLite) is refused before SQLite touches it."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except IsADirectoryError:
        raise FlashcardsError(f"{path}: is a folder, not a review store") from None
    except OSError as exc:
        raise FlashcardsError(f"{path}: cannot read the review store ({exc.strerror})") from None
    if not head:
        raise FlashcardsError(f"{path}: an empty file, not a review store; left untouched (move it away to start "
                              "a new store, or run `flashcards restore`)")
    if head != SQLITE_HEADER:
        raise damaged_store_error(path, sqlite3.DatabaseError("file is not a database"))


def refuse_foreign_tables(db: sqlite3.Connection, path: Path) -> None:
    """Another program's SQLite file (an Anki collection, say) is refused before anything is written to it."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    foreign = sorted(tables - OUR_TABLES - {"sqlite_sequence", "sqlite_stat1"})
    if foreign or (tables and "schedule" not in tables):
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise FlashcardsError(f"{path}: another program's SQLite database (tables: {shown}), not a flashcards "
                              "review store; left untouched")


def readonly_uri(path: Path) -> str:
    """How to open a store read-only: without its -shm (immutable) when its folder cannot be written to and
    no -wal holds anything the file lacks."""
    wal = Path(f"{path}-wal")
    immutable = not _writable(path.parent) and (not wal.exists() or wal.stat().st_size == 0)
    return f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def damaged_store_error(path: Path, exc: Exception) -> FlashcardsError:
    """The message for a store SQLite cannot read: never replaced, pointing at its backups when it has any."""
    from .backups import backup_dir, backups

    if backups(path):
        where = (f"backups are in {backup_dir(path)} (`flashcards restore --db {path}` puts the newest good one "
                 "back)")
    else:
        where = "there are no backups of it to restore"
    return FlashcardsError(
        f"{path}: the review store is damaged ({exc}); it was left untouched. Run `flashcards check` for details; "
        f"{where}"
    )
