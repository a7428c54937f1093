"""Daily backups of what cannot be rebuilt: schedules, the review log, export times and the settings.

The deck cache (decks, deck_cards) is left out: it is rebuilt from the deck files; so are the indexes, made
again on restore. A backup is about a third of the store.
A backup counts only once SQLite's integrity check passes on it, and a damaged store is never backed up.
Backups are ordered by a sequence number each one carries (the order they were really made in), never
by their dated names, so a run under a clock set years ahead cannot leave a backup that stays "newest".
Taken by a thread with its own connection, a backup never delays the first card of a review.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import FlashcardsError

KEEP = 7  # good backups kept
KEPT_TABLES = ("schedule", "review_log", "exported_decks", "sync_flags", "anki_notes", "sync_targets")  # the rest (the deck cache) is rebuilt from the decks
META = "backup_meta"  # (key, value): seq (the order backups were made in), settings, indexes (SQL, made on restore)


@dataclass(frozen=True)
class BackupInfo:
    """One backup file as read back: its place in the order backups were made, and what it holds."""

    path: Path
    seq: int
    answers: int
    settings: str | None  # the settings file's text when the backup was made


def backup_dir(db_path: Path) -> Path:
    """Where a store's backups live: a `backups` folder beside it."""
    return db_path.parent / "backups"


def _files(db_path: Path) -> list[Path]:
    folder = backup_dir(db_path)
    try:
        return sorted(folder.glob(f"{db_path.stem}-????-??-??*.db")) if folder.is_dir() else []
    except OSError:
        return []


def read_backup(path: Path, verify: bool = False) -> BackupInfo | None:
    """What a backup holds, or None when it cannot be read (or, with `verify`, fails the integrity check)."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except (sqlite3.Error, OSError):
        return None
    try:
        if verify and [row[0] for row in db.execute("PRAGMA integrity_check(1)")] != ["ok"]:
            return None
        answers = db.execute("SELECT count(*) FROM review_log").fetchone()[0]
        meta: dict[str, str] = {}
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (META,)).fetchone():
            meta = dict(db.execute(f"SELECT key, value FROM {META}"))
        return BackupInfo(path, int(meta.get("seq", 0)), answers, meta.get("settings"))
    except (sqlite3.Error, ValueError):
        return None
    finally:
        db.close()


def backup_infos(db_path: Path, verify: bool = False) -> list[BackupInfo]:
    """A store's readable backups, in the order they were made (oldest first)."""
    found = [info for info in (read_backup(path, verify) for path in _files(db_path)) if info is not None]
    return sorted(found, key=lambda info: (info.seq, info.path.name))


def backups(db_path: Path) -> list[Path]:
    """A store's readable backups, oldest first (in the order they were made, whatever their names say)."""
    return [info.path for info in backup_infos(db_path)]


def daily_backup(db_path: Path, today: date | None = None, keep: int = KEEP, settings_file: Path | None = None,
                 on_snapshot: threading.Event | None = None) -> Path | None:
    """Back the store up once a day; drop the oldest beyond `keep` good ones.

    Returns the new backup, or None when today's already exists. Raises FlashcardsError when the store is
    damaged (nothing is backed up) or the backup cannot be written (disk full: no partial file is left).
    `on_snapshot` is set once the copy's consistent view of the store is taken.
    """
    today = today or date.today()
    if settings_file is None:
        from ..settings import settings_path

        settings_file = settings_path(db_path)
    folder = backup_dir(db_path)
    target = folder / f"{db_path.stem}-{today.isoformat()}.db"
    if target.exists():
        if on_snapshot:
            on_snapshot.set()
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise NotADirectoryError(20, "not a folder")
    except OSError as exc:
        raise FlashcardsError(f"{folder}: backup failed: cannot make the backups folder ({exc.strerror or exc}); "
                              "the store itself is fine") from None
    _remove_stale_partials(folder)
    earlier = backup_infos(db_path)
    partial = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}.partial"
    try:
        _copy(db_path, partial, max((info.seq for info in earlier), default=0) + 1, settings_file, on_snapshot)
        try:
            os.link(partial, target)  # never over a backup made meanwhile by another process
        except FileExistsError:
            return None
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) or "full" in str(exc):
            raise FlashcardsError(f"{target}: backup failed ({exc}); the store itself is fine") from None
        raise FlashcardsError(f"{db_path}: the store is damaged ({exc}); it was not backed up, earlier backups "
                              f"are kept. Run `flashcards check`") from None
    except OSError as exc:
        raise FlashcardsError(f"{target}: backup failed ({exc.strerror or exc}); the store itself is fine") from None
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            leftover.unlink(missing_ok=True)
    _rotate(db_path, keep)
    return target


class _Damaged(sqlite3.DatabaseError):
    pass


def _copy(db_path: Path, partial: Path, seq: int, settings_file: Path | None,
          on_snapshot: threading.Event | None) -> None:
    """Copy what cannot be rebuilt into `partial`, from one consistent view of the store; verify it."""
    copy = sqlite3.connect(partial.resolve().as_uri(), uri=True, isolation_level=None)
    try:
        copy.execute("PRAGMA journal_mode=OFF")  # a new file: on any failure it is deleted, not rolled back
        copy.execute("PRAGMA synchronous=OFF")  # flushed once, at the end
        copy.execute("ATTACH DATABASE ? AS src", (f"{db_path.resolve().as_uri()}?mode=ro",))
        copy.execute("BEGIN")
        schema = copy.execute(
            "SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY type = 'index'").fetchall()
        version = copy.execute("PRAGMA src.user_version").fetchone()[0]
        if on_snapshot:
            on_snapshot.set()  # the view is fixed from here: answers given meanwhile are not in this backup
        if [row[0] for row in copy.execute("PRAGMA src.quick_check(1)")] != ["ok"]:
            raise _Damaged("integrity check failed")
        indexes = [sql for kind, _, sql in schema if kind == "index"]  # made again on restore: half the size
        for kind, name, sql in schema:
            if kind == "table":
                copy.execute(sql)
                if name in KEPT_TABLES:
                    copy.execute(f'INSERT INTO main."{name}" SELECT * FROM src."{name}"')
        copy.execute(f"CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        meta = {"seq": str(seq), "indexes": json.dumps(indexes)}
        if settings_file is not None and settings_file.is_file():
            meta["settings"] = settings_file.read_text(encoding="utf-8")
        copy.executemany(f"INSERT INTO {META} VALUES (?, ?)", meta.items())
        copy.execute("COMMIT")
        copy.execute("DETACH DATABASE src")
        copy.execute(f"PRAGMA user_version = {int(version)}")
        if [row[0] for row in copy.execute("PRAGMA integrity_check(1)")] != ["ok"]:
            raise _Damaged("the copy failed its integrity check")
    finally:
        copy.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())


def _remove_stale_partials(folder: Path) -> None:
    """Half-made backups of a run that was killed (over an hour old: none is still being written)."""
    import time

    for stale in folder.glob(".*.partial*"):
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink()
        except OSError:
            pass


def _rotate(db_path: Path, keep: int) -> None:
    """Remove the oldest backups beyond the newest `keep` good ones (those passing the integrity check);
    damaged ones are left alone, never counted as good."""
    for info in backup_infos(db_path, verify=True)[:-keep]:
        info.path.unlink(missing_ok=True)


class BackupJob:
    """Today's backup, taken by a thread with its own connection while the session goes on."""

    def __init__(self, db_path: Path, today: date | None = None, settings_file: Path | None = None) -> None:
        self.result: Path | None = None
        self.error: str | None = None
        self._snapshot = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(db_path, today, settings_file), daemon=True,
                                        name="flashcards-backup")
        self._thread.start()
        self._snapshot.wait(5.0)  # a few ms: the backup holds the store as the session began

    def _run(self, db_path: Path, today: date | None, settings_file: Path | None) -> None:
        try:
            self.result = daily_backup(db_path, today, settings_file=settings_file, on_snapshot=self._snapshot)
        except FlashcardsError as exc:
            self.error = str(exc)
        except Exception as exc:  # never let a backup take the session down
            self.error = f"{backup_dir(db_path)}: backup failed ({type(exc).__name__}: {exc}); the store itself is fine"
        finally:
            self._snapshot.set()

    def wait(self) -> str | None:
        """Wait for the backup to finish; the error line, or None when it went well (or was not needed)."""
        self._thread.join()
        return self.error


def named_backup(db_path: Path, label: str) -> Path:
    """A whole copy of the store as last committed, `backups/NAME-LABEL.db` (replaced each time), taken
    through a connection of its own (SQLite's online backup): a writer holding the store's lock meanwhile
    still sees it copied as it was before its own writes."""
    target = backup_dir(db_path) / f"{db_path.stem}-{label}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".db.partial")
    partial.unlink(missing_ok=True)
    source, copy = sqlite3.connect(db_path), sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    partial.replace(target)
    return target
