"""`optimize` as a service: fit FSRS to the store's review log, keep the fit only when it predicts better.

The numbers come from fit.py (pure); this module reads the store, saves the settings and recomputes
memory states after a save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from ..clock import utc_now
from ..settings import Settings
from ..store import Store

if TYPE_CHECKING:
    from .fit import Comparison
    from .memory_states import RecomputeReport


@dataclass
class OptimizeResult:
    """What `optimize` found and did."""

    reviews: int  # long-term reviews (on a later day than the card's previous answer)
    needed: int  # reviews still missing before fitting makes sense (0: enough)
    comparison: Comparison | None = None
    saved: bool = False
    cards: int = 0  # cards whose answers were used
    since: str | None = None  # answers before this date were ignored
    recomputed: RecomputeReport | None = None  # after a save
    for_decks: list[str] = field(default_factory=list)  # saved as these decks' own parameters (else the store's)

    def to_dict(self) -> dict:
        data: dict = {"reviews": self.reviews, "cards": self.cards, "since": self.since, "needed": self.needed,
                      "saved": self.saved, "recomputed": self.recomputed.to_dict() if self.recomputed else None,
                      "for_decks": self.for_decks}
        if self.comparison is not None:
            c = self.comparison
            data.update({
                "held_out": c.held_out,
                "defaults": {"log_loss": c.defaults.log_loss, "rmse_bins": c.defaults.rmse_bins},
                "fitted": {"log_loss": c.fitted.log_loss, "rmse_bins": c.fitted.rmse_bins},
                "parameters": c.parameters,
                "fitted_is_better": c.fitted_is_better,
                "folds": [fold.to_dict() for fold in c.folds],
                "folds_won": c.folds_won,
            })
        return data


def optimize(store: Store | None, decks: Sequence[str] | None, settings: Settings, save: Callable[[Settings], None],
             now: datetime | None = None, tz: tzinfo | None = None, since: datetime | None = None,
             reschedule: bool = False, for_decks: Sequence[str] = ()) -> OptimizeResult:
    """Fit FSRS to the review log when there is enough of it (cards begun before `since` left out); save the
    parameters only if they predict better, then recompute every card's memory state with them. With `for_decks`
    (deck names; `decks` their store keys) they are saved as those decks' own (Anki: the preset's), and only
    their cards are recomputed."""
    from ..clock import to_ms
    from . import fit

    rows = fit.CardCounter(fit.rows_since(store.answer_rows_by_card(decks) if store is not None else (),
                                                      to_ms(since)))
    items = fit.training_items_from_rows(rows, settings.rollover_hour, tz)
    reviews = len(items)  # one item per long-term review
    when = since.date().isoformat() if since else None
    if reviews < fit.MIN_REVIEWS:
        return OptimizeResult(reviews, fit.MIN_REVIEWS - reviews, cards=rows.cards, since=when)
    comparison = fit.compare(items)
    result = OptimizeResult(reviews, 0, comparison, cards=rows.cards, since=when, for_decks=list(for_decks))
    if comparison.fitted_is_better:
        parameters = [float(value) for value in comparison.parameters]
        fitted = {
            "date": (now or utc_now()).date().isoformat(),
            "reviews": reviews,
            "log_loss": {"defaults": comparison.defaults.log_loss, "fitted": comparison.fitted.log_loss},
            "rmse_bins": {"defaults": comparison.defaults.rmse_bins, "fitted": comparison.fitted.rmse_bins},
        }
        if for_decks:
            for name in for_decks:
                settings.decks.setdefault(name, {}).update(parameters=list(parameters), fitted=dict(fitted))
        else:
            settings.parameters, settings.fitted = parameters, fitted
        save(settings)
        result.saved = True
        if store is not None:
            from .memory_states import recompute_memory_states

            named = store.deck_keys_named(for_decks) if for_decks else {}
            cards = store.card_ids_of_decks([key for keys in named.values() for key in keys]) if for_decks else None
            result.recomputed = recompute_memory_states(store, settings, cards, reschedule=reschedule, tz=tz)
    return result
