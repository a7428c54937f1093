"""Each logged answer's previous interval (review_log.previous_interval_ms), kept right by every writer of the log.

It is the card's previous answer's due minus that answer's time (NULL for a card's first answer, or when that
answer set no due), the previous answer being the one before it in (reviewed_at, id) order: the interval the
answer was given at, as Anki keeps lastIvl in its revlog. Stats tell young from mature answers with it in one
grouped scan instead of a window function over the whole log.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from ..model import LoggedAnswer
from .rows import marks

_CHUNK = 500  # card ids per query

# the interval for a new answer to card ?1 at ?2 ms, logged after every row the log holds (its id is the largest)
PREVIOUS_OF_NEW = ("(SELECT due - reviewed_at FROM review_log WHERE card_id = ?1 AND reviewed_at <= ?2 "
                   "ORDER BY reviewed_at DESC, id DESC LIMIT 1)")


def refresh_previous_intervals(db: sqlite3.Connection, card_ids: Iterable[str]) -> None:
    """Recompute the previous intervals of these cards' answers (after rows were added or removed anywhere in
    their histories), inside the caller's transaction; rows already right are not written."""
    ids = sorted(set(card_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        db.execute(
            "UPDATE review_log SET previous_interval_ms = w.previous FROM (SELECT id, lag(due - reviewed_at) OVER "
            f"(PARTITION BY card_id ORDER BY reviewed_at, id) AS previous FROM review_log WHERE card_id IN ({marks(chunk)})) "
            "AS w WHERE review_log.id = w.id AND review_log.previous_interval_ms IS NOT w.previous",
            chunk)


def after_new_answer(db: sqlite3.Connection, card_id: str, at_ms: int) -> None:
    """After one answer was appended at `at_ms`: when the card has answers later in time (a clock set back,
    another session's), their previous intervals change too, so the card's are recomputed."""
    later = db.execute("SELECT 1 FROM review_log WHERE card_id = ? AND reviewed_at > ? LIMIT 1", (card_id, at_ms))
    if later.fetchone() is not None:
        refresh_previous_intervals(db, [card_id])


def noting_cards(answers: Iterable[LoggedAnswer], cards: set[str]) -> Iterator[LoggedAnswer]:
    """The answers as they stream by, their card ids added to `cards` (to refresh those cards afterwards)."""
    for answer in answers:
        cards.add(answer.card_id)
        yield answer
