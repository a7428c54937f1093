"""How your memory is doing: card counts, due forecast, review heatmap, streaks, true retention, workload,
and what Anki's statistics show besides: reviews by kind, answer buttons, hours of the day, cards added (each
over 1 month, 3 months, 1 year or all, see periods.py), and the intervals, difficulty and retrievability of
the cards.

Pure computation over plain records (the store turns its rows into CardSnapshot and Answer); a clock is
passed in and nothing here reads files or draws. ui/stats_*.py draw what compute_stats() returns.

Days are study days, as in Anki: a day starts at `rollover_hour` local time, so an answer given at 2 am
belongs to the day before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from ..clock import day_number, to_ms
from .periods import Period, periods
from .totals import (
    DAY_MS,
    DIFFICULTY_SCALE,
    MEMORY_BINS,
    RETRIEVABILITY_SCALE,
    CardTotals,
    DayTotals,
    answer_kind,
    curve_factor,
    difficulty_bin,
    retrievability,
    retrievability_bin,
)

FORECAST_DAYS = 30  # the due forecast covers today (with everything overdue) and the 29 days after
ACTIVITY_DAYS = 30  # answers and time per day are charted for the last 30 days
RETENTION_PERIODS = (7, 30, 365)  # true retention over the last N days, today included
MATURE_DAYS = 21  # a review card with an interval of 21 days or more is mature, as in Anki
FAR_DAYS = 36_600  # the forecast looks this far ahead at most (the longest interval is 36,500 days)
DEFAULT_DECAY = 0.1542  # FSRS-6's default forgetting-curve decay (its 21st parameter)

# Stability buckets: (label, lower bound in days, upper bound in days or None for no upper bound).
STABILITY_BUCKETS: tuple[tuple[str, float, float | None], ...] = (
    ("<1d", 0, 1),
    ("1-3d", 1, 3),
    ("3-7d", 3, 7),
    ("1-2w", 7, 14),
    ("2-4w", 14, 28),
    ("1-3mo", 28, 90),
    ("3-6mo", 90, 180),
    ("6-12mo", 180, 365),
    (">1y", 365, None),
)

# Interval buckets of review cards, as STABILITY_BUCKETS; the mature line (21 days) is a boundary.
INTERVAL_BUCKETS: tuple[tuple[str, float, float | None], ...] = (
    ("<1d", 0, 1),
    ("1d", 1, 2),
    ("2d", 2, 3),
    ("3-6d", 3, 7),
    ("1-2w", 7, 14),
    ("2-3w", 14, 21),
    ("3w-1mo", 21, 30),
    ("1-2mo", 30, 60),
    ("2-3mo", 60, 90),
    ("3-6mo", 90, 180),
    ("6mo-1y", 180, 365),
    ("1-2y", 365, 730),
    (">2y", 730, None),
)

STATES = ("new", "learning", "review", "relearning")


@dataclass(frozen=True)
class CardSnapshot:
    """One card's current schedule."""

    card_id: str
    state: str  # "new" | "learning" | "review" | "relearning"
    due: datetime | None  # UTC, timezone-aware; None for new cards
    stability: float | None  # FSRS stability in days; None for new
    interval_days: float | None  # current scheduled interval (due - last_review) in days; None for new
    suspended: bool = False
    buried: bool = False
    difficulty: float | None = None  # FSRS difficulty 1-10; None for new
    last_review: datetime | None = None  # UTC; None: due - interval_days when both are known


@dataclass(frozen=True)
class Answer:
    """One logged answer."""

    card_id: str
    reviewed_at: datetime  # UTC, timezone-aware
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    duration_ms: int
    state_before: str  # "new" | "learning" | "review" | "relearning"
    interval_before_days: float | None  # the interval the card had when answered (for young/mature)


@dataclass(frozen=True)
class StateCounts:
    """Cards by state; a suspended or buried card counts only there, not in its state."""

    new: int = 0
    learning: int = 0  # learning and relearning
    young: int = 0  # review, interval < 21 days
    mature: int = 0  # review, interval >= 21 days
    suspended: int = 0
    buried: int = 0

    @property
    def total(self) -> int:
        """Every card."""
        return self.new + self.learning + self.young + self.mature + self.suspended + self.buried


@dataclass(frozen=True)
class DayCount:
    """A count for one study day."""

    day: date
    count: int


@dataclass(frozen=True)
class DayActivity:
    """What one study day took: answers given and minutes spent answering."""

    day: date
    answers: int
    minutes: float


@dataclass(frozen=True)
class RetentionCount:
    """Review answers that passed (Hard, Good or Easy) out of all review answers."""

    passed: int = 0
    total: int = 0

    @property
    def failed(self) -> int:
        """Answers rated Again."""
        return self.total - self.passed

    @property
    def rate(self) -> float | None:
        """Share passed; None when there were no review answers (not 0%)."""
        return self.passed / self.total if self.total else None


@dataclass(frozen=True)
class RetentionRow:
    """True retention over the last `days` study days, young and mature cards apart and together."""

    days: int
    young: RetentionCount
    mature: RetentionCount

    @property
    def combined(self) -> RetentionCount:
        """Young and mature together."""
        return RetentionCount(self.young.passed + self.mature.passed, self.young.total + self.mature.total)


@dataclass(frozen=True)
class Bucket:
    """Cards whose stability lies in [low_days, high_days)."""

    label: str
    low_days: float
    high_days: float | None
    count: int


@dataclass(frozen=True)
class Bin:
    """Cards whose difficulty or retrievability lies in [low, high) percent (the last bin includes 100%)."""

    low: int
    high: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}%"


@dataclass(frozen=True)
class Memory:
    """The studied cards' memory now: intervals of review cards, difficulty and retrievability (FSRS)."""

    intervals: tuple[Bucket, ...]  # review cards by current interval
    interval_mean_days: float | None
    interval_max_days: float | None
    difficulty: tuple[Bin, ...]  # cards by difficulty, 1-10 shown as 0-100% as in Anki
    difficulty_mean: float | None  # percent
    retrievability: tuple[Bin, ...]  # cards by their chance of recall now
    retrievability_mean: float | None  # 0-1
    recall_now: float  # the cards one would expect to recall now: the sum of their retrievability

    @property
    def reviewed(self) -> int:
        """Review cards with an interval."""
        return sum(bucket.count for bucket in self.intervals)

    @property
    def with_difficulty(self) -> int:
        return sum(item.count for item in self.difficulty)

    @property
    def with_retrievability(self) -> int:
        return sum(item.count for item in self.retrievability)

    def to_dict(self) -> dict:
        return {
            "intervals": {
                "buckets": [{"bucket": b.label, "low_days": b.low_days, "high_days": b.high_days, "cards": b.count}
                            for b in self.intervals],
                "cards": self.reviewed, "mean_days": _round(self.interval_mean_days, 2),
                "max_days": _round(self.interval_max_days, 2),
            },
            "difficulty": {
                "bins": [{"from_pct": b.low, "to_pct": b.high, "cards": b.count} for b in self.difficulty],
                "cards": self.with_difficulty, "mean_pct": _round(self.difficulty_mean, 2),
            },
            "retrievability": {
                "bins": [{"from_pct": b.low, "to_pct": b.high, "cards": b.count} for b in self.retrievability],
                "cards": self.with_retrievability, "mean": _round(self.retrievability_mean, 4),
                "recall_now": round(self.recall_now, 1),
            },
        }


@dataclass(frozen=True)
class Stats:
    """Everything `flashcards stats` shows; to_dict() is the --json form."""

    now: datetime
    today: date  # the study day `now` belongs to
    rollover_hour: int
    desired_retention: float
    cards: StateCounts
    forecast: tuple[DayCount, ...]  # FORECAST_DAYS days from today; today includes everything overdue
    overdue: int  # cards due before today (counted in forecast[0] too)
    heatmap: tuple[DayCount, ...]  # answers per day for the `days` days ending today, oldest first
    current_streak: int  # days in a row with an answer, ending today (or yesterday if none yet today)
    longest_streak: int  # the longest such run in the whole history
    days_studied: int  # days with an answer in the heatmap window
    period_days: int  # days in the window since the first answer: what days_studied is a share of
    retention: tuple[RetentionRow, ...]  # one row per RETENTION_PERIODS entry
    activity: tuple[DayActivity, ...]  # ACTIVITY_DAYS days ending today, oldest first
    answers_total: int  # answers in the heatmap window
    minutes_total: float  # minutes spent answering in the heatmap window
    stability: tuple[Bucket, ...]  # cards being studied (not new, not suspended) by stability
    periods: tuple[Period, ...]  # one per periods.RANGES entry: 1 month, 3 months, 1 year, all
    memory: Memory  # intervals, difficulty, retrievability of the cards being studied

    @property
    def due_today(self) -> int:
        """Cards due today, overdue ones included."""
        return self.forecast[0].count if self.forecast else 0

    @property
    def due_tomorrow(self) -> int:
        """Cards due tomorrow."""
        return self.forecast[1].count if len(self.forecast) > 1 else 0

    @property
    def days_studied_pct(self) -> float | None:
        """Share of days with an answer since studying began (within the window); None before any answer."""
        return 100 * self.days_studied / self.period_days if self.period_days else None

    def to_dict(self) -> dict:
        """Plain data for --json: dates as ISO strings, missing rates as null."""
        return {
            "now": self.now.isoformat(),
            "today": self.today.isoformat(),
            "rollover_hour": self.rollover_hour,
            "desired_retention": self.desired_retention,
            "cards": {
                "new": self.cards.new, "learning": self.cards.learning, "young": self.cards.young,
                "mature": self.cards.mature, "suspended": self.cards.suspended, "buried": self.cards.buried,
                "total": self.cards.total,
            },
            "forecast": {
                "due_today": self.due_today, "due_tomorrow": self.due_tomorrow, "overdue": self.overdue,
                "days": [{"date": item.day.isoformat(), "due": item.count} for item in self.forecast],
            },
            "heatmap": {
                "days": [{"date": item.day.isoformat(), "answers": item.count} for item in self.heatmap],
                "current_streak": self.current_streak,
                "longest_streak": self.longest_streak,
                "days_studied": self.days_studied,
                "period_days": self.period_days,
                "days_studied_pct": _round(self.days_studied_pct, 1),
            },
            "retention": [
                {
                    "days": row.days,
                    **{name: _retention_dict(count) for name, count in
                       (("young", row.young), ("mature", row.mature), ("all", row.combined))},
                }
                for row in self.retention
            ],
            "activity": {
                "days": [
                    {"date": item.day.isoformat(), "answers": item.answers, "minutes": round(item.minutes, 2)}
                    for item in self.activity
                ],
                "answers_total": self.answers_total,
                "minutes_total": round(self.minutes_total, 2),
            },
            "stability": [
                {"bucket": item.label, "low_days": item.low_days, "high_days": item.high_days, "cards": item.count}
                for item in self.stability
            ],
            "periods": [period.to_dict() for period in self.periods],
            **self.memory.to_dict(),
        }


def compute_stats(
    cards: Iterable[CardSnapshot],
    answers: Iterable[Answer],
    now: datetime,
    *,
    rollover_hour: int = 4,
    tz: tzinfo | None = None,
    desired_retention: float = 0.9,
    days: int = 365,
    decay: float = DEFAULT_DECAY,
) -> Stats:
    """The statistics for these cards and answers as of `now`; days start at `rollover_hour` in `tz` (None: local);
    retrievability follows FSRS's forgetting curve with `decay`."""
    _check(rollover_hour, days)
    now = _aware(now)

    def day_of(moment: datetime) -> int:
        return day_number(_aware(moment), rollover_hour, tz)

    today = day_of(now)
    cards = list(cards)
    per_day: dict[int, DayTotals] = {}
    for answer in answers:
        moment = _aware(answer.reviewed_at)
        day = day_of(moment)
        if day > today:  # answers from the future (a clock set wrong) belong to no day shown
            continue
        totals = per_day.get(day) or per_day.setdefault(day, DayTotals())
        mature = answer.interval_before_days is not None and answer.interval_before_days >= MATURE_DAYS
        kind = answer_kind(_STATE_NUMBERS.get(answer.state_before, 0), mature)
        totals.add(kind, answer.rating, moment.astimezone(tz).hour, 1, max(answer.duration_ms, 0),
                   answer.state_before == "new")
    far = today + FAR_DAYS
    due_per_day: Counter[int] = Counter(
        min(day_of(card.due), far) for card in cards
        if not (card.suspended or card.due is None or card.state == "new"))
    card_totals = CardTotals(_state_counts(cards), dict(due_per_day), _stability_counts(cards))
    _memory_totals(cards, to_ms(now), decay, card_totals)
    return stats_from_totals(card_totals, per_day, now, today, rollover_hour=rollover_hour,
                             desired_retention=desired_retention, days=days)


def stats_from_totals(cards: CardTotals, per_day: dict[int, DayTotals], now: datetime, today: int, *,
                      rollover_hour: int = 4, desired_retention: float = 0.9, days: int = 365) -> Stats:
    """The statistics from totals: the cards summed, and the answers summed per study day (none after `today`)."""
    _check(rollover_hour, days)
    first = today - days + 1
    heatmap = tuple(DayCount(date.fromordinal(day), per_day[day].answers if day in per_day else 0)
                    for day in range(first, today + 1))
    studied = {day for day, totals in per_day.items() if totals.answers}
    current, longest = _streaks(studied, today)

    def minutes(day: int) -> float:
        return per_day[day].duration_ms / 60_000 if day in per_day else 0.0

    activity = tuple(
        DayActivity(date.fromordinal(day), per_day[day].answers if day in per_day else 0, minutes(day))
        for day in range(today - ACTIVITY_DAYS + 1, today + 1)
    )
    overdue = sum(count for day, count in cards.due_per_day.items() if day < today)
    forecast = tuple(
        DayCount(date.fromordinal(today + offset),
                 (overdue if offset == 0 else 0) + cards.due_per_day.get(today + offset, 0))
        for offset in range(FORECAST_DAYS)
    )
    return Stats(
        now=_aware(now),
        today=date.fromordinal(today),
        rollover_hour=rollover_hour,
        desired_retention=desired_retention,
        cards=StateCounts(**cards.states),
        forecast=forecast,
        overdue=overdue,
        heatmap=heatmap,
        current_streak=current,
        longest_streak=longest,
        days_studied=sum(1 for item in heatmap if item.count),
        period_days=today - max(first, min(studied)) + 1 if studied else 0,
        retention=tuple(_retention(per_day, today, period) for period in RETENTION_PERIODS),
        activity=activity,
        answers_total=sum(item.count for item in heatmap),
        minutes_total=sum(per_day[day].duration_ms for day in per_day if first <= day <= today) / 60_000,
        stability=tuple(Bucket(label, low, high, count)
                        for (label, low, high), count in zip(STABILITY_BUCKETS, cards.stability, strict=True)),
        periods=periods(per_day, cards.due_per_day, today),
        memory=_memory(cards),
    )


def _memory(cards: CardTotals) -> Memory:
    reviewed = sum(cards.intervals)
    with_difficulty = sum(cards.difficulty)
    with_retrievability = sum(cards.retrievability)
    width = 100 // MEMORY_BINS
    return Memory(
        intervals=tuple(Bucket(label, low, high, count) for (label, low, high), count in
                        zip(INTERVAL_BUCKETS, cards.intervals or [0] * len(INTERVAL_BUCKETS), strict=True)),
        interval_mean_days=cards.interval_ms / reviewed / DAY_MS if reviewed else None,
        interval_max_days=None if cards.interval_max_ms is None else cards.interval_max_ms / DAY_MS,
        difficulty=tuple(Bin(index * width, index * width + width, count) for index, count in enumerate(cards.difficulty)),
        difficulty_mean=((cards.difficulty_sum / DIFFICULTY_SCALE / with_difficulty - 1) / 9 * 100
                         if with_difficulty else None),
        retrievability=tuple(Bin(index * width, index * width + width, count)
                             for index, count in enumerate(cards.retrievability)),
        retrievability_mean=(cards.retrievability_sum / RETRIEVABILITY_SCALE / with_retrievability
                             if with_retrievability else None),
        recall_now=cards.retrievability_sum / RETRIEVABILITY_SCALE,
    )


def _memory_totals(cards: list[CardSnapshot], now_ms: int, decay: float, totals: CardTotals) -> None:
    """Intervals, difficulty and retrievability of the cards being studied (not new, not suspended), into `totals`
    (the SQL in store/stats_queries.py sums the same)."""
    lows = [round(low * DAY_MS) for _, low, _ in INTERVAL_BUCKETS]
    totals.intervals = [0] * len(INTERVAL_BUCKETS)
    factor = curve_factor(decay)
    for card in cards:
        if card.suspended or card.state == "new":
            continue
        due = to_ms(card.due)
        last = to_ms(card.last_review)
        if last is None and due is not None and card.interval_days is not None:
            last = due - round(card.interval_days * DAY_MS)
        if card.state == "review" and due is not None and last is not None:
            interval = due - last
            totals.intervals[max(sum(1 for low in lows if interval >= low) - 1, 0)] += 1
            totals.interval_ms += interval
            totals.interval_max_ms = interval if totals.interval_max_ms is None else max(totals.interval_max_ms, interval)
        if card.difficulty is not None:
            totals.difficulty[difficulty_bin(card.difficulty)] += 1
            totals.difficulty_sum += int(card.difficulty * DIFFICULTY_SCALE)
        if card.stability is not None and card.stability > 0 and last is not None:
            value = retrievability(now_ms - last, card.stability, decay, factor)
            totals.retrievability[retrievability_bin(value)] += 1
            totals.retrievability_sum += int(value * RETRIEVABILITY_SCALE)


def _check(rollover_hour: int, days: int) -> None:
    if not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover_hour must be 0..23, not {rollover_hour}")
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")


def _aware(moment: datetime) -> datetime:
    """Records are UTC; a naive datetime is taken as UTC rather than as local time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _is_young(interval_days: float | None) -> bool:
    return interval_days is None or interval_days < MATURE_DAYS


_STATE_NUMBERS = {"new": 0, "learning": 1, "review": 2, "relearning": 3}


def _state_counts(cards: list[CardSnapshot]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for card in cards:
        if card.suspended:
            counts["suspended"] += 1
        elif card.buried:
            counts["buried"] += 1
        elif card.state == "new":
            counts["new"] += 1
        elif card.state in ("learning", "relearning"):
            counts["learning"] += 1
        else:
            counts["young" if _is_young(card.interval_days) else "mature"] += 1
    return dict(counts)


def _streaks(studied: set[int], today: int) -> tuple[int, int]:
    """(current, longest): the current run ends today, or yesterday when nothing is done yet today."""
    end = today if today in studied else today - 1
    current = 0
    while end - current in studied:
        current += 1
    longest = run = 0
    previous = None
    for day in sorted(studied):
        run = run + 1 if previous == day - 1 else 1
        longest = max(longest, run)
        previous = day
    return current, longest


def _retention(per_day: dict[int, DayTotals], today: int, period: int) -> RetentionRow:
    young, mature = [0, 0], [0, 0]
    for day, totals in per_day.items():
        if today - period < day <= today:
            young[0] += totals.young_passed
            young[1] += totals.young_total
            mature[0] += totals.mature_passed
            mature[1] += totals.mature_total
    return RetentionRow(period, RetentionCount(*young), RetentionCount(*mature))


def _stability_counts(cards: list[CardSnapshot]) -> list[int]:
    counts = [0] * len(STABILITY_BUCKETS)
    for card in cards:
        if card.suspended or card.state == "new" or card.stability is None:
            continue
        for index, (_, low, high) in enumerate(STABILITY_BUCKETS):
            if card.stability >= low and (high is None or card.stability < high):
                counts[index] += 1
                break
        else:  # a negative stability is a broken record; show it with the shortest
            counts[0] += 1
    return counts


def _retention_dict(count: RetentionCount) -> dict:
    return {"passed": count.passed, "failed": count.failed, "total": count.total, "rate": _round(count.rate, 4)}


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)

