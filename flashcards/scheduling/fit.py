"""Fitting FSRS to a person's own history, evaluating it, and simulating workload (fsrs-rs-python).

Pure functions over answer records; the store and the CLI feed them. fsrs-rs is the engine Anki ships, and
its parameters are FSRS-6, the same as py-fsrs's, so fitted parameters schedule reviews as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

from ..clock import day_number
from ..model import LoggedAnswer
from .rust_calls import into_fsrs_rs

if TYPE_CHECKING:
    from fsrs_rs_python import FSRSItem, FSRSReview

MIN_REVIEWS = 400  # reviews on a later day than the card's previous one, as Anki asks before fitting
SPLITS = 5


def training_items_from_rows(rows: Iterable[tuple[str, int, int]], rollover_hour: int = 4,
                             tz: tzinfo | None = None) -> list[tuple[int, FSRSItem]]:
    """fsrs-rs training items (FSRSItem), each with its study day, sorted by day, from (card id, answered at in
    ms UTC, rating) rows ordered by card, then time. For a card answered on days d0, d1, ..., every prefix of its
    answers that ends on a later day than the answer before it is one item, as (rating, whole days since the
    previous answer) pairs: 0 days for the first answer and for same-day answers.

    Streams: no history objects are kept, only the items (fsrs-rs holds their reviews in compact Rust
    memory), so a million answers fit well under 400 MB. Their number is the count of long-term reviews.
    """
    from ..clock import from_ms

    return _sorted_items((card_id, day_number(from_ms(at_ms), rollover_hour, tz), rating) for card_id, at_ms, rating in rows)


def _sorted_items(answers: Iterable[tuple[str, int, int]]) -> list[tuple[int, FSRSItem]]:
    """Items from (card id, study day, rating) grouped by card in time order: every prefix ending on a new day."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    items = []
    card = previous_day = None
    reviews: list[FSRSReview] = []
    for card_id, day, rating in answers:
        if card_id != card:
            card, previous_day, reviews = card_id, None, []
        delta = 0 if previous_day is None else day - previous_day
        previous_day = day
        reviews.append(FSRSReview(rating, delta))
        if len(reviews) > 1 and delta > 0:
            items.append((day, FSRSItem(reviews)))
    items.sort(key=lambda pair: pair[0])
    return items


@dataclass
class Scores:
    """How well a set of parameters predicted held-out reviews (lower is better for both)."""

    log_loss: float
    rmse_bins: float


@dataclass
class Fold:
    """One time fold: fitted on everything before it, both parameter sets scored on the fold."""

    reviews: int
    defaults: Scores
    fitted: Scores

    @property
    def fitted_wins(self) -> bool:
        return self.fitted.log_loss < self.defaults.log_loss

    def to_dict(self) -> dict:
        return {"reviews": self.reviews, "defaults": vars(self.defaults), "fitted": vars(self.fitted),
                "fitted_wins": self.fitted_wins}


@dataclass
class Comparison:
    """Defaults against parameters fitted on earlier reviews, scored on the same later ones, fold by fold."""

    reviews: int
    held_out: int
    defaults: Scores
    fitted: Scores
    parameters: list[float]
    folds: list[Fold] = field(default_factory=list)

    @property
    def folds_won(self) -> int:
        return sum(fold.fitted_wins for fold in self.folds)

    @property
    def fitted_is_better(self) -> bool:
        """Fitted parameters win on a majority of the folds and in total (lower log loss, RMSE no worse), so
        a single fold cannot decide the save either way."""
        in_total = self.fitted.log_loss < self.defaults.log_loss and self.fitted.rmse_bins <= self.defaults.rmse_bins
        majority = self.folds_won * 2 > len(self.folds) if self.folds else True
        return in_total and majority


def fit_parameters(items: Sequence[FSRSItem], seed: int = 2023) -> list[float]:
    """FSRS parameters fitted to the training items."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, TrainingConfig

    with into_fsrs_rs("optimize"):
        return list(FSRS(DEFAULT_PARAMETERS).compute_parameters(list(items), training_config=TrainingConfig(seed=seed)))


def evaluate(parameters: Sequence[float], items: Sequence[FSRSItem]) -> Scores:
    """Log loss and RMSE(bins) of parameters on items."""
    from fsrs_rs_python import FSRS

    with into_fsrs_rs("optimize"):
        result = FSRS(list(parameters)).evaluate(list(items))
    return Scores(result.log_loss, result.rmse_bins)


def compare(dated_items: Sequence[tuple[int, FSRSItem]], splits: int = SPLITS, seed: int = 2023) -> Comparison:
    """Time-series splits: fit on what came before each fold, score defaults and fit on the fold itself.

    Items are in time order; each fold's figures are kept, and the totals are averaged weighted by fold
    size. The parameters returned are fitted on all items.
    """
    from fsrs_rs_python import DEFAULT_PARAMETERS

    items = [item for _, item in dated_items]
    fold = len(items) // (splits + 1)
    folds: list[Fold] = []
    for index in range(1, splits + 1):
        train, test = items[: fold * index], items[fold * index: fold * (index + 1) if index < splits else None]
        if not train or not test:
            continue
        folds.append(Fold(len(test), evaluate(DEFAULT_PARAMETERS, test), evaluate(fit_parameters(train, seed), test)))
    held_out = sum(f.reviews for f in folds)
    if not held_out:
        raise ValueError("not enough items to hold any out")
    average = {name: Scores(sum(getattr(f, name).log_loss * f.reviews for f in folds) / held_out,
                            sum(getattr(f, name).rmse_bins * f.reviews for f in folds) / held_out)
               for name in ("defaults", "fitted")}
    return Comparison(len(items), held_out, average["defaults"], average["fitted"], fit_parameters(items, seed), folds)


def rows_since(rows: Iterable[tuple[str, int, int]], since_ms: int | None) -> Iterator[tuple[str, int, int]]:
    """Anki's "ignore reviews before" for fitting: cards whose history began before `since_ms` are left out
    whole (rows ordered by card, then time)."""
    if since_ms is None:
        yield from rows
        return
    card, keep = None, False
    for row in rows:
        if row[0] != card:
            card, keep = row[0], row[1] >= since_ms
        if keep:
            yield row


class CardCounter:
    """Passes (card id, ...) rows through and counts the distinct cards (rows ordered by card)."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        self._rows = rows
        self.cards = 0

    def __iter__(self) -> Iterator[tuple]:
        card = None
        for row in self._rows:
            if row[0] != card:
                card = row[0]
                self.cards += 1
            yield row


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
