"""The answers of past study days, summed once and kept for `flashcards stats`: a cache (never backed up, rebuilt
whenever in doubt), so that a day's stats read only the answers given since.

stats_days holds, per scope (every answer, or a selection of decks as their files were), the answers given before
the scope's `covered_ms` summed per (study day, local hour, state before, mature, rating); stats_marks says what
each scope's sums cover. The sums of a scope are trusted while all of these hold:

- its `shape` is the one the caller expects (stats/past_days.py: the rollover hour and the UTC offsets that made
  the study days, and the sums' format);
- the log holds as many answers given before covered_ms as when the sums were written: an import or a sync that
  brings answers of past days adds to that count (undo or a restore takes from it);
- stats_log_changes counts as then: triggers on review_log count every row given before any scope's covered_ms that
  is deleted or updated (an undo of a past answer, a previous interval recomputed after an import), so that a
  deletion and an insertion cannot cancel out. They are the cache's own, made when it is first written; a store
  without them (a backup copies no triggers) or without its counter row has no trusted sums.

Anything else (a new rollover hour, a time zone, a deck edited, a clock set back) makes them rebuilt: from the
first answer, in one write transaction, which also re-checks all this, so no concurrent writer can slip by.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from .connection import BUSY_TIMEOUT_S
from .rows import marks

TABLES = ("stats_days", "stats_marks", "stats_log_changes")
KEPT_SCOPES = 4  # scopes kept besides the one written: the most recently written ones
Group = tuple[int, int, int, int, int, int, int]  # day, hour, state before, mature, rating, answers, duration ms

_BUMP = "BEGIN UPDATE stats_log_changes SET changes = changes + 1; END"
_COVERED = "(SELECT max(covered_ms) FROM stats_marks)"
TRIGGERS = {
    "stats_log_deleted": f"CREATE TRIGGER IF NOT EXISTS stats_log_deleted AFTER DELETE ON review_log "
                         f"WHEN OLD.reviewed_at < {_COVERED} {_BUMP}",
    "stats_log_updated": f"CREATE TRIGGER IF NOT EXISTS stats_log_updated AFTER UPDATE ON review_log "
                         f"WHEN min(OLD.reviewed_at, NEW.reviewed_at) < {_COVERED} {_BUMP}",
}
_WRITE_TIMEOUT_MS = 2000  # a store busy longer than this (a sync, an import) is left unwritten: stats sum it all


@dataclass(frozen=True)
class DaysMark:
    """What one scope's sums cover: the answers given from first_ms (the log's first then) to covered_ms, `answers`
    of them, study days of `shape`; `changes`: the log's change counter when they were written."""

    scope: str
    shape: str
    first_ms: int
    covered_ms: int
    answers: int
    changes: int


class StatsDays:
    """The past days' sums (mixed into Store through StatsQueries)."""

    db: sqlite3.Connection

    @contextmanager
    def stats_snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the store (a read transaction), whatever other processes write meanwhile."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    def days_scope(self, decks: Sequence[str] | None) -> str:
        """The cache's key for answers of these decks' cards (None: every answer): the decks as their files were read."""
        if decks is None:
            return "*"
        rows = self.db.execute(f"SELECT path, mtime_ns, size, cards FROM decks WHERE path IN ({marks(decks)}) "
                               "ORDER BY path", tuple(decks)).fetchall()
        return repr(sorted(set(decks))) + repr(rows)

    def days_mark(self, scope: str) -> DaysMark | None:
        """The scope's mark while nothing written to the log since touched the days it covers (see the module), else None."""
        row = self.db.execute("SELECT shape, first_ms, covered_ms, answers, changes FROM stats_marks WHERE scope = ?",
                              (scope,)).fetchone()
        if row is None or not self._machinery_in_place():
            return None
        mark = DaysMark(scope, *row)
        counter = self.db.execute("SELECT changes FROM stats_log_changes").fetchall()
        if counter != [(mark.changes,)] or self._answers_before(mark.covered_ms) != mark.answers:
            return None
        return mark

    def days_sums(self, scope: str) -> list[Group]:
        """The scope's kept sums."""
        return self.db.execute("SELECT day, hour, state_before, mature, rating, answers, duration_ms FROM stats_days "
                               "WHERE scope = ?", (scope,)).fetchall()

    def write_days(self, scope: str, shape_of: Callable[[int, int], str], first_ms: int, covered_ms: int,
                   sums_from: Callable[[int], list[Group]]) -> bool:
        """Keep the scope's sums up to covered_ms, in one write transaction: only those from its mark's covered_ms on
        added when the mark is still trusted (and its shape that of shape_of(first, covered)), else all of them
        from first_ms again. sums_from(low_ms) sums the answers from low_ms to covered_ms. False when the store
        could not be written (busy, read-only, full): nothing is kept then."""
        if self.db.in_transaction:  # (inside the caller's transaction: its writes are its own business)
            return False
        try:
            self.db.execute(f"PRAGMA busy_timeout = {_WRITE_TIMEOUT_MS}")
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _unwritable(exc):
                return False
            raise
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {round(BUSY_TIMEOUT_S * 1000)}")
        try:
            self._write_days(scope, shape_of, first_ms, covered_ms, sums_from)
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and _unwritable(exc):
                return False
            raise
        return True

    def _write_days(self, scope: str, shape_of: Callable[[int, int], str], first_ms: int, covered_ms: int,
                    sums_from: Callable[[int], list[Group]]) -> None:
        mark = self.days_mark(scope)
        if mark is not None and mark.covered_ms <= covered_ms and mark.shape == shape_of(mark.first_ms, mark.covered_ms):
            first_ms, low = mark.first_ms, mark.covered_ms
        else:
            self.db.execute("DELETE FROM stats_days WHERE scope = ?", (scope,))
            low = first_ms
            for sql in TRIGGERS.values():
                self.db.execute(sql)
            if self.db.execute("SELECT count(*) FROM stats_log_changes").fetchone()[0] != 1:
                self.db.execute("DELETE FROM stats_log_changes")
                self.db.execute("INSERT INTO stats_log_changes VALUES (0)")
        self.db.executemany(
            "INSERT INTO stats_days VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "answers = answers + excluded.answers, duration_ms = duration_ms + excluded.duration_ms",
            ((scope, *group) for group in sums_from(low)))
        written = self.db.execute("SELECT coalesce(max(written), 0) + 1 FROM stats_marks").fetchone()[0]
        changes = self.db.execute("SELECT changes FROM stats_log_changes").fetchone()[0]
        self.db.execute("INSERT OR REPLACE INTO stats_marks VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (scope, shape_of(first_ms, covered_ms), first_ms, covered_ms,
                         self._answers_before(covered_ms), changes, written))
        stale = "SELECT scope FROM stats_marks ORDER BY written DESC LIMIT -1 OFFSET ?"
        self.db.execute(f"DELETE FROM stats_days WHERE scope IN ({stale})", (KEPT_SCOPES + 1,))
        self.db.execute(f"DELETE FROM stats_marks WHERE scope IN ({stale})", (KEPT_SCOPES + 1,))

    def _machinery_in_place(self) -> bool:
        names = tuple(TRIGGERS)
        found = self.db.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks(names)})",
                                names).fetchone()[0]
        return found == len(names)

    def _answers_before(self, ms: int) -> int:
        """Answers in the log given before `ms`: all of them (a count SQLite keeps cheap) less the few since."""
        total = self.db.execute("SELECT count(*) FROM review_log").fetchone()[0]
        return total - self.db.execute("SELECT count(*) FROM review_log WHERE reviewed_at >= ?", (ms,)).fetchone()[0]


def _unwritable(exc: sqlite3.OperationalError) -> bool:
    """A store that cannot take the cache's write now (busy, read-only, full), as opposed to a mistake."""
    return any(word in str(exc) for word in ("locked", "busy", "readonly", "read-only", "full"))
