"""Stats summed in SQLite: the cards by state, due day, stability, interval, difficulty and retrievability, the
answers per study day and hour.

The log is never loaded: SQLite sums it on the integer ms timestamps, a study day being integer arithmetic
on them (stats.totals.day_sql, with the time zone's offsets passed in), so memory stays flat whatever the
history's size. The answers are summed per piece of time with one study day and one hour of the local clock
(stats.totals.hour_segments), each one range of the covering index review_log_stats read in order: no row
lookups; the few groups of one piece (state, mature, rating) are sorted, not the answers. Each answer's
young/mature class comes from the interval it was given at, kept in the log (review_log.previous_interval_ms,
see previous_intervals). A card is added on the day it is answered as a new card (the store keeps no creation
time).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence

from ..stats.totals import (
    DIFFICULTY_SCALE,
    MATURE_MS,
    MEMORY_BINS,
    RETRIEVABILITY_SCALE,
    CardTotals,
    DayTotals,
    answer_kind,
    curve_factor,
    day_sql,
    hour_segments,
)
from .rows import marks, where_in_decks


class StatsQueries:
    """Sums for `flashcards stats` (mixed into Store)."""

    db: sqlite3.Connection

    def answer_time_range(self, decks: Sequence[str] | None = None) -> tuple[int, int] | None:
        """(first, last) answer time in ms, or None without answers."""
        if decks is None:  # (one min() or max() a query: each is then a single step of the index)
            row = self.db.execute("SELECT (SELECT min(reviewed_at) FROM review_log), "
                                  "(SELECT max(reviewed_at) FROM review_log)").fetchone()
        else:
            row = self.db.execute(f"SELECT min(reviewed_at), max(reviewed_at) FROM review_log {where_in_decks(decks)}",
                                  tuple(decks)).fetchone()
        return None if row[0] is None else (row[0], row[1])

    def last_due(self) -> int | None:
        """The latest due time in ms of any card being studied (index only), or None."""
        return self.db.execute("SELECT max(due) FROM schedule WHERE state > 0").fetchone()[0]

    def decks_hold_every_card(self, decks: Sequence[str]) -> bool:
        """Whether these decks hold every card the store schedules (then a filter by deck keeps every row)."""
        held = self.db.execute(f"SELECT count(DISTINCT card_id) FROM deck_cards WHERE deck_path IN ({marks(decks)})",
                               tuple(decks)).fetchone()[0]
        return held == self.db.execute("SELECT count(*) FROM schedule").fetchone()[0]

    def answer_day_totals(self, decks: Sequence[str] | None, spans: list[tuple[int, int]], rollover_hour: int,
                          before_ms: int) -> dict[int, DayTotals]:
        """Answers given from spans[0]'s start to `before_ms` summed per study day and hour (`spans`: offset_spans()
        covering them): each piece of time with one study day and hour is one range of the stats index, read in
        order; its answers are grouped by state before, mature and rating (a few groups a piece)."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS stats_hours (low INTEGER PRIMARY KEY, high INTEGER NOT NULL, "
                        "day INTEGER NOT NULL, hour INTEGER NOT NULL)")
        self.db.execute("DELETE FROM temp.stats_hours")
        self.db.executemany("INSERT INTO temp.stats_hours VALUES (?, ?, ?, ?)",
                            hour_segments(spans, rollover_hour, before_ms))
        in_decks = "" if decks is None else (f"AND r.card_id IN (SELECT card_id FROM deck_cards WHERE deck_path IN "
                                             f"({marks(decks)}))")
        rows = self.db.execute(
            f"""
            SELECT s.day, s.hour, r.state_before, coalesce(r.previous_interval_ms, 0) >= {MATURE_MS}, r.rating,
                   count(*), sum(max(r.duration_ms, 0))
            FROM temp.stats_hours s JOIN review_log r INDEXED BY review_log_stats
                 ON r.reviewed_at >= s.low AND r.reviewed_at < s.high
            WHERE 1 {in_decks}
            GROUP BY s.low, 3, 4, 5
            """,
            tuple(decks or ()),
        )
        totals: dict[int, DayTotals] = {}
        for day, hour, state_before, mature, rating, count, duration in rows:
            found = totals.get(day) or totals.setdefault(day, DayTotals())
            found.add(answer_kind(state_before, bool(mature)), rating, hour, count, duration, state_before == 0)
        return totals

    def card_totals(self, decks: Sequence[str] | None, today: int, spans: list[tuple[int, int]], rollover_hour: int,
                    window_ms: tuple[int, int], far_day: int, bucket_lows: Sequence[float]) -> CardTotals:
        """The cards summed for stats: by state, due per study day, by stability bucket.

        Cards due before window_ms[0] are all overdue (they count on `today - 1`); the others get their study day
        (`spans` must cover the window), at most `far_day`, which those due from window_ms[1] on count on.
        """
        low, high = window_ms
        active = "suspended = 0 AND NOT (buried_until IS NOT NULL AND buried_until >= ?)"
        young = f"(due IS NULL OR last_review IS NULL OR due - last_review < {MATURE_MS})"
        kind = (f"CASE WHEN suspended != 0 THEN 'suspended' WHEN NOT ({active}) THEN 'buried' WHEN state = 0 THEN 'new' "
                f"WHEN state IN (1, 3) THEN 'learning' WHEN {young} THEN 'young' ELSE 'mature' END")
        studied = "suspended = 0 AND state != 0"
        day = (f"CASE WHEN NOT ({studied}) OR due IS NULL THEN NULL WHEN due < {int(low)} THEN {today - 1} "
               f"WHEN due >= {int(high)} THEN {int(far_day)} ELSE min({day_sql('due', spans, rollover_hour)}, "
               f"{int(far_day)}) END")
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

    def memory_totals(self, decks: Sequence[str] | None, totals: CardTotals, now_ms: int, decay: float,
                      interval_lows_ms: Sequence[int]) -> None:
        """Into `totals`: the cards being studied (not new, not suspended) by interval (review cards), difficulty and
        retrievability now, as stats.numbers._memory_totals() sums them (the same arithmetic, values bound)."""
        if not self._has_pow():
            self.db.create_function("pow", 2, math.pow, deterministic=True)
        interval = "(due - last_review)"
        cases = " ".join(f"WHEN {interval} >= {int(value)} THEN {index}"
                         for index, value in reversed(list(enumerate(interval_lows_ms))) if index)
        interval_bucket = f"CASE WHEN state != 2 OR due IS NULL OR last_review IS NULL THEN NULL {cases} ELSE 0 END"
        difficulty_bin = (f"CASE WHEN difficulty IS NULL THEN NULL ELSE min(max(CAST((difficulty - 1) / 9 * "
                          f"{MEMORY_BINS} AS INTEGER), 0), {MEMORY_BINS - 1}) END")
        recall = ("CASE WHEN stability IS NULL OR stability <= 0 OR last_review IS NULL THEN NULL ELSE "
                  "pow(1.0 + :factor * (max(:now - last_review, 0) / 86400000.0) / stability, :power) END")
        names = {f"deck{index}": deck for index, deck in enumerate(decks or ())}
        where = "WHERE suspended = 0 AND state != 0"
        if decks is not None:
            where += (f" AND card_id IN (SELECT card_id FROM deck_cards WHERE deck_path IN "
                      f"({', '.join(':' + name for name in names)}))")
        # (LIMIT -1: the inner query stays a co-routine, each card's values computed once, not once a use)
        query = f"""
            SELECT interval_bucket, difficulty_bin, min(max(CAST(recall * {MEMORY_BINS} AS INTEGER), 0), {MEMORY_BINS - 1}),
                   count(*), sum(interval), max(interval),
                   sum(CAST(difficulty * {DIFFICULTY_SCALE} AS INTEGER)), sum(CAST(recall * {RETRIEVABILITY_SCALE} AS INTEGER))
            FROM (SELECT {interval_bucket} AS interval_bucket, iif({interval_bucket} IS NULL, NULL, {interval}) AS interval,
                         {difficulty_bin} AS difficulty_bin, difficulty, {recall} AS recall FROM schedule {where} LIMIT -1)
            GROUP BY 1, 2, 3
        """
        totals.intervals = [0] * len(interval_lows_ms)
        rows = self.db.execute(query, {"factor": curve_factor(decay), "now": now_ms, "power": -decay, **names})
        for interval_bucket, difficulty, recall, count, interval_sum, interval_max, difficulty_sum, recall_sum in rows:
            if interval_bucket is not None:
                totals.intervals[interval_bucket] += count
                totals.interval_ms += interval_sum
                totals.interval_max_ms = interval_max if totals.interval_max_ms is None else max(totals.interval_max_ms,
                                                                                                 interval_max)
            if difficulty is not None:
                totals.difficulty[difficulty] += count
                totals.difficulty_sum += difficulty_sum
            if recall is not None:
                totals.retrievability[recall] += count
                totals.retrievability_sum += recall_sum

    def _has_pow(self) -> bool:
        """Whether this SQLite has its math functions (else pow() is Python's, registered on the connection)."""
        try:
            self.db.execute("SELECT pow(2, 0.5)").fetchone()
        except sqlite3.OperationalError:
            return False
        return True
