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

    def card_ids_beginning(self, decks: Sequence[str], prefix: str, shown: int = 5) -> tuple[int, list[str]]:
        """How many distinct card ids of the decks begin with `prefix`, and the first `shown` of them in order
        (an id equal to `prefix` comes alone: it is that card, whatever else begins with it)."""
        where = f"deck_path IN ({marks(decks)})"
        exact = self.db.execute(f"SELECT 1 FROM deck_cards WHERE {where} AND card_id = ? LIMIT 1",
                                (*decks, prefix)).fetchone()
        if exact:
            return 1, [prefix]
        matching = f"{where} AND substr(card_id, 1, ?) = ?"
        args = (*decks, len(prefix), prefix)
        count = self.db.execute(f"SELECT count(DISTINCT card_id) FROM deck_cards WHERE {matching}", args).fetchone()[0]
        first = [row[0] for row in self.db.execute(
            f"SELECT DISTINCT card_id FROM deck_cards WHERE {matching} ORDER BY card_id LIMIT ?", (*args, shown))]
        return count, first


def _prefixed() -> str:
    return ", ".join(f"s.{column.strip()}" for column in SCHEDULE_COLUMNS.split(","))
