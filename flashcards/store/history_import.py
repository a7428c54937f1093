"""Answers brought in from elsewhere (an Anki package), merged into the review log exactly once: an answer is
the same answer when it is on the same card at the same millisecond; and each card's answer counts (reps,
lapses) made what its log says once answers from elsewhere joined it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from ..model import LoggedAnswer, Rating, State
from .previous_intervals import noting_cards, refresh_previous_intervals
from .rows import LOG_COLUMNS, answer_values, marks

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
        before = db.total_changes
        cards: set[str] = set()
        db.executemany(
            f"INSERT INTO review_log ({LOG_COLUMNS}) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE NOT EXISTS "
            "(SELECT 1 FROM review_log WHERE card_id = ?1 AND reviewed_at = ?2)",
            (answer_values(answer) for answer in noting_cards(answers, cards)),
        )
        added = db.total_changes - before
        if added:  # they may land in the middle of a card's history
            refresh_previous_intervals(db, cards)
        return added

    def recount_answers(self, db: sqlite3.Connection, card_ids: Iterable[str] | None = None) -> int:
        """Set these cards' reps and lapses (every card's, without `card_ids`) to what their review log says,
        inside a transaction(): after answers from elsewhere joined a log, a count taken from the other side
        (Anki's reps) lacks the answers given here. Returns how many cards changed."""
        before = db.total_changes
        if card_ids is None:
            db.execute(_RECOUNT.format(where=""))
            return db.total_changes - before
        ids = sorted(set(card_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            db.execute(_RECOUNT.format(where=f"WHERE s.card_id IN ({marks(chunk)})"), chunk)
        return db.total_changes - before

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
