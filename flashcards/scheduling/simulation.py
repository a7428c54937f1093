"""Simulating the workload of a desired retention with fsrs-rs: a person's own review costs and button odds
where their log holds enough, Anki's defaults elsewhere; the retention that minimises the work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from ..clock import day_number
from ..model import LoggedAnswer
from .rust_calls import into_fsrs_rs


@dataclass
class SimulationRow:
    """One desired retention's simulated workload: per-day figures averaged over seeds, and their spread."""

    retention: float
    reviews_per_day: list[float]
    minutes_per_day: list[float]
    memorized_per_day: list[float]
    spread: dict = field(default_factory=dict)  # {"total_minutes": [low, high], "memorized": [low, high]}

    @property
    def total_minutes(self) -> float:
        return sum(self.minutes_per_day)

    @property
    def memorized(self) -> float:
        return self.memorized_per_day[-1] if self.memorized_per_day else 0.0

    @property
    def minutes_per_memorized_card(self) -> float:
        return self.total_minutes / self.memorized if self.memorized else float("inf")


MIN_PERSONAL_ANSWERS = 20  # per (kind, button) cost cell, and per odds table, before a person's own figures are used
_LONGEST_ANSWER_MS = 1_200_000  # longer (or zero) durations are left out, as fsrs-rs does


@dataclass
class Profile:
    """A person's review costs (seconds, by learning / review / relearning and button) and button odds, each
    from their own log when it holds enough answers, else fsrs-rs's defaults; `sources` says which."""

    state_rating_costs: list[list[float]]
    first_rating_prob: list[float]
    review_rating_prob: list[float]
    sources: dict[str, str]
    answers: int = 0


def personal_profile(answers: Iterable[LoggedAnswer], rollover_hour: int = 4, tz: tzinfo | None = None) -> Profile:
    """Costs and button odds from a review log, as fsrs-rs derives them from Anki's: mean duration per kind
    and button; first-answer-of-the-day odds for new cards (Again..Easy) and review cards (Hard..Easy)."""
    from fsrs_rs_python import default_simulator_config

    default = default_simulator_config()
    durations = [[[0, 0] for _ in range(4)] for _ in range(3)]  # [kind][button] -> [total ms, count]
    firsts: dict[tuple[str, int], tuple[int, int]] = {}  # (card, study day) -> (kind, rating) of its first answer
    count = 0
    for answer in answers:
        if not 0 < answer.duration_ms < _LONGEST_ANSWER_MS or not 1 <= answer.rating <= 4:
            continue
        count += 1
        kind = {0: 0, 1: 0, 2: 1, 3: 2}.get(int(answer.state_before), 0)
        cell = durations[kind][answer.rating - 1]
        cell[0] += answer.duration_ms
        cell[1] += 1
        key = (answer.card_id, day_number(answer.reviewed_at, rollover_hour, tz))
        if key not in firsts:
            firsts[key] = (int(answer.state_before), answer.rating)
    costs = [list(row) for row in default.state_rating_costs]
    own_cells = 0
    for kind in range(3):
        for button in range(4):
            total, n = durations[kind][button]
            if n >= MIN_PERSONAL_ANSWERS:
                costs[kind][button] = total / n / 1000
                own_cells += 1
    new_buttons, review_buttons = [0] * 4, [0] * 3
    for state, rating in firsts.values():
        if state == 0:
            new_buttons[rating - 1] += 1
        elif state == 2 and rating > 1:
            review_buttons[rating - 2] += 1
    first = _odds(new_buttons, list(default.first_rating_prob))
    review = _odds(review_buttons, list(default.review_rating_prob))
    sources = {
        "costs": "yours" if own_cells == 12 else f"yours for {own_cells} of 12 kinds" if own_cells else "defaults",
        "first_rating_odds": "yours" if first[1] else "defaults",
        "review_rating_odds": "yours" if review[1] else "defaults",
    }
    return Profile(costs, first[0], review[0], sources, count)


def _odds(counts: list[int], default: list[float]) -> tuple[list[float], bool]:
    total = sum(counts)
    if total < MIN_PERSONAL_ANSWERS:
        return default, False
    return [n / total for n in counts], True


def simulator_config(deck_size: int, days: int, new_per_day: int = 20, reviews_per_day: int = 200,
                     profile: Profile | None = None):
    """fsrs-rs's simulator for this deck size and span: a person's costs and odds when given, else Anki's averages."""
    from fsrs_rs_python import default_simulator_config

    config = default_simulator_config()
    config.deck_size = deck_size
    config.learn_span = days
    config.learn_limit = new_per_day
    config.review_limit = reviews_per_day
    if profile is not None:
        config.state_rating_costs = profile.state_rating_costs
        config.first_rating_prob = profile.first_rating_prob
        config.review_rating_prob = profile.review_rating_prob
    return config


def simulate(
    parameters: Sequence[float], retentions: Sequence[float], deck_size: int, days: int, seed: int = 42,
    new_per_day: int = 20, reviews_per_day: int = 200, profile: Profile | None = None, seeds: int = 1,
) -> list[SimulationRow]:
    """Simulate studying a deck for `days` at each desired retention, averaged over `seeds` runs (seed,
    seed + 1, ...) with the spread of their totals; reproducible for a seed."""
    import fsrs_rs_python

    config = simulator_config(deck_size, days, new_per_day, reviews_per_day, profile)
    rows = []
    for retention in retentions:
        with into_fsrs_rs("simulate"):
            runs = [fsrs_rs_python.simulate(list(parameters), retention, config, seed + offset) for offset in range(seeds)]
        minutes = [[value / 60 for value in run.cost_per_day] for run in runs]
        row = SimulationRow(
            retention,
            _mean([list(run.review_cnt_per_day) for run in runs]),
            _mean(minutes),
            _mean([list(run.memorized_cnt_per_day) for run in runs]),
        )
        totals = [sum(run_minutes) for run_minutes in minutes]
        memorized = [run.memorized_cnt_per_day[-1] if run.memorized_cnt_per_day else 0.0 for run in runs]
        row.spread = {"seeds": seeds, "total_minutes": [min(totals), max(totals)], "memorized": [min(memorized), max(memorized)]}
        rows.append(row)
    return rows


def _mean(series: list[list[float]]) -> list[float]:
    return [sum(values) / len(values) for values in zip(*series, strict=True)]


OPTIMAL_FLOOR = 0.70  # the lowest retention fsrs-rs's search tries


def optimal_retention(parameters: Sequence[float], deck_size: int, days: int, new_per_day: int = 20,
                      reviews_per_day: int = 200, profile: Profile | None = None) -> float:
    """The desired retention that costs the least study time per card memorized (fsrs-rs's search)."""
    import fsrs_rs_python

    config = simulator_config(deck_size, days, new_per_day, reviews_per_day, profile)
    with into_fsrs_rs("simulate --optimal"):
        return float(fsrs_rs_python.optimal_retention(config, list(parameters)))


def at_search_floor(retention: float) -> bool:
    """The search stopped at its lowest retention: the true optimum may be lower still; not a recommendation."""
    return retention <= OPTIMAL_FLOOR + 0.005
