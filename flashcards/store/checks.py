"""Is the review store sound? Each problem with a fix, and the backups to restore from.

Opens the store read-only: checking never changes it, and a damaged store is never replaced.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .backups import backups
from .connection import readonly_uri
from .schema import SCHEMA_VERSION


@dataclass(frozen=True)
class Problem:
    """Something wrong, and what to do about it."""

    message: str
    fix: str


@dataclass
class CheckReport:
    """What the check found."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    cards: int = 0
    answers: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"store": str(self.path), "ok": self.ok, "cards": self.cards, "answers": self.answers,
                "problems": [{"problem": p.message, "fix": p.fix} for p in self.problems],
                "backups": [str(b) for b in self.backups]}


def restore_fix(path: Path, found: list[Path]) -> str:
    """How to get a damaged store back: `flashcards restore`, or SQLite's recovery when there is no backup."""
    if found:
        return (f"restore the newest good backup (the damaged files are moved aside, never deleted): "
                f"flashcards restore --db {path}")
    return f"no backup yet; try SQLite's recovery: sqlite3 {path} .recover | sqlite3 {path.with_suffix('.recovered.db')}"


def check_store(path: Path) -> CheckReport:
    """Run SQLite's integrity check and our own consistency checks on a store, read-only."""
    report = CheckReport(path, backups=backups(path))
    if not path.exists():
        report.problems.append(Problem(f"{path}: no review store here", "review a deck to create it, or pass --db"))
        return report
    if path.is_file() and path.stat().st_size == 0:
        report.problems.append(Problem(f"{path}: an empty file, not a review store", restore_fix(path, report.backups)))
        return report
    try:
        db = sqlite3.connect(readonly_uri(path), uri=True)  # on a read-only filesystem too
    except sqlite3.Error as exc:
        report.problems.append(Problem(f"{path}: cannot open ({exc})", "check the file's permissions"))
        return report
    try:
        rows = [row[0] for row in db.execute("PRAGMA integrity_check(20)")]
        if rows != ["ok"]:
            detail = "; ".join(rows[:3]) + (f" (+{len(rows) - 3} more)" if len(rows) > 3 else "")
            report.problems.append(Problem(f"{path}: integrity check failed: {detail}", restore_fix(path, report.backups)))
            return report
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            report.problems.append(Problem(f"{path}: made by a newer flashcards (schema {version})", "upgrade flashcards"))
            return report
        if version == 0:
            return report  # empty, not yet set up: any command will
        report.cards = db.execute("SELECT count(*) FROM schedule").fetchone()[0]
        report.answers = db.execute("SELECT count(*) FROM review_log").fetchone()[0]
        _consistency(db, report)
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem(f"{path}: damaged ({exc})", restore_fix(path, report.backups)))
    finally:
        db.close()
    return report


def _consistency(db: sqlite3.Connection, report: CheckReport) -> None:
    disagree = count_torn_cards(db)
    if disagree:
        report.problems.append(Problem(
            f"{report.path}: {disagree} card(s) whose answer count disagrees with the review log",
            "their schedules still work; if this follows a restore, restore the matching backup: "
            + restore_fix(report.path, report.backups),
        ))
    orphans = db.execute("SELECT count(*) FROM deck_cards WHERE deck_path NOT IN (SELECT path FROM decks)").fetchone()[0]
    if orphans:
        report.problems.append(Problem(
            f"{report.path}: {orphans} cached card(s) of decks the store no longer lists",
            "harmless; run `flashcards due DECK` on your decks to refresh the cache",
        ))


def count_torn_cards(db: sqlite3.Connection) -> int:
    """Cards whose answer count (reps) disagrees with their rows in the review log: 0 in a sound store."""
    return db.execute(
        "SELECT count(*) FROM schedule s LEFT JOIN (SELECT card_id, count(*) AS n FROM review_log GROUP BY card_id) l "
        "ON l.card_id = s.card_id WHERE s.reps != coalesce(l.n, 0)"
    ).fetchone()[0]
