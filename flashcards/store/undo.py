"""What undo needs from the log: the answers to one card logged after a given one (another session's)."""

from __future__ import annotations

import sqlite3

from ..model import LoggedAnswer
from .reviews import _SELECT_LOG, _logged


def answers_after(db: sqlite3.Connection, card_id: str, log_id: int) -> list[LoggedAnswer]:
    """The card's answers logged after row `log_id`, in the order they were given."""
    rows = db.execute(f"{_SELECT_LOG} WHERE card_id = ? AND id > ? ORDER BY id", (card_id, log_id))
    return [_logged(row) for row in rows]
