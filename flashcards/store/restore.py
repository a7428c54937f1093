"""Restoring a backup: the store (with its -wal and -shm) moved into a new dated folder beside it, never
overwritten; the backup copied in, checked, and only then put in the store's place.

A compact backup has no deck cache: the restored store's cache is empty and refills from the deck files.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import FlashcardsError
from .backups import META, BackupInfo, backup_infos, read_backup

STORE_FILES = ("", "-wal", "-shm", "-journal")


@dataclass
class RestorePlan:
    """What a restore will do (ui/reports.py says it)."""

    store: Path
    backup: BackupInfo
    settings_file: Path
    aside: Path  # the new folder the current files move into
    moving: list[Path] = field(default_factory=list)


@dataclass
class RestoreReport:
    """What a restore did (ui/reports.py says it)."""

    plan: RestorePlan
    moved: list[Path]
    cards: int
    answers: int
    check_ok: bool


def choose_backup(store: Path, given: Path | None) -> BackupInfo:
    """The backup to restore: the one given, else the newest one that passes SQLite's integrity check."""
    if given is not None:
        if not given.is_file():
            raise FlashcardsError(f"{given}: no such backup file")
        info = read_backup(given, verify=True)
        if info is None:
            raise FlashcardsError(f"{given}: not a sound flashcards backup (it fails SQLite's integrity check); "
                                  "nothing changed")
        return info
    for info in reversed(backup_infos(store)):
        checked = read_backup(info.path, verify=True)
        if checked is not None:
            return checked
    raise FlashcardsError(f"{store}: no sound backup to restore (looked in {store.parent / 'backups'}); nothing changed")


def plan_restore(store: Path, settings_file: Path, given: Path | None, now: datetime) -> RestorePlan:
    """Decide what to restore and where the current files go; changes nothing."""
    backup = choose_backup(store, given)
    stamp = now.strftime("%Y-%m-%d-%H%M%S")
    aside = store.parent / f"{store.stem}-before-restore-{stamp}"
    number = 2
    while aside.exists():
        aside = store.parent / f"{store.stem}-before-restore-{stamp}-{number}"
        number += 1
    moving = [Path(f"{store}{suffix}") for suffix in STORE_FILES if Path(f"{store}{suffix}").exists()]
    if settings_file.exists():  # the settings go with the store: the backup's, or the defaults when it has none
        moving.append(settings_file)
    return RestorePlan(store, backup, settings_file, aside, moving)


def restore(plan: RestorePlan) -> RestoreReport:
    """Carry out a plan: copy and check the backup beside the store, move the current files aside, put it in place."""
    from .checks import check_store

    store = plan.store
    incoming = store.with_name(f".{store.name}.restoring")
    incoming.unlink(missing_ok=True)
    try:
        _copy_backup(plan.backup.path, incoming)
        plan.aside.mkdir(parents=False, exist_ok=False)
        moved = []
        for path in plan.moving:
            os.rename(path, plan.aside / path.name)  # same folder, same filesystem: nothing is copied or lost
            moved.append(path)
        os.rename(incoming, store)
        if plan.backup.settings is not None:
            from ..files.atomic import write_atomic

            write_atomic(plan.settings_file, plan.backup.settings.encode("utf-8"))
    except OSError as exc:
        raise FlashcardsError(f"{store}: restore failed ({exc.strerror or exc}); files already moved are in "
                              f"{plan.aside}") from None
    finally:
        incoming.unlink(missing_ok=True)
    report = check_store(store)
    return RestoreReport(plan, moved, report.cards, report.answers, report.ok)


def _copy_backup(backup: Path, target: Path) -> None:
    """The backup's content in a fresh file (its bookkeeping table dropped), checked before use."""
    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(copy)
        if copy.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (META,)).fetchone():
            stored = copy.execute(f"SELECT value FROM {META} WHERE key = 'indexes'").fetchone()
            for sql in json.loads(stored[0]) if stored else []:
                copy.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        copy.execute(f"DROP TABLE IF EXISTS {META}")
        if [row[0] for row in copy.execute("PRAGMA integrity_check(1)")] != ["ok"]:
            raise FlashcardsError(f"{backup}: the copy fails SQLite's integrity check; nothing changed")
        copy.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise FlashcardsError(f"{backup}: cannot copy the backup ({exc}); nothing changed") from None
    finally:
        source.close()
        copy.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
