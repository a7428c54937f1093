"""The statistics of a store's cards and answers, summed by SQLite (memory flat whatever the history's size).

The cards are summed in one pass of the schedule; the answers per study day come from past_days.py: the past
days' sums kept in the store, today's read from the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from ..clock import day_number, to_ms
from ..store import Store
from .numbers import DEFAULT_DECAY, FAR_DAYS, INTERVAL_BUCKETS, STABILITY_BUCKETS, Stats, stats_from_totals
from .past_days import MARGIN_MS, answer_days
from .totals import DAY_MS, CardTotals, offset_spans


def stats_from_store(store: Store | None, decks: Sequence[str] | None, now: datetime, *, rollover_hour: int = 4,
                     tz: tzinfo | None = None, desired_retention: float = 0.9, days: int = 365,
                     decay: float = DEFAULT_DECAY) -> Stats:
    """The same numbers as stats.compute_stats() over the store's records, without loading the log (no store: empty)."""
    today = day_number(now, rollover_hour, tz)
    now_ms = to_ms(now)
    if store is None:
        return stats_from_totals(CardTotals(dict.fromkeys(("new",), 0), {}, [0] * len(STABILITY_BUCKETS)), {}, now,
                                 today, rollover_hour=rollover_hour, desired_retention=desired_retention, days=days)
    if decks is not None and store.decks_hold_every_card(decks):
        decks = None  # the same rows without a per-answer check of the deck (the usual case: one deck, every card)
    # dues get a study day up to the latest one (at most FAR_DAYS ahead: those later count on that day)
    last_due = store.last_due()
    far_ms = now_ms + (FAR_DAYS + 2) * DAY_MS
    window = (now_ms - MARGIN_MS, min(far_ms, max(last_due or now_ms, now_ms) + 1))
    cards = store.card_totals(decks, today, offset_spans(*window, tz), rollover_hour, window, today + FAR_DAYS,
                              [low for _, low, _ in STABILITY_BUCKETS], now_ms, decay,
                              [round(low * DAY_MS) for _, low, _ in INTERVAL_BUCKETS])
    per_day = answer_days(store, decks, now_ms, today, rollover_hour, tz)
    return stats_from_totals(cards, per_day, now, today, rollover_hour=rollover_hour,
                             desired_retention=desired_retention, days=days)
