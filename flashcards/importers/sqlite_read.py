"""Opening a person's SQLite database (an app's own, perhaps open in the app right now) to read it, never to write.

As the Kobo importer does: the file is opened read-only and immutable, so SQLite creates no -journal, -wal or
-shm beside it and takes no lock. An app in WAL mode may hold its latest rows in `NAME-wal` beside the database
(not yet moved into it): then the database and its WAL are copied into a private temporary folder and the copy
is read, which takes in what the WAL holds and leaves the originals as they were, byte for byte.
"""

from __future__ import annotations

import functools
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import FlashcardsError
from .base import one_line

MAGIC = b"SQLite format 3\x00"


def is_sqlite(path: Path) -> bool:
    """Whether the file starts as an SQLite database does (False when it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


@contextmanager
def read_only(path: Path, source: str) -> Iterator[sqlite3.Connection]:
    """A connection that reads the database (and what its WAL holds) and cannot change either; cells that are not
    UTF-8 are read with replacement characters."""
    with _readable(path, source) as readable:
        try:
            if readable == path:
                connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            else:
                connection = sqlite3.connect(readable)  # the private copy (SQLite may tidy its WAL on closing)
        except sqlite3.Error as error:
            raise FlashcardsError(f"{source}: cannot open the database ({one_line(str(error))})") from None
        connection.text_factory = lambda data: data.decode("utf-8", "replace")
        try:
            yield connection
        finally:
            connection.close()


def table_names(connection: sqlite3.Connection) -> set[str]:
    """The database's tables, lower-cased."""
    return {str(name).lower() for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def columns(connection: sqlite3.Connection, table: str) -> set[str]:
    """A table's columns, upper-cased."""
    return {str(row[1]).upper() for row in connection.execute(f'PRAGMA table_info("{table}")')}


def tables_of(path: Path) -> frozenset[str]:
    """The tables of the SQLite database at `path` (lower-cased), or none when it is no readable database. Asked by
    several detectors in turn, the database (and its WAL) is opened once while neither changes."""
    if not is_sqlite(path):
        return frozenset()
    try:
        stamps = tuple((item.stat().st_size, item.stat().st_mtime_ns) if item.exists() else None
                       for item in (path, path.with_name(path.name + "-wal")))
    except OSError:
        return frozenset()
    return _tables(str(path.resolve()), stamps)


@functools.lru_cache(maxsize=8)
def _tables(path: str, stamps: tuple[object, ...]) -> frozenset[str]:
    try:
        with read_only(Path(path), path) as connection:
            return frozenset(table_names(connection))
    except (FlashcardsError, sqlite3.Error, ValueError, OverflowError):
        return frozenset()


@contextmanager
def _readable(path: Path, source: str) -> Iterator[Path]:
    """The database itself when no WAL with content lies beside it; else a private copy of it and its WAL."""
    wal = path.with_name(path.name + "-wal")
    try:
        has_wal = wal.is_file() and wal.stat().st_size > 0
    except OSError:
        has_wal = False
    if not has_wal:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="flashcards-sqlite-") as folder:
        copy = Path(folder) / "database.sqlite"
        try:
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        except OSError as error:
            raise FlashcardsError(f"{source}: cannot copy the database and its WAL to read them ({error.strerror})"
                                  ) from None
        yield copy
