"""The answers of a store summed per study day for stats: the past days' sums kept in the store (its cache,
store/stats_days.py, which says when they are trusted), only today's answers read from the log each time.

On a new study day the sums are extended by the days since; when the store cannot trust them (the log's past
changed, the rollover hour or the time zone's offsets differ, a deck was edited) they are summed again from the
first answer. The result is always what summing the whole log gives (tests/test_stats_cache.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import tzinfo

from ..store import Store
from .totals import DAY_MS, DayTotals, day_start_ms, day_totals, offset_spans

FORMAT = 1  # of the kept sums: a new number when what they hold changes makes every store sum them again
MARGIN_MS = 2 * DAY_MS  # a moment this far from now is on another study day, whatever the offsets


def answer_days(store: Store, decks: Sequence[str] | None, now_ms: int, today: int, rollover_hour: int,
                tz: tzinfo | None) -> dict[int, DayTotals]:
    """The answers of these decks' cards (None: every answer) summed per study day, up to `today` (none later)."""
    answered = store.answer_time_range()  # of the whole log: cheap, and covers the decks'
    if answered is None:
        return {}
    before = now_ms + MARGIN_MS  # later answers are on a later day than today: never shown
    covered = day_start_ms(today, offset_spans(now_ms - MARGIN_MS, now_ms, tz), rollover_hour, now_ms - MARGIN_MS,
                           now_ms)  # the sums kept are of the answers given before today

    def shape_of(first_ms: int, covered_ms: int) -> str:
        return json.dumps([FORMAT, rollover_hour, offset_spans(first_ms, covered_ms, tz)])

    def sums_from(low_ms: int) -> list:
        return store.answer_groups(decks, offset_spans(low_ms, covered, tz), rollover_hour, covered)

    scope = store.days_scope(decks)
    for attempt in range(2):
        with store.stats_snapshot():
            mark = store.days_mark(scope)
            if mark is not None and mark.covered_ms == covered and mark.shape == shape_of(mark.first_ms, covered):
                totals = day_totals(store.days_sums(scope))
                day_totals(store.answer_groups(decks, offset_spans(covered, before, tz), rollover_hour, before), totals)
                return _until(totals, today)
        if attempt or not store.write_days(scope, shape_of, min(answered[0], covered), covered, sums_from):
            break
    # not kept (a store that cannot be written now): the whole log summed
    spans = offset_spans(min(answered[0], now_ms - MARGIN_MS), max(before, answered[0]), tz)
    return _until(store.answer_day_totals(decks, spans, rollover_hour, before), today)


def _until(totals: dict[int, DayTotals], today: int) -> dict[int, DayTotals]:
    return {day: found for day, found in totals.items() if day <= today}
