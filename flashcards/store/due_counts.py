"""How many cards fall due on each of a few days: what the load balancer weighs (scheduling/load_balance.py).

The studied cards (state > 0: review cards, and learning cards due on a later day) whose due moment lies in each
span between the given boundaries, each span one count over the covering index schedule_due_load (due moment and
state; the card id is the table's key), about 0.15 ms for 2,500 cards due that day. As in Anki, every studied card
due that day counts, suspended or buried included. With decks given, only the cards of those decks count (a deck
with its own settings is its own preset); with decks left out, the cards of those decks do not: each such card is
looked up in the deck cache, a few microseconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import pairwise

from .rows import marks


class DueCounts:
    """Cards due per span of time (mixed into Store)."""

    db: sqlite3.Connection

    def due_counts(self, bounds: Sequence[int], leave_out: str | None = None, decks: Sequence[str] | None = None,
                   other_than: Sequence[str] = ()) -> list[int]:
        """Studied cards due in each span [bounds[i], bounds[i + 1]) (ms UTC, ascending), not counting `leave_out`;
        only cards of `decks` (store keys) when given; no card of `other_than`."""
        where = "state > 0 AND due >= ? AND due < ? AND card_id != ?"
        extra: list = []
        if decks is not None:
            where += (f" AND EXISTS (SELECT 1 FROM deck_cards d INDEXED BY deck_cards_card WHERE d.card_id = "
                      f"schedule.card_id AND d.deck_path IN ({marks(decks)}))")
            extra += decks
        if other_than:
            where += (f" AND NOT EXISTS (SELECT 1 FROM deck_cards d INDEXED BY deck_cards_card WHERE d.card_id = "
                      f"schedule.card_id AND d.deck_path IN ({marks(other_than)}))")
            extra += other_than
        query = f"SELECT count(*) FROM schedule INDEXED BY schedule_due_load WHERE {where}"
        return [self.db.execute(query, (start, end, leave_out or "", *extra)).fetchone()[0]
                for start, end in pairwise(bounds)]
