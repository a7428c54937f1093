"""The store's file: opening it (WAL, full sync, migrations), transactions, closing, and damage reported as such."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import FlashcardsError
from . import schema

BUSY_TIMEOUT_S = 30.0  # a second session waits this long for the other's write to finish


class Connection:
    """An open store file. Use as a context manager, or call close()."""

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
            schema.refuse_newer_schema(self.db, path)  # before anything writes to the file
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
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        for number in schema.pending(self.db):
            with self.transaction() as db:
                schema.MIGRATIONS[number](db)
                db.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def backup_daily(self) -> Path | None:
        """Today's backup of the store, unless it was already taken (see backups.py)."""
        from .backups import daily_backup

        return daily_backup(self.db, self.path)


def damaged_store_error(path: Path, exc: Exception) -> FlashcardsError:
    """The message for a store SQLite cannot read: never replaced, pointing at the backups."""
    from .backups import backup_dir

    return FlashcardsError(
        f"{path}: the review store is damaged ({exc}); it was left untouched. Run `flashcards check` for details; "
        f"backups are in {backup_dir(path)}"
    )
