"""The figures that follow the range a person picks, as Anki's statistics do: 1 month, 3 months, 1 year, all.

For each range: the answers by kind (learning, young, mature, relearning) and the time they took, per bar of
one or more days; the cards added (answered as new cards); the answer buttons pressed by learning, young and mature
cards; the answers per hour of the day; and the due forecast for as far ahead. All of it is summed from the
per-day totals (totals.DayTotals), which the store sums in SQL: nothing here reads the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .totals import BUTTON_GROUPS, KINDS, RATINGS, DayTotals

# (key, label, study days; None: since the first answer, or to the last due card)
RANGES: tuple[tuple[str, str, int | None], ...] = (
    ("1m", "1 month", 30), ("3m", "3 months", 90), ("1y", "1 year", 365), ("all", "all", None),
)
MAX_BARS = 73  # a bar covers the fewest days of _BAR_DAYS that keep a range within this many bars
_BAR_DAYS = (1, 2, 5, 7, 14, 30, 61, 91, 183, 365, 730, 1826, 3652, 7305, 18262, 36525)


def bar_days(days: int) -> int:
    """Days per bar for a range of `days`: 30 -> 1, 90 -> 2, 365 -> 5 (as Anki bins them), longer -> more."""
    for size in _BAR_DAYS:
        if -(-days // size) <= MAX_BARS:
            return size
    return -(-days // MAX_BARS)


@dataclass(frozen=True)
class Kinds:
    """A figure split by the kind of answer (KINDS)."""

    learning: int = 0
    young: int = 0
    mature: int = 0
    relearning: int = 0

    @property
    def total(self) -> int:
        """All kinds together."""
        return self.learning + self.young + self.mature + self.relearning

    def values(self) -> tuple[int, int, int, int]:
        """In KINDS order."""
        return self.learning, self.young, self.mature, self.relearning

    def to_dict(self) -> dict:
        return {**dict(zip(KINDS, self.values(), strict=True)), "total": self.total}


@dataclass(frozen=True)
class ReviewBar:
    """One bar of the reviews and time charts: the days `first` to `last`."""

    first: date
    last: date
    answers: Kinds
    ms: Kinds  # milliseconds spent answering
    added: int  # cards answered as new cards in these days


@dataclass(frozen=True)
class ButtonCounts:
    """How often each button (Again, Hard, Good, Easy) was pressed on one group of cards."""

    group: str  # one of BUTTON_GROUPS
    counts: tuple[int, int, int, int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def correct(self) -> int:
        """Answers that were not Again."""
        return self.total - self.counts[0]

    @property
    def rate(self) -> float | None:
        """Share correct; None without answers."""
        return self.correct / self.total if self.total else None


@dataclass(frozen=True)
class HourCount:
    """Answers given in one hour of the local clock (hour 9: 09:00-10:00), and those not Again."""

    hour: int
    answers: int
    correct: int

    @property
    def rate(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True)
class DueBar:
    """Cards due from `first` to `last` (today's bar includes every overdue card)."""

    first: date
    last: date
    due: int


@dataclass(frozen=True)
class Period:
    """Everything that follows one range: the last `days` study days up to today, and the next `forecast_days`."""

    key: str  # "1m", "3m", "1y", "all"
    label: str
    days: int  # study days covered, today included (all: since the first answer)
    bar_days: int
    reviews: tuple[ReviewBar, ...]  # oldest first; the last bar ends today
    answers: Kinds  # in the range
    ms: Kinds
    added: int
    days_studied: int  # days with an answer in the range
    active_days: int  # days in the range since the first answer: what days_studied is a share of
    buttons: tuple[ButtonCounts, ...]  # one per BUTTON_GROUPS entry
    hours: tuple[HourCount, ...]  # 24, hour 0 first
    forecast_days: int  # today and the days after (all: up to the last due card)
    forecast_bar_days: int
    forecast: tuple[DueBar, ...]  # today first

    @property
    def first(self) -> date:
        return self.reviews[0].first

    @property
    def minutes(self) -> float:
        return self.ms.total / 60_000

    @property
    def due(self) -> int:
        """Cards due in the forecast's days, overdue ones included."""
        return sum(bar.due for bar in self.forecast)

    def to_dict(self) -> dict:
        """Plain data for --json."""
        return {
            "range": self.label, "days": self.days, "from": self.first.isoformat(),
            "answers": self.answers.to_dict(),
            "minutes": {name: round(value / 60_000, 2) for name, value in self.ms.to_dict().items()},
            "added": self.added, "days_studied": self.days_studied, "active_days": self.active_days,
            "bar_days": self.bar_days,
            "reviews": [
                {"from": bar.first.isoformat(), "to": bar.last.isoformat(), **bar.answers.to_dict(),
                 "minutes": round(bar.ms.total / 60_000, 2), "added": bar.added}
                for bar in self.reviews
            ],
            "buttons": {
                item.group: {**dict(zip(RATINGS, item.counts, strict=True)), "total": item.total,
                             "correct": item.correct, "rate": None if item.rate is None else round(item.rate, 4)}
                for item in self.buttons
            },
            "hours": [{"hour": item.hour, "answers": item.answers, "correct": item.correct} for item in self.hours],
            "forecast": {
                "days": self.forecast_days, "bar_days": self.forecast_bar_days, "due": self.due,
                "bars": [{"from": bar.first.isoformat(), "to": bar.last.isoformat(), "due": bar.due}
                         for bar in self.forecast],
            },
        }


def periods(per_day: Mapping[int, DayTotals], due_per_day: Mapping[int, int], today: int) -> tuple[Period, ...]:
    """One Period per RANGES entry, from the answers summed per study day (none after `today`) and the cards due
    per study day (those before today are overdue: on today's bar)."""
    first_answer = min((day for day, totals in per_day.items() if totals.answers), default=None)
    last_due = max((day for day, count in due_per_day.items() if count), default=today)
    out = []
    for key, label, length in RANGES:
        days = length or today - (today if first_answer is None else first_answer) + 1
        ahead = length or max(last_due - today + 1, 1)
        out.append(_period(key, label, days, ahead, per_day, due_per_day, today, first_answer))
    return tuple(out)


def _period(key: str, label: str, days: int, ahead: int, per_day: Mapping[int, DayTotals],
            due_per_day: Mapping[int, int], today: int, first_answer: int | None) -> Period:
    size = bar_days(days)
    count = -(-days // size)
    start = today - count * size + 1  # whole bars ending today (the first may begin before the range: no answers)
    first = today - days + 1
    bars = []
    for index in range(count):
        low = start + index * size
        high = low + size - 1
        inside = [per_day[day] for day in range(max(low, first), high + 1) if day in per_day]
        bars.append(ReviewBar(date.fromordinal(max(low, first)), date.fromordinal(high),
                              Kinds(*_sum_lists([t.kinds for t in inside], 4)),
                              Kinds(*_sum_lists([t.kind_ms for t in inside], 4)), sum(t.added for t in inside)))
    inside = [totals for day, totals in per_day.items() if first <= day <= today]
    buttons = _sum_lists([t.buttons for t in inside], len(BUTTON_GROUPS) * 4)
    hours = _sum_lists([t.hours for t in inside], 24)
    passed = _sum_lists([t.hours_passed for t in inside], 24)
    ahead_size = bar_days(ahead)
    overdue = sum(value for day, value in due_per_day.items() if day < today)
    forecast = []
    for index in range(-(-ahead // ahead_size)):
        low = today + index * ahead_size
        high = min(low + ahead_size, today + ahead) - 1
        due = sum(due_per_day.get(day, 0) for day in range(low, high + 1)) + (overdue if index == 0 else 0)
        forecast.append(DueBar(date.fromordinal(low), date.fromordinal(high), due))
    return Period(
        key=key, label=label, days=days, bar_days=size, reviews=tuple(bars),
        answers=Kinds(*_sum_lists([t.kinds for t in inside], 4)), ms=Kinds(*_sum_lists([t.kind_ms for t in inside], 4)),
        added=sum(t.added for t in inside), days_studied=sum(1 for t in inside if t.answers),
        active_days=0 if first_answer is None else today - max(first, first_answer) + 1,
        buttons=tuple(ButtonCounts(group, tuple(buttons[index * 4:index * 4 + 4]))  # type: ignore[arg-type]
                      for index, group in enumerate(BUTTON_GROUPS)),
        hours=tuple(HourCount(hour, hours[hour], passed[hour]) for hour in range(24)),
        forecast_days=ahead, forecast_bar_days=ahead_size, forecast=tuple(forecast),
    )


def _sum_lists(lists: list[list[int]], length: int) -> list[int]:
    sums = [0] * length
    for values in lists:
        for index, value in enumerate(values):
            sums[index] += value
    return sums
