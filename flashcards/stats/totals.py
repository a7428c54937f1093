"""Stats from totals: what numbers.py needs of the cards and answers, summed per study day.

Both ways to the numbers end here: compute_stats() sums plain records in Python, the store sums its rows
in SQL (store/stats_queries.py); the same function turns the totals into a `Stats`, so the two agree.
The store works on integer milliseconds: `offset_spans()` gives it the UTC offsets of the local time zone
(exactly, DST changes included) so that a study day, and an hour of the local clock, is integer arithmetic
on a timestamp. The memory figures (difficulty, retrievability) are summed as truncated integers
(`DIFFICULTY_SCALE`, `RETRIEVABILITY_SCALE`) so that both ways give the very same means.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

EPOCH_DAY = date(1970, 1, 1).toordinal()  # the study day number of 1970-01-01
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MATURE_MS = 21 * DAY_MS  # a review card with an interval of 21 days or more is mature, as in Anki

# What kind of answer it was, as Anki's review charts tell them apart (it also has "filtered", which we lack):
# a new or learning card's answer is learning; a review card's is young or mature by the interval it was
# answered at; a relearning card's is relearning.
KINDS = ("learning", "young", "mature", "relearning")
LEARNING, YOUNG, MATURE, RELEARNING = range(4)
# Anki's answer-buttons chart has three groups: learning (relearning included), young, mature.
BUTTON_GROUPS = ("learning", "young", "mature")
_GROUP_OF_KIND = (0, 1, 2, 0)
RATINGS = ("again", "hard", "good", "easy")

MEMORY_BINS = 20  # difficulty and retrievability: bins of 5%
DIFFICULTY_SCALE = 1_000_000  # difficulty summed as int(D * this)
RETRIEVABILITY_SCALE = 1_000_000_000  # retrievability summed as int(R * this)


def answer_kind(state_before: int, mature: bool) -> int:
    """The KINDS index of an answer given in `state_before` (the store's State numbers), `mature` by its interval."""
    if state_before == 2:
        return MATURE if mature else YOUNG
    return RELEARNING if state_before == 3 else LEARNING


@dataclass
class DayTotals:
    """One study day's answers: how many, the ms spent, review answers passed/total young and mature, the
    answers and ms by kind (KINDS), the buttons pressed (BUTTON_GROUPS x ratings 1-4, flat), the answers
    and those not Again per hour of the local clock, and the cards added: answered as new cards."""

    answers: int = 0
    duration_ms: int = 0
    young_passed: int = 0
    young_total: int = 0
    mature_passed: int = 0
    mature_total: int = 0
    kinds: list[int] = field(default_factory=lambda: [0] * len(KINDS))
    kind_ms: list[int] = field(default_factory=lambda: [0] * len(KINDS))
    buttons: list[int] = field(default_factory=lambda: [0] * (len(BUTTON_GROUPS) * 4))
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    hours_passed: list[int] = field(default_factory=lambda: [0] * 24)
    added: int = 0

    def add(self, kind: int, rating: int, hour: int, count: int, duration_ms: int, new: bool) -> None:
        """`count` answers of one kind, rating and hour that took `duration_ms` together (none negative); `new`:
        given to new cards (each then added to one's studies)."""
        passed = 0 if rating == 1 else count
        self.answers += count
        self.duration_ms += duration_ms
        self.kinds[kind] += count
        self.kind_ms[kind] += duration_ms
        if 1 <= rating <= 4:  # (a rating outside 1-4 is a broken record: counted, on no button)
            self.buttons[_GROUP_OF_KIND[kind] * 4 + rating - 1] += count
        self.hours[hour] += count
        self.hours_passed[hour] += passed
        self.added += count if new else 0
        if kind == YOUNG:
            self.young_total += count
            self.young_passed += passed
        elif kind == MATURE:
            self.mature_total += count
            self.mature_passed += passed


def day_totals(groups: Iterable[tuple[int, int, int, int, int, int, int]],
               into: dict[int, DayTotals] | None = None) -> dict[int, DayTotals]:
    """Answers summed per (study day, local hour, state before, mature, rating) as (..., count, duration ms), the
    store's rows, as DayTotals per study day (added to `into` when given)."""
    totals = {} if into is None else into
    for day, hour, state_before, mature, rating, count, duration in groups:
        found = totals.get(day) or totals.setdefault(day, DayTotals())
        found.add(answer_kind(state_before, bool(mature)), rating, hour, count, duration, state_before == 0)
    return totals


@dataclass
class CardTotals:
    """The cards summed: by state, due cards per day (overdue ones on the day before today), by stability
    bucket; review cards by interval bucket, with the intervals' sum and longest in ms; studied cards by
    difficulty and by retrievability now (MEMORY_BINS each), with their scaled sums and how many had one."""

    states: dict[str, int] = field(default_factory=dict)  # StateCounts' fields
    due_per_day: dict[int, int] = field(default_factory=dict)  # study day -> cards due that day
    stability: list[int] = field(default_factory=list)  # one count per stats.STABILITY_BUCKETS entry
    intervals: list[int] = field(default_factory=list)  # one count per stats.INTERVAL_BUCKETS entry
    interval_ms: int = 0
    interval_max_ms: int | None = None
    difficulty: list[int] = field(default_factory=lambda: [0] * MEMORY_BINS)
    difficulty_sum: int = 0  # of int(D * DIFFICULTY_SCALE)
    retrievability: list[int] = field(default_factory=lambda: [0] * MEMORY_BINS)
    retrievability_sum: int = 0  # of int(R * RETRIEVABILITY_SCALE)


def difficulty_bin(difficulty: float) -> int:
    """The MEMORY_BINS bin of an FSRS difficulty (1-10, shown as 0-100% as Anki does)."""
    return min(max(int((difficulty - 1) / 9 * MEMORY_BINS), 0), MEMORY_BINS - 1)


def curve_factor(decay: float) -> float:
    """FSRS-6's forgetting-curve factor for a decay: R is 90% after one stability."""
    return 0.9 ** (-1 / decay) - 1


def retrievability(elapsed_ms: int, stability: float, decay: float, factor: float) -> float:
    """FSRS's chance of recall `elapsed_ms` after the last answer (the SQL in store/stats_queries.py is the same)."""
    return math.pow(1.0 + factor * (max(elapsed_ms, 0) / 86400000.0) / stability, -decay)


def retrievability_bin(value: float) -> int:
    """The MEMORY_BINS bin of a retrievability 0-1."""
    return min(max(int(value * MEMORY_BINS), 0), MEMORY_BINS - 1)


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


def day_start_ms(day: int, spans: list[tuple[int, int]], rollover_hour: int, low_ms: int, high_ms: int) -> int:
    """The first moment in ms from `low_ms` to `high_ms` on study day `day` or later (day_of_ms(), `spans` covering
    them; high_ms when there is none)."""
    while low_ms < high_ms:
        middle = (low_ms + high_ms) // 2
        if day_of_ms(middle, spans, rollover_hour) >= day:
            high_ms = middle
        else:
            low_ms = middle + 1
    return low_ms


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


def hour_segments(spans: list[tuple[int, int]], rollover_hour: int, high_ms: int) -> list[tuple[int, int, int, int]]:
    """(from_ms, to_ms, study day, local hour): the time from spans[0]'s start to `high_ms` cut wherever the
    hour of the local clock changes (and so the study day, day_of_ms), so that answers can be summed per
    day and hour by time ranges."""
    segments = []
    ends = [start for start, _ in spans[1:]] + [high_ms]
    for (start, offset), span_end in zip(spans, ends, strict=True):
        shift = offset - rollover_hour * HOUR_MS
        at, end = start, min(span_end, high_ms)
        while at < end:
            local_hour = (at + offset) // HOUR_MS
            following = min(end, (local_hour + 1) * HOUR_MS - offset)
            segments.append((at, following, (at + shift) // DAY_MS + EPOCH_DAY, local_hour % 24))
            at = following
    return segments
