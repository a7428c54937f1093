"""Stats summed in SQLite: the cards by state, due day and stability, the answers per study day.

The log is never loaded: SQLite sums it on the integer ms timestamps, a study day being integer arithmetic
on them (stats.totals.day_sql, with the time zone's offsets passed in), so memory stays flat whatever the
history's size. The answers are summed per piece of time with one study day (stats.totals.day_segments), each
one range of the covering index review_log_stats read in order: no sort, no row lookups. Each answer's
young/mature class comes from the interval it was given at, kept in the log (review_log.previous_interval_ms,
see previous_intervals).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import fields

from ..stats.totals import DAY_MS, CardTotals, DayTotals, day_segments, day_sql
from .rows import marks, where_in_decks

MATURE_MS = 21 * DAY_MS  # a review card with an interval of 21 days or more is mature
_DAY_FIELDS = [f.name for f in fields(DayTotals)]


class StatsQueries:
    """Sums for `flashcards stats` (mixed into Store)."""

    db: sqlite3.Connection

    def answer_time_range(self, decks: Sequence[str] | None = None) -> tuple[int, int] | None:
        """(first, last) answer time in ms, or None without answers."""
        if decks is None:
            row = self.db.execute("SELECT min(reviewed_at), max(reviewed_at) FROM review_log").fetchone()
        else:
            row = self.db.execute(f"SELECT min(reviewed_at), max(reviewed_at) FROM review_log {where_in_decks(decks)}",
                                  tuple(decks)).fetchone()
        return None if row[0] is None else (row[0], row[1])

    def decks_hold_every_card(self, decks: Sequence[str]) -> bool:
        """Whether these decks hold every card the store schedules (then a filter by deck keeps every row)."""
        held = self.db.execute(f"SELECT count(DISTINCT card_id) FROM deck_cards WHERE deck_path IN ({marks(decks)})",
                               tuple(decks)).fetchone()[0]
        return held == self.db.execute("SELECT count(*) FROM schedule").fetchone()[0]

    def answer_day_totals(self, decks: Sequence[str] | None, spans: list[tuple[int, int]], rollover_hour: int,
                          before_ms: int) -> dict[int, DayTotals]:
        """Answers given from spans[0]'s start to `before_ms` summed per study day (`spans`: offset_spans() covering
        them): each piece of time with one study day is one range of the stats index, summed in order."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS stats_segments (low INTEGER PRIMARY KEY, high INTEGER NOT NULL, "
                        "day INTEGER NOT NULL)")
        self.db.execute("DELETE FROM temp.stats_segments")
        self.db.executemany("INSERT INTO temp.stats_segments VALUES (?, ?, ?)", day_segments(spans, rollover_hour, before_ms))
        young = f"(r.previous_interval_ms IS NULL OR r.previous_interval_ms < {MATURE_MS})"
        in_decks = "" if decks is None else (f"AND r.card_id IN (SELECT card_id FROM deck_cards WHERE deck_path IN "
                                             f"({marks(decks)}))")
        rows = self.db.execute(
            f"""
            SELECT s.day, count(*), sum(max(r.duration_ms, 0)),
                   sum(r.state_before = 2 AND {young} AND r.rating != 1), sum(r.state_before = 2 AND {young}),
                   sum(r.state_before = 2 AND NOT {young} AND r.rating != 1), sum(r.state_before = 2 AND NOT {young})
            FROM temp.stats_segments s JOIN review_log r INDEXED BY review_log_stats
                 ON r.reviewed_at >= s.low AND r.reviewed_at < s.high
            WHERE 1 {in_decks}
            GROUP BY s.low
            """,
            tuple(decks or ()),
        )
        totals: dict[int, DayTotals] = {}
        for day, *sums in rows:
            found = totals.setdefault(day, DayTotals())
            for name, value in zip(_DAY_FIELDS, sums, strict=True):
                setattr(found, name, getattr(found, name) + value)
        return totals

    def card_totals(self, decks: Sequence[str] | None, today: int, spans: list[tuple[int, int]], rollover_hour: int,
                    window_ms: tuple[int, int], bucket_lows: Sequence[float]) -> CardTotals:
        """The cards summed for stats: by state, due per study day, by stability bucket.

        Cards due before window_ms[0] are all overdue (they count on `today - 1`), those due from window_ms[1]
        on are beyond the forecast: only dues inside the window get a study day (`spans` must cover it).
        """
        low, high = window_ms
        active = "suspended = 0 AND NOT (buried_until IS NOT NULL AND buried_until >= ?)"
        young = f"(due IS NULL OR last_review IS NULL OR due - last_review < {MATURE_MS})"
        kind = (f"CASE WHEN suspended != 0 THEN 'suspended' WHEN NOT ({active}) THEN 'buried' WHEN state = 0 THEN 'new' "
                f"WHEN state IN (1, 3) THEN 'learning' WHEN {young} THEN 'young' ELSE 'mature' END")
        studied = "suspended = 0 AND state != 0"
        day = (f"CASE WHEN NOT ({studied}) OR due IS NULL OR due >= {int(high)} THEN NULL WHEN due < {int(low)} "
               f"THEN {today - 1} ELSE {day_sql('due', spans, rollover_hour)} END")
        cases = " ".join(f"WHEN stability >= {float(value)} THEN {index}"
                         for index, value in reversed(list(enumerate(bucket_lows))) if index)
        bucket = f"CASE WHEN NOT ({studied}) OR stability IS NULL THEN NULL {cases} ELSE 0 END"
        totals = CardTotals({}, {}, [0] * len(bucket_lows))
        rows = self.db.execute(f"SELECT {kind}, {day}, {bucket}, count(*) FROM schedule {where_in_decks(decks)} "
                               f"GROUP BY 1, 2, 3", (today, *(decks or ())))
        for state, due_day, stable, count in rows:
            totals.states[state] = totals.states.get(state, 0) + count
            if due_day is not None:
                totals.due_per_day[due_day] = totals.due_per_day.get(due_day, 0) + count
            if stable is not None:
                totals.stability[stable] += count
        return totals
