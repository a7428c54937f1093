"""The load the balancer weighs, read from the store: cards due per study day (the rollover hour, local time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from ..clock import day_start, to_ms
from .due_counts import DueCounts


@dataclass(frozen=True)
class StoreLoad:
    """scheduling.load_balance.DayLoad over a store: the studied cards due on each study day, of the cards that
    share the settings (a deck with settings of its own counts its own cards; the others count everyone else's)."""

    store: DueCounts
    rollover_hour: int = 4
    tz: tzinfo | None = None
    decks: Sequence[str] | None = None  # only these decks' cards (store keys); None: every card
    other_than: Sequence[str] = field(default_factory=tuple)  # never these decks' cards

    def due_counts(self, first_day: int, last_day: int, card_id: str) -> list[int]:
        bounds = [to_ms(day_start(day, self.rollover_hour, self.tz)) for day in range(first_day, last_day + 2)]
        return self.store.due_counts(bounds, card_id, self.decks, self.other_than)


def preset_loads(store: DueCounts, keys_by_name: dict[str, list[str]], rollover_hour: int,
                 tz: tzinfo | None) -> dict[str | None, StoreLoad]:
    """Per preset (a deck name with settings of its own; None: the store's settings) the load its cards weigh:
    a deck with its own settings its own cards, the rest every other card (Anki balances within a preset)."""
    own = {name: tuple(keys) for name, keys in keys_by_name.items() if keys}
    separate = tuple(sorted(key for keys in own.values() for key in keys))
    loads: dict[str | None, StoreLoad] = {None: StoreLoad(store, rollover_hour, tz, other_than=separate)}
    for name, keys in own.items():
        loads[name] = StoreLoad(store, rollover_hour, tz, decks=keys)
    return loads
