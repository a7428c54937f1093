"""From the store to the numbers: stats, fitting FSRS to a person's history, simulating their workload.

The adapters between the store's rows and the pure libraries (stats.py, optimizer.py); the CLI calls these
and prints what they return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .clock import day_number, utc_now
from .model import CardRow, LoggedAnswer, State
from .settings import Settings
from .stats import Answer, CardSnapshot, Stats, compute_stats
from .store import Store

STATE_NAMES = {State.NEW: "new", State.LEARNING: "learning", State.REVIEW: "review", State.RELEARNING: "relearning"}
DEFAULT_RETENTIONS = (0.80, 0.85, 0.90, 0.95)


# ---------------------------------------------------------------- stats

def card_snapshots(rows: Iterable[CardRow], today: int) -> list[CardSnapshot]:
    """Store rows as the stats library's records (buried: through today's study day or later)."""
    snapshots = []
    for row in rows:
        schedule = row.schedule
        interval = None
        if schedule.due is not None and schedule.last_review is not None:
            interval = (schedule.due - schedule.last_review).total_seconds() / 86400
        snapshots.append(CardSnapshot(
            row.card_id, STATE_NAMES[State(schedule.state)], schedule.due, schedule.stability, interval,
            suspended=row.suspended, buried=row.buried_until is not None and row.buried_until >= today,
        ))
    return snapshots


def answer_records(logged: Iterable[LoggedAnswer]) -> list[Answer]:
    """Log rows (in time order) as the stats library's records, each with the interval it was answered at."""
    last: dict[str, LoggedAnswer] = {}
    records = []
    for answer in logged:
        previous = last.get(answer.card_id)
        interval = None
        if previous is not None and previous.due is not None:
            interval = (previous.due - previous.reviewed_at).total_seconds() / 86400
        records.append(Answer(answer.card_id, answer.reviewed_at, answer.rating, answer.duration_ms,
                              STATE_NAMES[State(answer.state_before)], interval))
        last[answer.card_id] = answer
    return records


def store_stats(store: Store | None, decks: Sequence[str] | None, settings: Settings, now: datetime | None = None,
                tz=None) -> Stats:
    """The statistics of the given decks' cards (all cards when `decks` is None); no store: empty stats."""
    now = now or utc_now()
    today = day_number(now, settings.rollover_hour, tz)
    rows = store.cards(decks) if store is not None else ()
    logged = store.answers(decks) if store is not None else ()
    return compute_stats(card_snapshots(rows, today), answer_records(logged), now,
                         rollover_hour=settings.rollover_hour, tz=tz, desired_retention=settings.desired_retention)


def settings_summary(settings: Settings) -> dict[str, str]:
    """The settings the stats screen shows beside the numbers."""
    summary = {"desired retention": f"{round(100 * settings.desired_retention, 2):g}%"}
    if settings.uses_default_parameters:
        summary["parameters"] = "FSRS defaults"
    else:
        when = settings.fitted.get("date", "")
        summary["parameters"] = f"fitted to your history{' on ' + when if when else ''}"
    summary["day starts"] = f"{settings.rollover_hour:02d}:00"
    return summary


# ---------------------------------------------------------------- optimize

@dataclass
class OptimizeResult:
    """What `optimize` found and did."""

    reviews: int  # long-term reviews (on a later day than the card's previous answer)
    needed: int  # reviews still missing before fitting makes sense (0: enough)
    comparison: object | None = None  # optimizer.Comparison
    saved: bool = False
    cards: int = 0  # cards whose answers were used
    since: str | None = None  # answers before this date were ignored
    recomputed: object | None = None  # memory.RecomputeReport after a save

    def to_dict(self) -> dict:
        data: dict = {"reviews": self.reviews, "cards": self.cards, "since": self.since, "needed": self.needed,
                      "saved": self.saved, "recomputed": self.recomputed.to_dict() if self.recomputed else None}
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
             now: datetime | None = None, tz=None, since: datetime | None = None,
             reschedule: bool = False) -> OptimizeResult:
    """Fit FSRS to the review log when there is enough of it (cards begun before `since` left out); save the
    parameters only if they predict better, then recompute every card's memory state with them."""
    from . import optimizer
    from .clock import to_ms

    rows = optimizer.CardCounter(optimizer.rows_since(store.answer_rows_by_card(decks) if store is not None else (),
                                                      to_ms(since)))
    items = optimizer.training_items_from_rows(rows, settings.rollover_hour, tz)
    reviews = len(items)  # one item per long-term review
    when = since.date().isoformat() if since else None
    if reviews < optimizer.MIN_REVIEWS:
        return OptimizeResult(reviews, optimizer.MIN_REVIEWS - reviews, cards=rows.cards, since=when)
    comparison = optimizer.compare(items)
    result = OptimizeResult(reviews, 0, comparison, cards=rows.cards, since=when)
    if comparison.fitted_is_better:
        settings.parameters = [float(value) for value in comparison.parameters]
        settings.fitted = {
            "date": (now or utc_now()).date().isoformat(),
            "reviews": reviews,
            "log_loss": {"defaults": comparison.defaults.log_loss, "fitted": comparison.fitted.log_loss},
            "rmse_bins": {"defaults": comparison.defaults.rmse_bins, "fitted": comparison.fitted.rmse_bins},
        }
        save(settings)
        result.saved = True
        if store is not None:
            from .memory import recompute_memory_states

            result.recomputed = recompute_memory_states(store, settings, reschedule=reschedule, tz=tz)
    return result


# ---------------------------------------------------------------- simulate

@dataclass
class SimulateResult:
    """Simulated workload per desired retention, and the cheapest retention when asked."""

    parameters_source: str  # "fitted" or "defaults"
    deck_size: int
    days: int
    rows: list = field(default_factory=list)  # optimizer.SimulationRow
    optimal: float | None = None
    optimal_at_floor: bool = False  # the search stopped at its lowest retention: not a recommendation
    sources: dict = field(default_factory=dict)  # costs and button odds: "yours" or "defaults"
    seeds: int = 1

    def to_dict(self) -> dict:
        return {
            "parameters": self.parameters_source, "deck_size": self.deck_size, "days": self.days,
            "optimal_retention": self.optimal, "optimal_at_floor": self.optimal_at_floor,
            "costs_and_odds": self.sources, "seeds": self.seeds,
            "retentions": [
                {"retention": row.retention, "reviews_per_day": row.reviews_per_day,
                 "minutes_per_day": row.minutes_per_day, "memorized_per_day": row.memorized_per_day,
                 "total_minutes": row.total_minutes, "memorized": row.memorized,
                 "minutes_per_memorized_card": row.minutes_per_memorized_card, "spread": row.spread}
                for row in self.rows
            ],
        }


def simulate_workload(settings: Settings, deck_size: int, days: int, retentions: Sequence[float], seed: int,
                      find_optimal: bool, answers=None, tz=None, seeds: int = 3) -> SimulateResult:
    """Simulate studying a deck of `deck_size` new cards for `days` with the person's parameters (or the
    defaults) and, from `answers` (their log) when it holds enough, their own review costs and button odds;
    averaged over `seeds` runs."""
    from fsrs_rs_python import DEFAULT_PARAMETERS

    from . import optimizer

    parameters = settings.parameters or list(DEFAULT_PARAMETERS)
    profile = optimizer.personal_profile(answers or (), settings.rollover_hour, tz)
    result = SimulateResult("defaults" if settings.uses_default_parameters else "fitted", deck_size, days,
                            sources=profile.sources, seeds=seeds)
    if find_optimal:
        result.optimal = round(optimizer.optimal_retention(parameters, deck_size, days, settings.new_per_day,
                                                           settings.reviews_per_day, profile), 3)
        result.optimal_at_floor = optimizer.at_search_floor(result.optimal)
    chosen = sorted({*retentions, *([result.optimal] if result.optimal is not None else [])})
    result.rows = optimizer.simulate(parameters, chosen, deck_size, days, seed, settings.new_per_day,
                                     settings.reviews_per_day, profile, seeds)
    return result
