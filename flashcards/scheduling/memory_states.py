"""Memory states that follow the parameters: each card's stability and difficulty replayed from its review log.

When the FSRS parameters change (fitted by `optimize`, set with `config parameters`, or a history imported),
every card's memory state is computed again from its whole log through fsrs-rs, the engine inside Anki,
with days between answers counted as whole study days (the rollover hour, local time; same-day answers
count 0 days), exactly as Anki's "FSRS: compute memory states" does. All cards are written in one
transaction. With `reschedule`, review cards also get the due date the new state gives (Anki's
"Reschedule cards on change").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo

from ..model import State
from ..settings import Settings
from .fuzz import fuzz_factor, with_review_fuzz
from .studydays import day_counter

_DAY_MS = 86_400_000
_SAME = 1e-6  # relative change below which a state counts as unchanged


@dataclass
class RecomputeReport:
    """What a recomputation did: cards with a history, how many states changed, how many due dates moved."""

    cards: int = 0
    changed: int = 0
    rescheduled: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def history_items(rows: Iterable[tuple[str, int, int]], rollover_hour: int = 4, tz: tzinfo | None = None):
    """One fsrs-rs FSRSItem per card holding its whole history, from (card id, at ms UTC, rating) rows
    ordered by card then time. Returns (card ids, items, last answer ms per card)."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    day = day_counter(rollover_hour, tz)
    ids: list[str] = []
    items: list = []
    last_ms: list[int] = []
    card = None
    reviews: list = []
    previous_day = 0
    previous_ms = 0
    for card_id, at_ms, rating in rows:
        today = day(at_ms)
        if card_id != card:
            if reviews:
                items.append(FSRSItem(reviews))
                last_ms.append(previous_ms)
            card, reviews, previous_day = card_id, [], today
            ids.append(card_id)
        reviews.append(FSRSReview(rating, today - previous_day))
        previous_day, previous_ms = today, at_ms
    if reviews:
        items.append(FSRSItem(reviews))
        last_ms.append(previous_ms)
    return ids, items, last_ms


def recompute_memory_states(store, settings: Settings, card_ids: Sequence[str] | None = None, *,
                            reschedule: bool = False, now: datetime | None = None,
                            tz: tzinfo | None = None) -> RecomputeReport:
    """Replay each card's review log (all cards, or `card_ids`) through fsrs-rs with the settings' parameters
    and store the resulting stability and difficulty in one transaction; with `reschedule`, review cards are
    due again at their last review plus the interval the new state gives at the desired retention.

    `now` is accepted for callers that pass their clock; due dates depend on the last review only.
    """
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    del now  # the due date is anchored on the last review, as in Anki
    fsrs = FSRS(list(settings.parameters or DEFAULT_PARAMETERS))
    rows = store.answer_rows_by_card() if card_ids is None else store.answer_rows_of(card_ids)
    ids, items, _ = history_items(rows, settings.rollover_hour, tz)
    report = RecomputeReport()
    if not items:
        return report
    states = fsrs.memory_state_batch(items)
    wanted = dict(zip(ids, states, strict=True))
    memory_updates: list[tuple[str, float, float]] = []
    due_updates: list[tuple[str, int]] = []
    for card_id, state, stability, difficulty, last_review, due, reps, suspended in store.memory_rows():
        found = wanted.get(card_id)
        if found is None or state == State.NEW:
            continue
        report.cards += 1
        new_s, new_d = float(found.stability), float(found.difficulty)
        if not (_same(stability, new_s) and _same(difficulty, new_d)):
            report.changed += 1
            memory_updates.append((card_id, new_s, new_d))
        if reschedule and state == State.REVIEW and not suspended and last_review is not None:
            days = rescheduled_interval(fsrs, new_s, settings, card_id, reps)
            new_due = last_review + days * _DAY_MS
            if new_due != due:
                due_updates.append((card_id, new_due))
    if memory_updates or due_updates:
        with store.transaction() as db:
            store.set_memory_states(db, memory_updates)
            store.set_due_dates(db, due_updates)
    report.rescheduled = len(due_updates)
    return report


def rescheduled_interval(fsrs, stability: float, settings: Settings, card_id: str, reps: int) -> int:
    """Whole days from the last review for a review card of this stability (fuzzed as its last answer was)."""
    interval = fsrs.next_interval(stability, settings.desired_retention, 3)
    factor = fuzz_factor(card_id, max(reps - 1, 0)) if settings.fuzz else None
    return with_review_fuzz(factor, interval, 1, settings.maximum_interval_days)


def _same(old: float | None, new: float) -> bool:
    return old is not None and abs(old - new) <= _SAME * max(abs(new), 1.0)


__all__ = ["RecomputeReport", "history_items", "recompute_memory_states", "rescheduled_interval"]

