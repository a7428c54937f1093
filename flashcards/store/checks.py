"""Is the review store sound? Each problem with a fix, and the backups to restore from.

Opens the store read-only: checking never changes it, and a damaged store is never replaced. The advice never
loses an answer the store holds: counts that disagree with an intact review log are recounted from it
(`check --repair`, after a backup); a restore is advised only for a store that is really damaged, saying which
answers the backup lacks.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .backups import backups, named_backup
from .connection import readonly_uri
from .schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from . import Store


@dataclass(frozen=True)
class Problem:
    """Something wrong, and what to do about it; `repairable`: `check --repair` fixes it from the store itself."""

    message: str
    fix: str
    repairable: bool = False


@dataclass
class Repair:
    """What `check --repair` did: the copy taken first, the cards recounted, the memory states that changed; or
    why it did nothing (`refused`)."""

    backup: Path | None = None
    recounted: int = 0
    memory_changed: int = 0
    refused: str | None = None

    def describe(self) -> str:
        if self.backup is None:
            return "nothing to repair: every card's counts agree with its review log"
        return (f"repaired: recounted {self.recounted} card{'' if self.recounted == 1 else 's'} from the review log "
                f"(reps and lapses; memory states recomputed, {self.memory_changed} changed); the store as it was "
                f"is in {self.backup}")

    def to_dict(self) -> dict:
        return {"backup": None if self.backup is None else str(self.backup), "recounted": self.recounted,
                "memory_changed": self.memory_changed, "refused": self.refused}


@dataclass
class CheckReport:
    """What the check found."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    cards: int = 0
    answers: int = 0
    repair: Repair | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def repairable(self) -> bool:
        """Whether every problem is one `check --repair` fixes (the store itself is sound)."""
        return bool(self.problems) and all(problem.repairable for problem in self.problems)

    def to_dict(self) -> dict:
        found = {"store": str(self.path), "ok": self.ok, "cards": self.cards, "answers": self.answers,
                 "problems": [{"problem": p.message, "fix": p.fix, "repairable": p.repairable} for p in self.problems],
                 "backups": [str(b) for b in self.backups]}
        if self.repair is not None:
            found["repair"] = self.repair.to_dict()
        return found


def restore_fix(path: Path, found: list[Path]) -> str:
    """How to get a damaged store back: `flashcards restore` (saying which answers the backup lacks), or SQLite's
    recovery when there is no backup."""
    recover = f"sqlite3 {path} .recover | sqlite3 {path.with_suffix('.recovered.db')}"
    if not found:
        return f"no backup yet; try SQLite's recovery: {recover}"
    return (f"restore the newest good backup (the damaged files are moved aside, never deleted): "
            f"flashcards restore --db {path}; {_backup_lacks(path, found[-1])}; SQLite's recovery may save more of "
            f"them (run it before restoring): {recover}")


def _backup_lacks(path: Path, backup: Path) -> str:
    """What the backup a restore would put back lacks: the answers given after its newest one (and how many the
    damaged store still shows of them, when it can be read that far)."""
    held = _answers_in(backup, None)
    if held is None:
        return f"what {backup.name} lacks cannot be read"
    count, newest = held
    if newest is None:
        lacks = f"{backup.name} holds 0 answers: the answers given here are not in it"
    else:
        when = datetime.fromtimestamp(newest / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
        lacks = f"{backup.name} holds {count} answers, the newest from {when}: answers given after that are not in it"
    newer = _answers_in(path, newest)
    if newer is not None and newer[0]:
        lacks += f" ({newer[0]} in this store)"
    return lacks


def _answers_in(path: Path, after_ms: int | None) -> tuple[int, int | None] | None:
    """(answers, the newest one's moment in ms) of a store or backup (only those after `after_ms` when given);
    None when it cannot be read."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, OSError):
        return None
    try:
        row = db.execute("SELECT count(*), max(reviewed_at) FROM review_log WHERE reviewed_at > ?",
                         (-1 if after_ms is None else after_ms,)).fetchone()
        return int(row[0]), row[1]
    except sqlite3.Error:
        return None
    finally:
        db.close()


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


def _cards(count: int) -> str:
    return f"{count} card" if count == 1 else f"{count} cards"


def _consistency(db: sqlite3.Connection, report: CheckReport) -> None:
    disagree = count_torn_cards(db)
    if disagree:  # the log is intact (the integrity check passed): the counts follow from it, every answer kept
        report.problems.append(Problem(
            f"{report.path}: {_cards(disagree)} whose answer count disagrees with the review log",
            "their schedules still work and every answer is in the log; recount them from it (a copy of the store "
            f"is taken first): flashcards check --repair --db {report.path}",
            repairable=True,
        ))
    orphans = db.execute("SELECT count(*) FROM deck_cards WHERE deck_path NOT IN (SELECT path FROM decks)").fetchone()[0]
    if orphans:
        report.problems.append(Problem(
            f"{report.path}: {orphans} cached {'card' if orphans == 1 else 'cards'} of decks the store no longer lists",
            "harmless; run `flashcards due DECK` on your decks to refresh the cache",
        ))


def count_torn_cards(db: sqlite3.Connection) -> int:
    """Cards whose answer count (reps) disagrees with their rows in the review log: 0 in a sound store."""
    return db.execute(
        "SELECT count(*) FROM schedule s LEFT JOIN (SELECT card_id, count(*) AS n FROM review_log GROUP BY card_id) l "
        "ON l.card_id = s.card_id WHERE s.reps != coalesce(l.n, 0)"
    ).fetchone()[0]


def repair_counts(store: Store) -> tuple[Path, int]:
    """Every card's reps and lapses recounted from its review log, in one transaction, after a copy of the store
    as it was (`backups/NAME-before-repair.db`); returns (that copy, cards changed). Memory states are the
    caller's to recompute (scheduling.memory_states), from the same log."""
    backup = named_backup(store.path, "before-repair")
    with store.transaction() as db:
        changed = store.recount_answers(db)
    return backup, changed
