"""Stats from totals: what numbers.py needs of the cards and answers, summed per study day.

Both ways to the numbers end here: compute_stats() sums plain records in Python, the store sums its rows
in SQL (store/stats_queries.py); the same function turns the totals into a `Stats`, so the two agree.
The store works on integer milliseconds: `offset_spans()` gives it the UTC offsets of the local time zone
(exactly, DST changes included) so that a study day is integer arithmetic on a timestamp.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

EPOCH_DAY = date(1970, 1, 1).toordinal()  # the study day number of 1970-01-01
DAY_MS = 86_400_000


@dataclass
class DayTotals:
    """One study day's answers: how many, the milliseconds spent, review answers passed/total, young and mature."""

    answers: int = 0
    duration_ms: int = 0
    young_passed: int = 0
    young_total: int = 0
    mature_passed: int = 0
    mature_total: int = 0


@dataclass
class CardTotals:
    """The cards summed: by state, due cards per day (overdue apart), by stability bucket."""

    states: dict[str, int] = field(default_factory=dict)  # StateCounts' fields
    due_per_day: dict[int, int] = field(default_factory=dict)  # study day -> cards due that day
    stability: list[int] = field(default_factory=list)  # one count per stats.STABILITY_BUCKETS entry


def utc_offset_ms(ms: int, tz: tzinfo | None) -> int:
    """The local time zone's UTC offset at a moment, in ms (`tz` None: the machine's)."""
    moment = datetime.fromtimestamp(ms / 1000, UTC).astimezone(tz)
    offset = moment.utcoffset()
    return 0 if offset is None else round(offset.total_seconds() * 1000)


def offset_spans(low_ms: int, high_ms: int, tz: tzinfo | None) -> list[tuple[int, int]]:
    """The UTC offsets in force from `low_ms` to `high_ms`: (from_ms, offset_ms), sorted, the first from low_ms.

    The offset is sampled once a day and each change found to the second by bisection (time zones change
    at most once within a day).
    """
    spans = [(low_ms, utc_offset_ms(low_ms, tz))]
    step = DAY_MS
    at = low_ms
    while at < high_ms:
        nxt = min(at + step, high_ms)
        offset = utc_offset_ms(nxt, tz)
        if offset != spans[-1][1]:
            before, after = at // 1000, -(-nxt // 1000)  # seconds: the change lies in (before, after]
            while after - before > 1:
                middle = (before + after) // 2
                if utc_offset_ms(middle * 1000, tz) == spans[-1][1]:
                    before = middle
                else:
                    after = middle
            spans.append((max(after * 1000, low_ms), offset))
        at = nxt
    return spans


def day_of_ms(ms: int, spans: list[tuple[int, int]], rollover_hour: int) -> int:
    """The study day of a moment in ms, with `spans` from offset_spans() covering it (the SQL's arithmetic, in Python)."""
    offset = spans[0][1]
    for start, value in spans:
        if ms >= start:
            offset = value
    return (ms + offset - rollover_hour * 3_600_000) // DAY_MS + EPOCH_DAY


def day_sql(column: str, spans: list[tuple[int, int]], rollover_hour: int) -> str:
    """A SQL expression giving the study day of an integer ms `column` (numbers only: nothing bound)."""
    if len(spans) == 1:
        offset = str(spans[0][1])
    else:
        cases = " ".join(f"WHEN {column} < {start} THEN {previous}"
                         for (_, previous), (start, _) in itertools.pairwise(spans))
        offset = f"(CASE {cases} ELSE {spans[-1][1]} END)"
    shifted = f"({column} + {offset} - {rollover_hour * 3_600_000})"
    # floor division (SQLite's `/` truncates towards zero)
    return f"(({shifted} - ((({shifted}) % {DAY_MS}) + {DAY_MS}) % {DAY_MS}) / {DAY_MS} + {EPOCH_DAY})"


def day_segments(spans: list[tuple[int, int]], rollover_hour: int, high_ms: int) -> list[tuple[int, int, int]]:
    """(from_ms, to_ms, study day): the time from spans[0]'s start to `high_ms` cut wherever the study day
    (day_of_ms) changes, so that answers can be summed per day by time ranges."""
    segments = []
    ends = [start for start, _ in spans[1:]] + [high_ms]
    for (start, offset), span_end in zip(spans, ends, strict=True):
        shift = offset - rollover_hour * 3_600_000
        at, end = start, min(span_end, high_ms)
        while at < end:
            day = (at + shift) // DAY_MS
            following = min(end, (day + 1) * DAY_MS - shift)
            segments.append((at, following, day + EPOCH_DAY))
            at = following
    return segments
