"""Answers brought in from elsewhere (an Anki package), merged into the review log exactly once: an answer is
the same answer when it is on the same card at the same millisecond."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from ..model import LoggedAnswer
from .previous_intervals import noting_cards, refresh_previous_intervals
from .rows import LOG_COLUMNS, answer_values


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
