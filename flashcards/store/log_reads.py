"""Reading the review log back: whole answers (history export, stats, simulation), the light streams of
(card, moment, rating) the optimizer and memory states read, and the facts an Anki export writes per answer.
Writing the log is reviews.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from ..model import AnswerFacts, LoggedAnswer
from .reviews import _CHUNK, _SELECT_LOG, _logged
from .rows import ANSWER_FACTS, marks, where_in_decks


class LogReads:
    """The review log's readers (mixed into Store)."""

    db: sqlite3.Connection

    def answers(self, decks: Sequence[str] | None = None) -> Iterator[LoggedAnswer]:
        """Logged answers in time order, all or those of cards in the given decks."""
        rows = self.db.execute(f"{_SELECT_LOG} {where_in_decks(decks)} ORDER BY reviewed_at, id", tuple(decks or ()))
        return (_logged(row) for row in rows)

    def answer_rows_by_card(self, decks: Sequence[str] | None = None) -> Iterator[tuple[str, int, int]]:
        """(card id, answered at in ms UTC, rating) for every answer, ordered by card then time: a light stream."""
        return self.db.execute(
            f"SELECT card_id, reviewed_at, rating FROM review_log {where_in_decks(decks)} ORDER BY card_id, reviewed_at, id",
            tuple(decks or ()),
        )

    def answer_rows_of(self, card_ids: Sequence[str]) -> Iterator[tuple[str, int, int]]:
        """answer_rows_by_card() for the given cards only (asked in chunks: any number of ids)."""
        ids = sorted(set(card_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            yield from self.db.execute(
                f"SELECT card_id, reviewed_at, rating FROM review_log WHERE card_id IN ({marks(chunk)}) "
                "ORDER BY card_id, reviewed_at, id", chunk)

    def answer_facts_of(self, card_ids: Sequence[str]) -> Iterator[AnswerFacts]:
        """The AnswerFacts of these cards' answers, by card then time: what Anki's review log needs, each a named
        tuple of the row as read (no conversions)."""
        ids = sorted(set(card_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            yield from map(AnswerFacts._make, self.db.execute(
                f"SELECT {ANSWER_FACTS} FROM review_log WHERE card_id IN ({marks(chunk)}) ORDER BY card_id, reviewed_at, id",
                chunk))

    def answer_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM review_log").fetchone()[0]
