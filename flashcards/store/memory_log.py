"""Whole histories for recomputing memory states, read from the log a chunk of cards in one row: read by SQLite
from the covering index review_log_card (card, time, id, rating: no row lookups), each card's answers in order as
a JSON list of 4 * study day + rating - 1, led by 4 * its first answer's study day. The study days come from the
caller's day shifts (a moment's day is (ms + shift) // DAY_MS, the shift the one of the stretch of time it falls
in; see scheduling/studydays.day_shifts), so nothing in Python runs per answer; an answer whose rating is not
1-4 writes "x" instead, which no JSON reader accepts. memory_history.py keeps them in compact form, read from
here only for the cards whose log changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from .rows import marks

DAY_MS = 86_400_000
_FAR_DAYS = 1_000_000  # added to every dividend: SQLite's integer division truncates, floor is wanted
_CHUNK = 500  # card ids per query
CHUNK = 20_000  # cards whose histories come in one row


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


def log_history_chunks(db: sqlite3.Connection, shifts: Sequence[tuple[int, int]], card_ids: Sequence[str] | None = None,
                       chunk: int | None = None) -> Iterator[tuple[str, str]]:
    """The histories of every card that is not new and has answers (only of `card_ids` when given), in card
    order, about `chunk` cards at a time (one row each, so that nothing in Python runs per card either): (a JSON
    list of their card ids, a JSON list of their histories), each history the list [4 * the study day of the
    card's first answer, then 4 * study day + rating - 1 per answer in (time, id) order] (see the docstring)."""
    chunk = chunk or CHUNK
    day, first = study_day_sql(shifts), study_day_sql(shifts, "min(r.reviewed_at)")
    history = (f"(SELECT '[' || ({first} * 4) || ',' || group_concat(CASE WHEN r.rating BETWEEN 1 AND 4 THEN "
               f"{day} * 4 + r.rating - 1 ELSE 'x' END) || ']' FROM review_log r INDEXED BY review_log_card "
               "WHERE r.card_id = s.card_id)")
    columns = ("count(*), max(card_id), json_group_array(card_id) FILTER (WHERE h IS NOT NULL), "
               "'[' || group_concat(h) || ']'")
    select = f"SELECT s.card_id AS card_id, {history} AS h FROM schedule s WHERE s.state != 0"
    if card_ids is None:
        after: str | None = None
        while True:
            if after is None:
                row = db.execute(f"SELECT {columns} FROM ({select} ORDER BY s.card_id LIMIT ?)", (chunk,)).fetchone()
            else:
                row = db.execute(f"SELECT {columns} FROM ({select} AND s.card_id > ? ORDER BY s.card_id LIMIT ?)",
                                 (after, chunk)).fetchone()
            count, after, ids, histories = row
            if histories is not None:
                yield ids, histories
            if count < chunk:
                return
    ids = sorted(set(card_ids))
    step = min(_CHUNK, chunk)
    for start in range(0, len(ids), step):
        part = ids[start:start + step]
        _, _, found, histories = db.execute(
            f"SELECT {columns} FROM ({select} AND s.card_id IN ({marks(part)}) ORDER BY s.card_id)", part).fetchone()
        if histories is not None:
            yield found, histories


# a state is written when it moved by more than this, relative (as memory_states._same tells)
SAME = 1e-6
_CHANGED = (f"UPDATE schedule SET stability = ?1, difficulty = ?2 WHERE card_id = ?3 AND NOT coalesce("
            f"abs(stability - ?1) <= {SAME!r} * max(abs(?1), 1.0) AND abs(difficulty - ?2) <= {SAME!r} * "
            "max(abs(?2), 1.0), 0)")


def set_changed_memory_states(db: sqlite3.Connection, rows: Iterable[tuple[float, float, str]]) -> int:
    """Write each (stability, difficulty, card id) whose card's stored state differs from it by more than SAME
    (relative; a missing one always), inside the caller's transaction; returns how many were written."""
    return db.executemany(_CHANGED, rows).rowcount
