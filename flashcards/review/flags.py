"""A card's flags besides its schedule: buried until the next study day, suspended, a leech (suspended for it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..model import CardRow
from ..store import Store
from .results import Shown


def bury(store: Store, shown: Shown, today: int) -> CardRow:
    """Hide the card until study day `today` is over; returns the card's row as it was before."""
    return _change(store, shown, lambda row: replace(row, buried_until=today))


def suspend(store: Store, shown: Shown) -> CardRow:
    """Hide the card until it is unsuspended; returns the card's row as it was before."""
    return _change(store, shown, lambda row: replace(row, suspended=True))


def _change(store: Store, shown: Shown, change: Callable[[CardRow], CardRow]) -> CardRow:
    with store.transaction() as db:
        before = store.card(shown.card.id) or shown.row
        store.write_card(db, change(before))
    return before


def became_leech(lapses_before: int, lapses_after: int, threshold: int) -> bool:
    """Whether an answer that took the card from `lapses_before` to `lapses_after` lapses makes it a leech."""
    return lapses_after > lapses_before and is_leech(lapses_after, threshold)


def is_leech(lapses: int, threshold: int) -> bool:
    """Anki's rule: a leech at `threshold` lapses, and again every half threshold after."""
    if threshold <= 0 or lapses < threshold:
        return False
    return (lapses - threshold) % max(threshold // 2, 1) == 0
