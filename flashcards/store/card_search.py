"""Finding cards: each card of some decks with its deck and schedule, for `cards` and `unsuspend`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from ..model import Card, CardRow
from .rows import SCHEDULE_COLUMNS, card_row, marks, tags_from


class CardSearch:
    """Cards with their schedules, deck by deck in deck order (mixed into Store)."""

    db: sqlite3.Connection

    def deck_card_rows(self, decks: Sequence[str]) -> Iterator[tuple[str, Card, CardRow]]:
        """(deck name, card, schedule row) for every card of the decks, in deck order; a card in two decks once."""
        rows = self.db.execute(
            f"SELECT d.name, c.card_id, c.front, c.back, c.source, c.tags, s.card_id, {_prefixed()}, "
            "s.suspended, s.buried_until, s.leech "
            "FROM deck_cards c JOIN decks d ON d.path = c.deck_path JOIN schedule s ON s.card_id = c.card_id "
            f"WHERE c.deck_path IN ({marks(decks)}) ORDER BY c.deck_path, c.position",
            tuple(decks),
        )
        seen: set[str] = set()
        for row in rows:
            if row[1] in seen:
                continue
            seen.add(row[1])
            yield row[0], Card(row[1], row[2], row[3], row[4], tags_from(row[5])), card_row(row[6:])



def _prefixed() -> str:
    return ", ".join(f"s.{column.strip()}" for column in SCHEDULE_COLUMNS.split(","))
