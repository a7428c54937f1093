"""Anki's review fuzz: intervals spread a few days either way, within bounds, the same for the same card and answer.

The arithmetic follows Anki's scheduler (fuzz ranges of 15 %, 10 % and 5 %; at least one day of spread on
intervals from 2.5 days; an interval never fuzzed below a minimum such as the previous interval).
"""

from __future__ import annotations

import random

_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, float("inf"), 0.05))


def fuzz_factor(card_id: str, reps: int) -> float:
    """A number in [0, 1) fixed by the card and how many answers it had: previews match answers."""
    return random.Random(f"{card_id}:{reps}").random()


def fuzz_delta(interval: float) -> float:
    """How many days an interval may move either way (none under 2.5 days)."""
    if interval < 2.5:
        return 0.0
    return 1.0 + sum(factor * max(min(interval, end) - start, 0.0) for start, end, factor in _FUZZ_RANGES)


def constrained_fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """The fuzz range of an interval kept within [minimum, maximum], at least two days wide when it can be."""
    minimum = min(minimum, maximum)
    interval = min(max(interval, float(minimum)), float(maximum))
    delta = fuzz_delta(interval)
    lower = min(max(_round(interval - delta), minimum), maximum)
    upper = min(max(_round(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def with_review_fuzz(factor: float | None, interval: float, minimum: int, maximum: int) -> int:
    """The fuzzed interval in whole days (`factor` None: no fuzz, just rounded and bounded)."""
    if factor is None:
        return min(max(_round(interval), minimum), maximum)
    lower, upper = constrained_fuzz_bounds(interval, minimum, maximum)
    return int(lower + factor * (1 + upper - lower))


def minimum_review_fuzz_interval(interval: float, previous_interval: int, maximum: int) -> int:
    """The least a fuzzed review interval may be: fuzz does not undo growth, nor shrink a steady interval."""
    rounded = _round(interval)
    _, upper = constrained_fuzz_bounds(interval, 1, maximum)
    if rounded > previous_interval:
        return previous_interval + 1
    if previous_interval <= upper:
        return previous_interval
    return 0


def _round(value: float) -> int:
    """Rust's f32::round: halves away from zero (Python's round() goes to even)."""
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)
