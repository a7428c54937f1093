"""Anki's load balancer and easy days: a fuzzed interval lands on the day of its fuzz range that holds fewer reviews.

Read from Anki's rslib/src/scheduler/states/load_balancer.rs (Anki 24.11 and later) and done the same way:

- It applies where Anki's does: to every interval that is fuzzed (review answers, graduating from learning or
  relearning), only when fuzz is on, and not to intervals (nor minimums) over 90 days, where the need to balance
  is low. The candidates are exactly the fuzz range (fuzz.constrained_fuzz_bounds with the same minimum and
  maximum), so the floor of the previous interval and Hard < Good < Easy hold as they do with plain fuzz: each
  answer's minimum is passed in as before.
- Each candidate day gets a weight: 1 for a day with no cards due, else (1 / cards due) ** 2.15 * (1 / interval)
  ** 3 (the interval term keeps the choice from leaning towards later days). Cards due are the studied cards
  (review, and learning cards due on a later day) due that study day, of the same settings (Anki: the preset).
- Easy days (Monday first; 1 normal, 0 minimum, anything between reduced) multiply the weight as Anki's
  calculate_easy_days_modifiers decides: a reduced day counts as minimum once it holds more than its half
  share of the range's cards, else normal. Two deliberate differences, so that a minimum day really gets no
  reviews when its range has another day: the modifier also applies to a day with no cards due (Anki gives such
  a day the full weight, whatever its easy-day setting, since its "Easy days: revisited" change), and a minimum
  day's weight is 0, not Anki's 0.0001, when the range has a day that is not minimum (when every day of the
  range is minimum they are balanced as normal days, as Anki's non-zero weight intends).
- The day is drawn from the weights with the card's own fuzz factor (the seed of its card and repetition), by
  the inverse of the weights' cumulative distribution: deterministic, so the answer buttons' preview shows the
  day the answer gives, and with equal weights exactly the day plain fuzz gives.

Pure: the due counts come through DayLoad (the review session reads them from the store).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol

from .fuzz import constrained_fuzz_bounds

MAX_BALANCED_INTERVAL = 90  # Anki's MAX_LOAD_BALANCE_INTERVAL
NORMAL, REDUCED, MINIMUM = 1.0, 0.5, 0.0  # what `easy_days` holds per weekday (Anki's easy_days_percentages)
NORMAL_WEEK = (NORMAL,) * 7
_COUNT_POWER = 2.15
_INTERVAL_POWER = 3
_MINIMUM_LOAD = 0.0001  # Anki's load modifier of a minimum day


class DayLoad(Protocol):
    """Where the balancer learns how many cards are due on each study day."""

    def due_counts(self, first_day: int, last_day: int, card_id: str) -> Sequence[int]:
        """Cards due on each study day from `first_day` to `last_day` (inclusive), leaving out `card_id` (the card
        being answered leaves its old day)."""
        ...


def weekday(day: int) -> int:
    """The weekday of a study day number (clock.day_number), Monday 0 (a study day is named by its date)."""
    return date.fromordinal(day).weekday()


def easy_day_kind(value: float) -> float:
    """NORMAL, REDUCED or MINIMUM for a weekday's easy-day value (Anki: 1 normal, 0 minimum, else reduced)."""
    if value >= 1.0:
        return NORMAL
    return MINIMUM if value <= 0.0 else REDUCED


def easy_day_modifiers(easy_days: Sequence[float], weekdays: Sequence[int], counts: Sequence[int]) -> list[float]:
    """Each candidate day's easy-day modifier, 1 (normal) or MINIMUM's load, as Anki's
    calculate_easy_days_modifiers gives it: a reduced day is minimum when it holds more than its half share of the
    range's cards (its count over 0.5 against the other days' count over their load), else normal."""
    kinds = [easy_day_kind(easy_days[day]) for day in weekdays]
    loads = [_MINIMUM_LOAD if kind == MINIMUM else kind for kind in kinds]
    total_count, total_load = sum(counts), sum(loads)
    modifiers = []
    for kind, count in zip(kinds, counts, strict=True):
        resolved = kind
        if kind == REDUCED:
            others_load = total_load - REDUCED
            threshold = (total_count - count) / others_load if others_load > 0 else float("inf")
            resolved = MINIMUM if count / REDUCED > threshold else NORMAL
        modifiers.append(_MINIMUM_LOAD if resolved == MINIMUM else NORMAL)
    return modifiers


def day_weights(lower: int, counts: Sequence[int], modifiers: Sequence[float]) -> list[float]:
    """The weight of each candidate interval `lower + i` with `counts[i]` cards due (see the module's docstring)."""
    spare = any(modifier >= NORMAL for modifier in modifiers)  # a day that is not minimum: minimum days get nothing
    weights = []
    for index, (count, modifier) in enumerate(zip(counts, modifiers, strict=True)):
        base = 1.0 if count == 0 else (1.0 / count) ** _COUNT_POWER * (1.0 / (lower + index)) ** _INTERVAL_POWER
        weights.append(base * (NORMAL if modifier >= NORMAL or not spare else 0.0))
    return weights


def weighted_choice(weights: Sequence[float], factor: float) -> int:
    """The index the point `factor` (in [0, 1)) falls on in the weights' cumulative distribution."""
    total = sum(weights)
    target = factor * total
    running = 0.0
    for index, weight in enumerate(weights):
        running += weight
        if weight > 0 and running > target:
            return index
    return max(index for index, weight in enumerate(weights) if weight > 0)


def balanced_interval(factor: float, interval: float, minimum: int, maximum: int, today: int,
                      counts: Callable[[int, int], Sequence[int]], easy_days: Sequence[float] = NORMAL_WEEK) -> int | None:
    """The balanced interval in whole days for a card answered on study day `today`, or None where Anki does not
    balance (an interval or minimum over 90 days): then plain fuzz decides. `counts(first, last)` gives the cards
    due on each study day from `first` to `last`."""
    if int(interval) > MAX_BALANCED_INTERVAL or minimum > MAX_BALANCED_INTERVAL:
        return None
    lower, upper = constrained_fuzz_bounds(interval, minimum, maximum)
    if lower == upper:
        return lower
    due = list(counts(today + lower, today + upper))
    weekdays = [weekday(today + days) for days in range(lower, upper + 1)]
    modifiers = easy_day_modifiers(easy_days, weekdays, due)
    return lower + weighted_choice(day_weights(lower, due, modifiers), factor)


class CountsOnce:
    """A card's due counts read once per preview: the ranges of Hard, Good and Easy overlap, and each day is asked
    of the DayLoad only once."""

    def __init__(self, load: DayLoad, card_id: str) -> None:
        self._load = load
        self._card_id = card_id
        self._known: dict[int, int] = {}

    def __call__(self, first: int, last: int) -> list[int]:
        missing = [day for day in range(first, last + 1) if day not in self._known]
        if missing:
            start, end = missing[0], missing[-1]
            self._known.update(zip(range(start, end + 1), self._load.due_counts(start, end, self._card_id), strict=True))
        return [self._known[day] for day in range(first, last + 1)]


class Rescheduling:
    """Anki's rescheduler (rslib/src/scheduler/fsrs/rescheduler.rs): when memory states are recomputed with
    --reschedule and load balancing is on, each review card's new interval, counted from its last review, is
    balanced over the cards due per study day (every studied card of its settings, the card itself at its old day
    until it moves, as there), with its last answer's fuzz factor; the day it lands on then holds one more card.
    As there: no 90-day cap; a card whose whole range lies before today keeps plain fuzz; days before today are
    not candidates; today weighs the cards due by today and the answers given today."""

    def __init__(self, today: int, due_per_day: dict[int, int], answered_today: int,
                 easy_days: Sequence[float] = NORMAL_WEEK) -> None:
        self.today = today
        self.due_per_day = due_per_day
        self.due_today = sum(count for day, count in due_per_day.items() if day <= today)
        self.answered_today = answered_today
        self.easy_days = tuple(easy_days)

    def interval(self, factor: float, interval: float, minimum: int, maximum: int, last_day: int) -> int | None:
        """Whole days from the last review (on study day `last_day`), or None for plain fuzz."""
        elapsed = self.today - last_day
        lower, upper = constrained_fuzz_bounds(interval, minimum, maximum)
        if upper < elapsed:
            return None
        lower = max(lower, elapsed)
        counts = [self.due_per_day.get(last_day + days, 0) if days > elapsed else self.due_today + self.answered_today
                  for days in range(lower, upper + 1)]
        weekdays = [weekday(last_day + days) for days in range(lower, upper + 1)]
        modifiers = easy_day_modifiers(self.easy_days, weekdays, counts)
        return lower + weighted_choice(day_weights(lower, counts, modifiers), factor)

    def moved(self, old_day: int, new_day: int) -> None:
        """A card went from its old due day to a new one."""
        if self.due_per_day.get(old_day, 0) > 0:
            self.due_per_day[old_day] -= 1
        self.due_per_day[new_day] = self.due_per_day.get(new_day, 0) + 1
        if old_day <= self.today < new_day:
            self.due_today -= 1
        elif new_day <= self.today < old_day:
            self.due_today += 1


__all__ = ["MAX_BALANCED_INTERVAL", "MINIMUM", "NORMAL", "NORMAL_WEEK", "REDUCED", "CountsOnce", "DayLoad", "Rescheduling",
           "balanced_interval", "day_weights", "easy_day_kind", "easy_day_modifiers", "weekday", "weighted_choice"]
