"""Review state and the queue: each card's schedule, every answer written to the log, and the session's
questions (reading the log back is log_reads.py).

One answer is one transaction (the caller's `transaction()`): the schedule and its log row are committed
together, before the next card shows. Times are integer milliseconds UTC.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from ..clock import from_ms, to_ms
from ..model import CardRow, LoggedAnswer, Schedule, State
from . import memory_history, memory_log
from .previous_intervals import PREVIOUS_OF_NEW, after_new_answer, noting_cards, refresh_previous_intervals
from .rows import (
    ACTIVE,
    IN_DECKS,
    LOG_COLUMNS,
    SCHEDULE_COLUMNS,
    SELECT_CARD,
    answer_values,
    card_row,
    marks,
    schedule_values,
    where_in_decks,
)

# new cards few enough to sort by deck position rather than walk the deck; they are counted (up to this) for
# every new card shown, about 0.5 µs each
FEW_NEW = 1_000


class ReviewState:
    """Schedules, writes to the review log and the queue queries (mixed into Store)."""

    db: sqlite3.Connection
    transaction: Callable

    _restricted = False

    def restrict_to(self, card_ids: Iterable[str]) -> None:
        """From now on the queue queries of this connection see only these cards (review --tag, --search)."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS session_cards (card_id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("DELETE FROM temp.session_cards")
        self.db.executemany("INSERT OR IGNORE INTO temp.session_cards VALUES (?)", ((card_id,) for card_id in card_ids))
        self._restricted = True

    def _only(self, column: str = "schedule.card_id") -> str:
        return f"AND {column} IN (SELECT card_id FROM temp.session_cards)" if self._restricted else ""

    def _in_decks(self, decks: Sequence[str]) -> str:
        """The clause keeping cards of the decks (and of the restriction, when there is one); binds `decks`."""
        return f"{IN_DECKS.format(marks(decks))} {self._only()}"

    def card(self, card_id: str) -> CardRow | None:
        """A card's schedule row."""
        row = self.db.execute(f"{SELECT_CARD} WHERE card_id = ?", (card_id,)).fetchone()
        return None if row is None else card_row(row)

    def cards(self, decks: Sequence[str] | None = None) -> Iterator[CardRow]:
        """Every schedule row, or those of cards in the given decks."""
        return (card_row(row) for row in self.db.execute(f"{SELECT_CARD} {where_in_decks(decks)}", tuple(decks or ())))

    def card_rows_of(self, card_ids: Sequence[str]) -> dict[str, CardRow]:
        """The schedule rows of these cards by id (asked in chunks: any number of ids); cards without one are absent."""
        ids = list(card_ids)
        found: dict[str, CardRow] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            found.update((row[0], card_row(row)) for row in
                         self.db.execute(f"{SELECT_CARD} WHERE card_id IN ({marks(chunk)})", chunk))
        return found

    def write_card(self, db: sqlite3.Connection, row: CardRow) -> None:
        """Write a schedule row inside a transaction()."""
        db.execute(
            f"INSERT OR REPLACE INTO schedule (card_id, {SCHEDULE_COLUMNS}, suspended, buried_until, leech) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.card_id, *schedule_values(row.schedule), int(row.suspended), row.buried_until, int(row.leech)),
        )

    def log_answer(self, db: sqlite3.Connection, card_id: str, at: datetime, rating: int, duration_ms: int,
                   before: Schedule, after: Schedule) -> int:
        """Append an answer to the log inside a transaction(); returns its row id."""
        at_ms = to_ms(at)
        cursor = db.execute(
            "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after, stability, difficulty, due, "
            f"previous_interval_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {PREVIOUS_OF_NEW})",
            (card_id, at_ms, rating, duration_ms, int(before.state), int(after.state), after.stability,
             after.difficulty, to_ms(after.due)),
        )
        assert cursor.lastrowid is not None and at_ms is not None  # set by every INSERT; an answer has a time
        after_new_answer(db, card_id, at_ms)
        return cursor.lastrowid

    # -- queue queries (the session's questions; indexes make each one cheap)

    def first_due(self, decks: Sequence[str], states: Sequence[State], before: datetime, today: int,
                  exclude: Sequence[str] = ()) -> CardRow | None:
        """The earliest-due active card in `states` due before a moment, among the decks (none of `exclude`)."""
        skip = f"AND card_id NOT IN ({marks(exclude)}) " if exclude else ""
        row = self.db.execute(
            f"{SELECT_CARD} WHERE state IN ({marks(states)}) AND due < ? AND {ACTIVE} {skip}"
            f"AND {self._in_decks(decks)} ORDER BY due LIMIT 1",
            (*map(int, states), to_ms(before), today, *exclude, *decks),
        ).fetchone()
        return None if row is None else card_row(row)

    def count_due(self, decks: Sequence[str], states: Sequence[State], before: datetime, today: int,
                  limit: int = -1) -> int:
        """How many active cards in `states` are due before a moment (counting stops at `limit`)."""
        return self.db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM schedule WHERE state IN ({marks(states)}) AND due < ? AND {ACTIVE} "
            f"AND {self._in_decks(decks)} LIMIT ?)",
            (*map(int, states), to_ms(before), today, *decks, limit),
        ).fetchone()[0]

    def next_due(self, decks: Sequence[str], today: int) -> datetime | None:
        """When the next active, already studied card falls due."""
        row = self.db.execute(
            f"SELECT due FROM schedule INDEXED BY schedule_due WHERE state > 0 AND {ACTIVE} "
            f"AND {self._in_decks(decks)} ORDER BY due LIMIT 1",
            (today, *decks),
        ).fetchone()
        return None if row is None else from_ms(row[0])

    def new_cards(self, decks: Sequence[str], today: int, limit: int) -> list[str]:
        """New cards in deck order (decks in the order given), at most `limit`.

        When the decks hold no active new card (the partial index answers at once) nothing is scanned. When they
        hold few, those few are found from the schedule's side and sorted by position; otherwise each deck is
        walked in position order (through indexes only) and the walk stops as soon as `limit` are found.
        """
        if limit <= 0:
            return []
        new = self.count_new(decks, today, FEW_NEW + 1)
        if new == 0:
            return []
        found: list[str] = []
        for deck in decks:
            if new <= FEW_NEW:
                query = (f"SELECT c.card_id FROM schedule s INDEXED BY schedule_new JOIN deck_cards c INDEXED BY "
                         f"deck_cards_card ON c.card_id = s.card_id AND c.deck_path = ? WHERE s.state = 0 AND {ACTIVE} "
                         f"{self._only('s.card_id')} AND s.card_id NOT IN ({marks(found)}) ORDER BY c.position LIMIT ?")
            else:
                # each card of the walk is first looked up in the small index of new cards only
                query = (f"SELECT c.card_id FROM deck_cards c INDEXED BY deck_cards_order WHERE c.deck_path = ? AND "
                         "EXISTS (SELECT 1 FROM schedule n INDEXED BY schedule_new WHERE n.card_id = c.card_id AND "
                         f"n.state = 0) AND EXISTS (SELECT 1 FROM schedule WHERE schedule.card_id = c.card_id AND {ACTIVE}) "
                         f"{self._only('c.card_id')} AND c.card_id NOT IN ({marks(found)}) ORDER BY c.position LIMIT ?")
            found += [row[0] for row in self.db.execute(query, (deck, today, *found, limit - len(found)))]
            if len(found) >= limit:
                break
        return found

    def count_new(self, decks: Sequence[str], today: int, limit: int = -1) -> int:
        """How many active new cards the decks hold (counting stops at `limit`)."""
        return self.db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM schedule INDEXED BY schedule_new WHERE state = 0 AND {ACTIVE} "
            f"AND {self._in_decks(decks)} LIMIT ?)",
            (today, *decks, limit),
        ).fetchone()[0]

    def answers_since(self, since: datetime, states_before: Sequence[State], decks: Sequence[str] | None = None,
                      other_than: Sequence[str] = ()) -> int:
        """How many answers were logged since a moment, on cards that were in `states_before`; only on cards of
        `decks` (store keys) when given, and on none of `other_than`'s (daily limits of decks with their own)."""
        where, args = "", list[str]()
        if decks is not None:
            where += (f" AND EXISTS (SELECT 1 FROM deck_cards d WHERE d.card_id = review_log.card_id AND d.deck_path "
                      f"IN ({marks(decks)}))")
            args += decks
        if other_than:
            where += (f" AND NOT EXISTS (SELECT 1 FROM deck_cards d WHERE d.card_id = review_log.card_id AND "
                      f"d.deck_path IN ({marks(other_than)}))")
            args += other_than
        return self.db.execute(
            f"SELECT count(*) FROM review_log WHERE reviewed_at >= ? AND state_before IN ({marks(states_before)}){where}",
            (to_ms(since), *map(int, states_before), *args),
        ).fetchone()[0]

    def deck_keys_named(self, names: Iterable[str]) -> dict[str, list[str]]:
        """The store keys (paths) of the decks cached under each of these names (a deck's settings follow its name)."""
        wanted = list(dict.fromkeys(names))
        found: dict[str, list[str]] = {name: [] for name in wanted}
        if wanted:
            for path, name in self.db.execute(
                    f"SELECT path, name FROM decks WHERE name IN ({marks(wanted)}) ORDER BY path", wanted):
                found[name].append(path)
        return found

    def card_ids_of_decks(self, decks: Sequence[str]) -> list[str]:
        """Every card of these decks (store keys), each once."""
        return [row[0] for row in self.db.execute(
            f"SELECT DISTINCT card_id FROM deck_cards WHERE deck_path IN ({marks(decks)})", tuple(decks))]

    def unsuspend(self, decks: Sequence[str], card_ids: Sequence[str] = ()) -> int:
        """Unsuspend the suspended cards of the decks (only `card_ids` when given); returns how many."""
        only = f"AND card_id IN ({marks(card_ids)})" if card_ids else ""
        with self.transaction() as db:
            return db.execute(
                f"UPDATE schedule SET suspended = 0 WHERE suspended = 1 {only} "
                f"AND {self._in_decks(decks)}",
                (*card_ids, *decks),
            ).rowcount

    def delete_answer(self, db: sqlite3.Connection, log_id: int) -> LoggedAnswer | None:
        """Remove one row of the log inside a transaction(); returns it (None when it was already gone)."""
        row = db.execute(f"{_SELECT_LOG} WHERE id = ?", (log_id,)).fetchone()
        if row is None:
            return None
        db.execute("DELETE FROM review_log WHERE id = ?", (log_id,))
        refresh_previous_intervals(db, [row[1]])  # the answer after it was given at its previous interval
        return _logged(row)

    def insert_answers(self, db: sqlite3.Connection, answers: Iterable[LoggedAnswer]) -> None:
        """Append answers as they are (history written in bulk) inside a transaction()."""
        cards: set[str] = set()
        db.executemany(
            f"INSERT INTO review_log ({LOG_COLUMNS}) VALUES ({marks(range(9))})",
            (answer_values(answer) for answer in noting_cards(answers, cards)),
        )
        refresh_previous_intervals(db, cards)

    def write_cards(self, db: sqlite3.Connection, rows: Iterable[CardRow]) -> None:
        """Write many schedule rows inside a transaction() (write_card's, in one executemany)."""
        db.executemany(
            f"INSERT OR REPLACE INTO schedule (card_id, {SCHEDULE_COLUMNS}, suspended, buried_until, leech) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((row.card_id, *schedule_values(row.schedule), int(row.suspended), row.buried_until, int(row.leech))
             for row in rows),
        )

    def memory_rows(self) -> Iterator[tuple]:
        """(card id, state, stability, difficulty, last review ms, due ms, reps, suspended) of every card."""
        return self.db.execute(
            "SELECT card_id, state, stability, difficulty, last_review, due, reps, suspended FROM schedule")

    def log_span(self) -> tuple[int, int] | None:
        """The earliest and latest answer times of the log (ms UTC); None when it is empty."""
        return memory_log.log_span(self.db)

    def memory_history_chunks(self, shifts: Sequence[tuple[int, int]],
                              card_ids: Sequence[str] | None = None) -> Iterator[memory_history.HistoryChunk]:
        """The whole histories of the cards that are not new (only `card_ids` when given), a chunk of cards at a
        time, inside a transaction(): see memory_history.py."""
        return memory_history.chunks(self.db, shifts, card_ids)

    def set_changed_memory_states(self, db: sqlite3.Connection, rows: Iterable[tuple[float, float, str]]) -> int:
        """Write the (stability, difficulty, card id) that differ from the stored state, inside a transaction();
        returns how many did."""
        return memory_log.set_changed_memory_states(db, rows)

    def set_memory_states(self, db: sqlite3.Connection, rows: Iterable[tuple[str, float, float]]) -> None:
        """Set (card id, stability, difficulty) in bulk inside a transaction()."""
        db.executemany("UPDATE schedule SET stability = ?, difficulty = ? WHERE card_id = ?",
                       ((stability, difficulty, card_id) for card_id, stability, difficulty in rows))

    def set_due_dates(self, db: sqlite3.Connection, rows: Iterable[tuple[str, int]]) -> None:
        """Set (card id, due in ms UTC) in bulk inside a transaction()."""
        db.executemany("UPDATE schedule SET due = ? WHERE card_id = ?", ((due, card_id) for card_id, due in rows))


_CHUNK = 500  # ids per IN (...) query

# a LoggedAnswer's row of the log (see _logged); log_reads.py and undo.py read it too
_SELECT_LOG = ("SELECT id, card_id, reviewed_at, rating, duration_ms, state_before, state_after, due, stability, difficulty "
               "FROM review_log")


def _logged(r: Sequence) -> LoggedAnswer:
    return LoggedAnswer(r[0], r[1], from_ms(r[2]), r[3], r[4], State(r[5]), State(r[6]), from_ms(r[7]), r[8], r[9])
