"""Each card's whole history in one row, for recomputing memory states: the schedule's row and, counted by
SQLite from the covering index review_log_card (card, time, id, rating: no row lookups), its answers in order
as a JSON list of 4 * study day + rating - 1. The study days come from the caller's day shifts (a moment's
day is (ms + shift) // DAY_MS, the shift the one of the stretch of time it falls in; see
scheduling/studydays.day_shifts), so nothing in Python runs per answer; an answer whose rating is not 1-4
writes "x" instead, which no JSON reader accepts (the caller reads that card the slow way).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from .rows import marks

DAY_MS = 86_400_000
_FAR_DAYS = 1_000_000  # added to every dividend: SQLite's integer division truncates, floor is wanted
_CHUNK = 500  # card ids per query

# the columns memory_rows() gives, then the history
_COLUMNS = "s.card_id, s.state, s.stability, s.difficulty, s.last_review, s.due, s.reps, s.suspended"


def log_span(db: sqlite3.Connection) -> tuple[int, int] | None:
    """The earliest and latest answer times (ms UTC) of the whole log, from its time index; None when empty."""
    first, last = db.execute("SELECT (SELECT min(reviewed_at) FROM review_log), "  # each one index lookup
                             "(SELECT max(reviewed_at) FROM review_log)").fetchone()
    return None if first is None else (int(first), int(last))


def study_day_sql(shifts: Sequence[tuple[int, int]], column: str = "r.reviewed_at") -> str:
    """An SQL expression of `column` (ms UTC): its study day since the epoch, (ms + shift) // DAY_MS with the
    shift of the stretch it falls in (shifts: [(from ms, shift ms)] in time order, as day_shifts gives them),
    the stretches found by a binary tree of comparisons."""
    if len(shifts) == 1:
        return f"(({column} + {int(shifts[0][1]) + _FAR_DAYS * DAY_MS}) / {DAY_MS} - {_FAR_DAYS})"
    middle = len(shifts) // 2
    return (f"(CASE WHEN {column} < {int(shifts[middle][0])} THEN {study_day_sql(shifts[:middle], column)} "
            f"ELSE {study_day_sql(shifts[middle:], column)} END)")


def memory_histories(db: sqlite3.Connection, shifts: Sequence[tuple[int, int]],
                     card_ids: Sequence[str] | None = None) -> Iterator[tuple]:
    """(card id, state, stability, difficulty, last review ms, due ms, reps, suspended, history) of every card
    that is not new (only of `card_ids` when given), in card order; history: the JSON list of 4 * study day +
    rating - 1 per answer in (time, id) order (see the module's docstring), None for a card without answers."""
    day = study_day_sql(shifts)
    history = (f"(SELECT '[' || group_concat(CASE WHEN r.rating BETWEEN 1 AND 4 THEN {day} * 4 + r.rating - 1 "
               "ELSE 'x' END) || ']' FROM review_log r INDEXED BY review_log_card WHERE r.card_id = s.card_id)")
    select = f"SELECT {_COLUMNS}, {history} AS h FROM schedule s WHERE s.state != 0"
    if card_ids is None:
        yield from db.execute(f"{select} ORDER BY s.card_id")
        return
    ids = sorted(set(card_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        yield from db.execute(f"{select} AND s.card_id IN ({marks(chunk)}) ORDER BY s.card_id", chunk)
