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
    curve_factor,
    day_sql,
    day_totals,
    hour_segments,
)
from .rows import marks, where_in_decks
from .stats_days import Group, StatsDays


class StatsQueries(StatsDays):
    """Sums for `flashcards stats` (mixed into Store), and the past days' sums kept (stats_days.py)."""

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
        # (in card order, the distinct ids come without a sort of them)
        held = self.db.execute(f"SELECT count(DISTINCT card_id) FROM deck_cards INDEXED BY deck_cards_card "
                               f"WHERE deck_path IN ({marks(decks)})", tuple(decks)).fetchone()[0]
        return held == self.db.execute("SELECT count(*) FROM schedule").fetchone()[0]

    def answer_groups(self, decks: Sequence[str] | None, spans: list[tuple[int, int]], rollover_hour: int,
                      before_ms: int) -> list[Group]:
        """Answers given from spans[0]'s start to `before_ms` summed per (study day, hour, state before, mature,
        rating) as stats.totals.day_totals() takes them (`spans`: offset_spans() covering them): each piece of time
        with one study day and hour is one range of the stats index, read in order; its answers are grouped by
        state before, mature and rating (a few groups a piece)."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS stats_hours (low INTEGER PRIMARY KEY, high INTEGER NOT NULL, "
                        "day INTEGER NOT NULL, hour INTEGER NOT NULL)")
        self.db.execute("DELETE FROM temp.stats_hours")
        self.db.executemany("INSERT INTO temp.stats_hours VALUES (?, ?, ?, ?)",
                            hour_segments(spans, rollover_hour, before_ms))
        in_decks = "" if decks is None else (f"AND r.card_id IN (SELECT card_id FROM deck_cards WHERE deck_path IN "
                                             f"({marks(decks)}))")
        return self.db.execute(
            f"""
            SELECT s.day, s.hour, r.state_before, coalesce(r.previous_interval_ms, 0) >= {MATURE_MS}, r.rating,
                   count(*), sum(max(r.duration_ms, 0))
            FROM temp.stats_hours s JOIN review_log r INDEXED BY review_log_stats
                 ON r.reviewed_at >= s.low AND r.reviewed_at < s.high
            WHERE 1 {in_decks}
            GROUP BY s.low, 3, 4, 5
            """,
            tuple(decks or ()),
        ).fetchall()

    def answer_day_totals(self, decks: Sequence[str] | None, spans: list[tuple[int, int]], rollover_hour: int,
                          before_ms: int) -> dict[int, DayTotals]:
        """answer_groups() as DayTotals per study day."""
        return day_totals(self.answer_groups(decks, spans, rollover_hour, before_ms))

    def card_totals(self, decks: Sequence[str] | None, today: int, spans: list[tuple[int, int]], rollover_hour: int,
                    window_ms: tuple[int, int], far_day: int, bucket_lows: Sequence[float], now_ms: int, decay: float,
                    interval_lows_ms: Sequence[int]) -> CardTotals:
        """The cards summed for stats in one pass of the schedule: by state, due per study day, by stability bucket;
        the cards being studied (not new, not suspended) by interval (review cards), difficulty and retrievability
        now, as stats.numbers sums them (the same arithmetic, values bound).

        Cards due before window_ms[0] are all overdue (they count on `today - 1`); the others get their study day
        (`spans` must cover the window), at most `far_day`, which those due from window_ms[1] on count on.
        """
        if not self._has_pow():
            self.db.create_function("pow", 2, math.pow, deterministic=True)
        low, high = window_ms
        studied = "(suspended = 0 AND state != 0)"
        young = f"(due IS NULL OR last_review IS NULL OR due - last_review < {MATURE_MS})"
        kind = ("CASE WHEN suspended != 0 THEN 0 WHEN buried_until IS NOT NULL AND buried_until >= :today THEN 1 "
                f"WHEN state = 0 THEN 2 WHEN state IN (1, 3) THEN 3 WHEN {young} THEN 4 ELSE 5 END")
        day = (f"CASE WHEN NOT {studied} OR due IS NULL THEN NULL WHEN due < {int(low)} THEN {today - 1} "
               f"WHEN due >= {int(high)} THEN {int(far_day)} ELSE min({day_sql('due', spans, rollover_hour)}, "
               f"{int(far_day)}) END")
        stable = _bucket_case("stability", bucket_lows, float, f"NOT {studied} OR stability IS NULL")
        interval = "(due - last_review)"
        interval_bucket = _bucket_case(interval, interval_lows_ms, int,
                                       f"NOT {studied} OR state != 2 OR due IS NULL OR last_review IS NULL")
        difficulty_bin = (f"CASE WHEN NOT {studied} OR difficulty IS NULL THEN NULL ELSE min(max(CAST((difficulty - 1) "
                          f"/ 9 * {MEMORY_BINS} AS INTEGER), 0), {MEMORY_BINS - 1}) END")
        recall = (f"CASE WHEN NOT {studied} OR stability IS NULL OR stability <= 0 OR last_review IS NULL THEN NULL ELSE "
                  "pow(1.0 + :factor * (max(:now - last_review, 0) / 86400000.0) / stability, :power) END")
        recall_bin = f"min(max(CAST(recall * {MEMORY_BINS} AS INTEGER), 0), {MEMORY_BINS - 1})"
        # every row's place as one integer (a digit per figure, 0 for none): one sort key, not six, to group by
        base = today - 10  # below any due day: the window starts two days before now (earlier ones count on today - 1)
        digits = [(f"due_day - {base}", 0), ("kind", len(_KINDS)), ("stable + 1", len(bucket_lows) + 1),
                  ("interval_bucket + 1", len(interval_lows_ms) + 1), ("difficulty_bin + 1", MEMORY_BINS + 1),
                  (f"{recall_bin} + 1", MEMORY_BINS + 1)]
        key = f"coalesce({digits[0][0]}, 0)"
        for digit, radix in digits[1:]:
            key = f"({key}) * {radix} + coalesce({digit}, 0)"
        names = {f"deck{index}": deck for index, deck in enumerate(decks or ())}
        where = "" if decks is None else (f"WHERE card_id IN (SELECT card_id FROM deck_cards WHERE deck_path IN "
                                          f"({', '.join(':' + name for name in names)}))")
        # (LIMIT -1: each inner query stays a co-routine, each card's values computed once, not once a use)
        query = f"""
            SELECT key, count(*), sum(interval), max(interval), sum(CAST(difficulty * {DIFFICULTY_SCALE} AS INTEGER)),
                   sum(CAST(recall * {RETRIEVABILITY_SCALE} AS INTEGER))
            FROM (SELECT {key} AS key, iif(interval_bucket IS NULL, NULL, {interval}) AS interval, difficulty, recall
                  FROM (SELECT {kind} AS kind, {day} AS due_day, {stable} AS stable, {interval_bucket} AS interval_bucket,
                               {difficulty_bin} AS difficulty_bin, iif({studied}, difficulty, NULL) AS difficulty,
                               {recall} AS recall, due, last_review
                        FROM schedule {where} LIMIT -1) LIMIT -1)
            GROUP BY key
        """
        rows = self.db.execute(query, {"today": today, "factor": curve_factor(decay), "now": now_ms, "power": -decay,
                                       **names})
        totals = CardTotals({}, {}, [0] * len(bucket_lows), [0] * len(interval_lows_ms))
        radices = [radix for _, radix in digits[1:]]
        for key_value, count, interval_sum, interval_max, difficulty_sum, recall_sum in rows:
            due_at, kind_at, stable_at, interval_at, difficulty_at, recall_at = _unpack(key_value, radices)
            state = _KINDS[kind_at]
            totals.states[state] = totals.states.get(state, 0) + count
            if due_at:
                due_day = due_at + base
                totals.due_per_day[due_day] = totals.due_per_day.get(due_day, 0) + count
            if stable_at:
                totals.stability[stable_at - 1] += count
            if interval_at:
                totals.intervals[interval_at - 1] += count
                totals.interval_ms += interval_sum
                totals.interval_max_ms = (interval_max if totals.interval_max_ms is None
                                          else max(totals.interval_max_ms, interval_max))
            if difficulty_at:
                totals.difficulty[difficulty_at - 1] += count
                totals.difficulty_sum += difficulty_sum
            if recall_at:
                totals.retrievability[recall_at - 1] += count
                totals.retrievability_sum += recall_sum
        return totals

    def _has_pow(self) -> bool:
        """Whether this SQLite has its math functions (else pow() is Python's, registered on the connection)."""
        try:
            self.db.execute("SELECT pow(2, 0.5)").fetchone()
        except sqlite3.OperationalError:
            return False
        return True


_KINDS = ("suspended", "buried", "new", "learning", "young", "mature")  # the states card_totals() tells apart


def _unpack(key: int, radices: Sequence[int]) -> list[int]:
    """The digits of a key packed with these radices (after its first, unbounded digit), first digit first."""
    digits = []
    for radix in reversed(radices):
        key, digit = divmod(key, radix)
        digits.append(digit)
    return [key, *reversed(digits)]


def _bucket_case(value: str, lows: Sequence[float], kind: type, none_when: str) -> str:
    """A SQL CASE giving the index of the bucket `value` falls in (buckets from their lower bounds), NULL when `none_when`."""
    cases = " ".join(f"WHEN {value} >= {kind(low)} THEN {index}" for index, low in reversed(list(enumerate(lows))) if index)
    return f"CASE WHEN {none_when} THEN NULL {cases} ELSE 0 END"
