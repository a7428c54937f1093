"""Answers brought in from elsewhere (an Anki package), merged into the review log exactly once: an answer is
the same answer when it is on the same card at the same millisecond; and each card's answer counts (reps,
lapses) made what its log says once answers from elsewhere joined it.

Into an empty log a million answers go in bulk (BulkLog): the log's secondary indexes are dropped inside the
import's transaction, the rows appended in order, and each index built once at the end from a sort, instead of
a million inserts at random places of three B-trees; all of it one transaction, so a kill midway leaves the
store as it was (indexes included).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from ..model import LoggedAnswer, Rating, State
from .previous_intervals import noting_cards, refresh_previous_intervals
from .rows import LOG_COLUMNS, answer_values, marks

# a row of the log as import-anki makes it (anki.scheduling_in.LogRows): no memory state, the previous interval
# -2**63 for none (binding None costs sqlite3 an adaptation attempt, an exception, per value)
_ROW_COLUMNS = "card_id, reviewed_at, rating, duration_ms, state_before, state_after, due, previous_interval_ms"
_ROW_VALUES = f"?1, ?2, ?3, ?4, ?5, ?6, ?7, NULLIF(?8, {-(2**63)})"

_CHUNK = 500  # card ids per query
# a card's answer counts as its review log gives them: every answer is a rep; Again on a card in review, a lapse
# (as the scheduler counts them: scheduling/scheduler.py)
_RECOUNT = (
    "UPDATE schedule SET reps = l.reps, lapses = l.lapses FROM (SELECT s.card_id, "
    "(SELECT count(*) FROM review_log r WHERE r.card_id = s.card_id) AS reps, "
    f"(SELECT count(*) FROM review_log r WHERE r.card_id = s.card_id AND r.rating = {int(Rating.AGAIN)} "
    f"AND r.state_before = {int(State.REVIEW)}) AS lapses FROM schedule s {{where}}) AS l "
    "WHERE schedule.card_id = l.card_id AND (schedule.reps != l.reps OR schedule.lapses != l.lapses)"
)


class HistoryImport:
    """Merging imported answers (mixed into Store)."""

    db: sqlite3.Connection
    transaction: Callable

    def known_card_ids(self) -> list[str]:
        """Every card id the store knows: scheduled or in a cached deck."""
        return [row[0] for row in self.db.execute("SELECT card_id FROM schedule UNION SELECT card_id FROM deck_cards")]

    def latest_answer_times(self) -> dict[str, int]:
        """Each card's latest answer time (ms UTC)."""
        return dict(self.db.execute("SELECT card_id, max(reviewed_at) FROM review_log GROUP BY card_id"))

    def merge_answers(self, db: sqlite3.Connection, answers: Iterable[LoggedAnswer]) -> int:
        """Add the answers the log lacks (same card, same millisecond: already there) inside a transaction();
        returns how many were added."""
        cards: set[str] = set()
        added = db.executemany(  # rowcount: the rows inserted, not what triggers did
            f"INSERT INTO review_log ({LOG_COLUMNS}) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE NOT EXISTS "
            "(SELECT 1 FROM review_log WHERE card_id = ?1 AND reviewed_at = ?2)",
            (answer_values(answer) for answer in noting_cards(answers, cards)),
        ).rowcount
        if added:  # they may land in the middle of a card's history
            refresh_previous_intervals(db, cards)
        return added

    def log_is_empty(self, db: sqlite3.Connection) -> bool:
        """Whether the review log holds no answer (ask inside the transaction that fills it)."""
        return db.execute("SELECT NOT EXISTS (SELECT 1 FROM review_log)").fetchone()[0] == 1

    def merge_log_rows(self, db: sqlite3.Connection, rows: Sequence[tuple], refresh: bool = True) -> int:
        """merge_answers() for rows as import-anki makes them (see _ROW_COLUMNS; the previous interval the one the
        row has when its card has no other answers: with `refresh`, those of the cards' answers are set right
        afterwards; without, the caller refreshes them, once, when its rows are all in)."""
        added = db.executemany(  # rowcount: the rows inserted, not what triggers did
            f"INSERT INTO review_log ({_ROW_COLUMNS}) SELECT {_ROW_VALUES} WHERE NOT EXISTS "
            "(SELECT 1 FROM review_log WHERE card_id = ?1 AND reviewed_at = ?2)", rows).rowcount
        if added and refresh:
            refresh_previous_intervals(db, {row[0] for row in rows})
        return added

    @contextmanager
    def bulk_log(self, db: sqlite3.Connection) -> Iterator[BulkLog]:
        """Inside a transaction(), on an empty log (see the docstring): rows appended as given, the indexes built
        again on leaving (not when an error leaves: the transaction's rollback brings them back)."""
        bulk = BulkLog(db)
        yield bulk
        bulk.index()

    def refresh_previous_intervals(self, db: sqlite3.Connection, card_ids: Iterable[str]) -> None:
        """Set these cards' answers' previous intervals from their logs, inside a transaction()."""
        refresh_previous_intervals(db, card_ids)

    def recount_answers(self, db: sqlite3.Connection, card_ids: Iterable[str] | None = None) -> int:
        """Set these cards' reps and lapses (every card's, without `card_ids`) to what their review log says,
        inside a transaction(): after answers from elsewhere joined a log, a count taken from the other side
        (Anki's reps) lacks the answers given here. Returns how many cards changed."""
        if card_ids is None:
            return db.execute(_RECOUNT.format(where="")).rowcount
        ids = sorted(set(card_ids))
        changed = 0
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            changed += db.execute(_RECOUNT.format(where=f"WHERE s.card_id IN ({marks(chunk)})"), chunk).rowcount
        return changed

    def answer_counts_of(self, card_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """card id -> (reps, lapses) as these cards' review log gives them (cards without answers are absent)."""
        found: dict[str, tuple[int, int]] = {}
        ids = sorted(set(card_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows = self.db.execute(
                f"SELECT card_id, count(*), sum(rating = {int(Rating.AGAIN)} AND state_before = {int(State.REVIEW)}) "
                f"FROM review_log WHERE card_id IN ({marks(chunk)}) GROUP BY card_id", chunk)
            found.update((card_id, (reps, lapses)) for card_id, reps, lapses in rows)
        return found


class BulkLog:
    """Rows appended to an empty log, its secondary indexes (as the schema made them) dropped until index()."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.indexes = [sql for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review_log' AND sql IS NOT NULL "
            "ORDER BY rowid")]
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review_log' "
                                  "AND sql IS NOT NULL").fetchall():
            db.execute(f'DROP INDEX "{name}"')
        self.added = 0

    def add(self, rows: Sequence[tuple]) -> None:
        """Append rows as import-anki makes them (see _ROW_COLUMNS), none already there."""
        self.db.executemany(f"INSERT INTO review_log ({_ROW_COLUMNS}) VALUES ({_ROW_VALUES})", rows)
        self.added += len(rows)

    def index(self) -> None:
        for sql in self.indexes:
            self.db.execute(sql)
