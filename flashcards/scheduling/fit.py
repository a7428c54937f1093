"""Fitting FSRS to a person's own history and evaluating the fit (fsrs-rs-python); simulation.py simulates.

Pure functions over answer records; the store and the CLI feed them. fsrs-rs is the engine Anki ships, and
its parameters are FSRS-6, the same as py-fsrs's, so fitted parameters schedule reviews as they are.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from itertools import repeat
from typing import TYPE_CHECKING, overload

from ..clock import day_number
from .rust_calls import into_fsrs_rs

if TYPE_CHECKING:
    from fsrs_rs_python import FSRSItem, FSRSReview

MIN_REVIEWS = 400  # reviews on a later day than the card's previous one, as Anki asks before fitting
SPLITS = 5


class DatedItems(Sequence[tuple[int, "FSRSItem"]]):
    """Training items in study-day order, each with its study day: (day, item) pairs to a reader, held as a list
    of the items and an array of their days (millions of pairs would cost a tuple and an int object each)."""

    def __init__(self, days: array, items: list[FSRSItem]) -> None:
        self.days, self.items = days, items

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> tuple[int, FSRSItem]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, FSRSItem]]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, FSRSItem] | list[tuple[int, FSRSItem]]:
        if isinstance(index, slice):
            return list(zip(self.days[index], self.items[index], strict=True))
        return self.days[index], self.items[index]


def training_items_from_rows(rows: Iterable[tuple[str, int, int]], rollover_hour: int = 4,
                             tz: tzinfo | None = None) -> DatedItems:
    """fsrs-rs training items (FSRSItem), each with its study day, sorted by day, from (card id, answered at in
    ms UTC, rating) rows ordered by card, then time. For a card answered on days d0, d1, ..., every prefix of its
    answers that ends on a later day than the answer before it is one item, as (rating, whole days since the
    previous answer) pairs: 0 days for the first answer and for same-day answers.

    Streams: no history objects are kept, only the items (fsrs-rs holds their reviews in compact Rust
    memory) and their days in an array. Their number is the count of long-term reviews.
    """
    from ..clock import from_ms

    return _sorted_items((card_id, day_number(from_ms(at_ms), rollover_hour, tz), rating) for card_id, at_ms, rating in rows)


def _sorted_items(answers: Iterable[tuple[str, int, int]]) -> DatedItems:
    """Items from (card id, study day, rating) grouped by card in time order: every prefix ending on a new day,
    gathered per day (a day's items in the order they came), the days then taken in order."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    by_day: dict[int, list[FSRSItem]] = {}
    card = previous_day = None
    reviews: list[FSRSReview] = []
    for card_id, day, rating in answers:
        if card_id != card:
            card, previous_day, reviews = card_id, None, []
        delta = 0 if previous_day is None else day - previous_day
        previous_day = day
        reviews.append(FSRSReview(rating, delta))
        if len(reviews) > 1 and delta > 0:
            found = by_day.get(day)
            if found is None:
                found = by_day[day] = []
            found.append(FSRSItem(reviews))
    days, items = array("l"), []
    for day in sorted(by_day):
        some = by_day.pop(day)
        items.extend(some)
        days.extend(repeat(day, len(some)))
    return DatedItems(days, items)


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

    items = dated_items.items if isinstance(dated_items, DatedItems) else [item for _, item in dated_items]
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
