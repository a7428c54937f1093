"""Daily backups of the review store, as Anki keeps them: one a day, the last few kept."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

KEEP = 7  # daily backups kept


def backup_dir(db_path: Path) -> Path:
    """Where a store's backups live: a `backups` folder beside it."""
    return db_path.parent / "backups"


def backups(db_path: Path) -> list[Path]:
    """A store's backups, oldest first."""
    folder = backup_dir(db_path)
    return sorted(folder.glob(f"{db_path.stem}-????-??-??.db")) if folder.is_dir() else []


def daily_backup(db: sqlite3.Connection, db_path: Path, today: date | None = None, keep: int = KEEP) -> Path | None:
    """Back the store up once a day (SQLite's online backup, consistent while in use); drop the oldest.

    Returns the new backup, or None when today's already exists.
    """
    today = today or date.today()
    target = backup_dir(db_path) / f"{db_path.stem}-{today.isoformat()}.db"
    if target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".db.partial")
    with sqlite3.connect(partial) as copy:
        db.backup(copy)
    copy.close()
    partial.replace(target)
    for old in backups(db_path)[:-keep]:
        old.unlink(missing_ok=True)
    return target
