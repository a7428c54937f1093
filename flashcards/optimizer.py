"""Fitting FSRS to a person's own history, evaluating it, and simulating workload (fsrs-rs-python).

Pure functions over answer records; the store and the CLI feed them. fsrs-rs is the engine Anki ships, and
its parameters are FSRS-6, the same as py-fsrs's, so fitted parameters schedule reviews as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from itertools import pairwise
from typing import Protocol

from .clock import day_number

MIN_REVIEWS = 400  # reviews on a later day than the card's previous one, as Anki asks before fitting
SPLITS = 5


class AnswerLike(Protocol):
    """What the optimizer needs of a logged answer."""

    card_id: str
    reviewed_at: datetime  # timezone-aware UTC
    rating: int  # 1 Again .. 4 Easy


@dataclass
class CardHistory:
    """One card's answers as (study day, rating), oldest first, and when the last one happened."""

    card_id: str
    reviews: list[tuple[int, int]] = field(default_factory=list)
    last_at: datetime | None = None


def card_histories(answers: Iterable[AnswerLike], rollover_hour: int = 4, tz: tzinfo | None = None) -> list[CardHistory]:
    """Group answers by card, in time order."""
    by_card: dict[str, list[AnswerLike]] = defaultdict(list)
    for answer in answers:
        by_card[answer.card_id].append(answer)
    histories = []
    for card_id, items in by_card.items():
        items.sort(key=lambda answer: answer.reviewed_at)
        history = CardHistory(card_id, [(day_number(a.reviewed_at, rollover_hour, tz), a.rating) for a in items])
        history.last_at = items[-1].reviewed_at
        histories.append(history)
    return histories


def review_sequences(histories: Iterable[CardHistory]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Training sequences of (rating, whole days since the previous answer), each with its study day.

    For a card answered on days d0, d1, ..., every prefix ending in an answer on a later day than the one
    before it is one sequence (0 days for the first answer and for same-day answers). Sorted by day.
    """
    sequences = []
    for history in histories:
        reviews: list[tuple[int, int]] = []
        previous_day = None
        for index, (day, rating) in enumerate(history.reviews):
            delta = 0 if previous_day is None else day - previous_day
            previous_day = day
            reviews.append((rating, delta))
            if index > 0 and delta > 0:
                sequences.append((day, list(reviews)))
    sequences.sort(key=lambda pair: pair[0])
    return sequences


def training_items(histories: Iterable[CardHistory]) -> list[tuple[int, object]]:
    """fsrs-rs training items (FSRSItem) for review_sequences(), with their study day, sorted by day."""
    return _sorted_items((history.card_id, day, rating) for history in histories for day, rating in history.reviews)


def training_items_from_rows(rows: Iterable[tuple[str, int, int]], rollover_hour: int = 4,
                             tz: tzinfo | None = None) -> list[tuple[int, object]]:
    """training_items() straight from (card id, answered at in ms UTC, rating) rows ordered by card, then time.

    Streams: no history objects are kept, only the items (fsrs-rs holds their reviews in compact Rust
    memory), so a million answers fit well under 400 MB. Their number is the count of long-term reviews.
    """
    from .clock import from_ms

    return _sorted_items((card_id, day_number(from_ms(at_ms), rollover_hour, tz), rating) for card_id, at_ms, rating in rows)


def _sorted_items(answers: Iterable[tuple[str, int, int]]) -> list[tuple[int, object]]:
    """Items from (card id, study day, rating) grouped by card in time order: every prefix ending on a new day."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    items = []
    card = previous_day = None
    reviews: list = []
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


def count_long_term_reviews(histories: Iterable[CardHistory]) -> int:
    """Answers given on a later day than the card's previous answer: what fitting learns from."""
    return sum(
        1 for history in histories for before, after in pairwise(history.reviews) if after[0] > before[0]
    )


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


def fit_parameters(items: Sequence[object], seed: int = 2023) -> list[float]:
    """FSRS parameters fitted to the training items."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, TrainingConfig

    return list(FSRS(DEFAULT_PARAMETERS).compute_parameters(list(items), training_config=TrainingConfig(seed=seed)))


def evaluate(parameters: Sequence[float], items: Sequence[object]) -> Scores:
    """Log loss and RMSE(bins) of parameters on items."""
    from fsrs_rs_python import FSRS

    result = FSRS(list(parameters)).evaluate(list(items))
    return Scores(result.log_loss, result.rmse_bins)


def compare(dated_items: Sequence[tuple[int, object]], splits: int = SPLITS, seed: int = 2023) -> Comparison:
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
    """One desired retention's simulated workload."""

    retention: float
    reviews_per_day: list[int]
    learned_per_day: list[int]
    minutes_per_day: list[float]
    memorized_per_day: list[float]

    @property
    def total_minutes(self) -> float:
        return sum(self.minutes_per_day)

    @property
    def memorized(self) -> float:
        return self.memorized_per_day[-1] if self.memorized_per_day else 0.0

    @property
    def minutes_per_memorized_card(self) -> float:
        return self.total_minutes / self.memorized if self.memorized else float("inf")


def simulator_config(deck_size: int, days: int, new_per_day: int = 20, reviews_per_day: int = 200):
    """fsrs-rs's default simulator (Anki's average costs and rating odds) for this deck size and span."""
    from fsrs_rs_python import default_simulator_config

    config = default_simulator_config()
    config.deck_size = deck_size
    config.learn_span = days
    config.learn_limit = new_per_day
    config.review_limit = reviews_per_day
    return config


def simulate(
    parameters: Sequence[float], retentions: Sequence[float], deck_size: int, days: int, seed: int = 42,
    new_per_day: int = 20, reviews_per_day: int = 200,
) -> list[SimulationRow]:
    """Simulate studying a deck for `days` at each desired retention; reproducible for a seed."""
    import fsrs_rs_python

    config = simulator_config(deck_size, days, new_per_day, reviews_per_day)
    rows = []
    for retention in retentions:
        result = fsrs_rs_python.simulate(list(parameters), retention, config, seed)
        rows.append(SimulationRow(
            retention,
            list(result.review_cnt_per_day),
            list(result.learn_cnt_per_day),
            [seconds / 60 for seconds in result.cost_per_day],
            list(result.memorized_cnt_per_day),
        ))
    return rows


def optimal_retention(parameters: Sequence[float], deck_size: int, days: int, new_per_day: int = 20,
                      reviews_per_day: int = 200) -> float:
    """The desired retention that costs the least study time per card memorized (fsrs-rs's search)."""
    import fsrs_rs_python

    config = simulator_config(deck_size, days, new_per_day, reviews_per_day)
    return float(fsrs_rs_python.optimal_retention(config, list(parameters)))
