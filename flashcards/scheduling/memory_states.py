"""Memory states that follow the parameters: each card's stability and difficulty replayed from its review log.

When the FSRS parameters change (fitted by `optimize`, set with `config parameters` or `config --deck`, or a
history imported), every card's memory state is computed again (with its deck's parameters when the deck has
its own) from its whole log through fsrs-rs, the engine inside Anki,
with days between answers counted as whole study days (the rollover hour, local time; same-day answers
count 0 days), exactly as Anki's "FSRS: compute memory states" does. All cards are written in one
transaction. With `reschedule`, review cards also get the due date the new state gives (Anki's
"Reschedule cards on change").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo
from itertools import repeat
from operator import and_, sub

from ..clock import day_start, to_ms, utc_now
from ..model import State
from ..settings import Settings
from .fuzz import fuzz_factor, with_review_fuzz
from .load_balance import Rescheduling
from .studydays import day_counter, day_shifts

_DAY_MS = 86_400_000
_SAME = 1e-6  # relative change below which a state counts as unchanged
BATCH = 20_000  # cards whose states fsrs-rs computes in one call (memory stays flat however large the deck)
_DAY_PART = repeat(-4)  # & -4: a history value's day part (4 * study day)


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
    """Replay each card's review log (all cards, or `card_ids`) through fsrs-rs with the parameters of its deck's
    settings (a deck's own, else the store's) and store the resulting stability and difficulty in one transaction;
    with `reschedule`, review cards are due again at their last review plus the interval the new state gives at
    their desired retention.

    Due dates are anchored on the last review, as in Anki; with load balancing on they are balanced as Anki's
    rescheduler does (load_balance.Rescheduling), over the cards due per day as of `now` (the current moment).

    The store reads each card's history with its schedule in one row, its study days counted in SQL
    (store.memory_histories: [4 * study day + rating - 1, ...] in time order); each becomes an FSRSItem in C
    alone (json's scanner, map, operator: a review's key is its value less its predecessor's day part, the
    first's its own, i.e. 4 * days between + rating - 1), its FSRSReviews shared objects (_Reviews), and fsrs-rs
    computes the states BATCH cards at a time. A history that way cannot read (an answer before the one it
    follows, a rating not 1-4) is read the slow way, through history_items, which takes any as it is.
    """
    import json.scanner

    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem

    report = RecomputeReport()
    span = store.log_span()
    if span is None:
        return report
    presets = card_presets(store, settings)
    balancing = reschedule and settings.fuzz and settings.load_balance
    balancers = reschedulers(store, settings, presets, now or utc_now(), tz) if balancing else {}
    day = day_counter(settings.rollover_hour, tz)
    engines: dict[str | None, tuple[FSRS, Settings]] = {}
    pending: dict[str | None, tuple[list, list]] = {}
    memory_updates: list[tuple[str, float, float]] = []
    due_updates: list[tuple[str, int]] = []

    def flush(preset: str | None) -> None:
        rows, items = pending.pop(preset)
        if preset not in engines:
            own = settings.for_deck(preset)
            engines[preset] = (FSRS(list(own.parameters or DEFAULT_PARAMETERS)), own)
        fsrs, own = engines[preset]
        report.cards += len(rows)
        for row, found in zip(rows, fsrs.memory_state_batch(items), strict=True):
            card_id, state, stability, difficulty, last_review, due, reps, suspended, _ = row
            new_s, new_d = found.stability, found.difficulty
            if (stability is None or difficulty is None or abs(stability - new_s) > _SAME * max(abs(new_s), 1.0)
                    or abs(difficulty - new_d) > _SAME * max(abs(new_d), 1.0)):
                memory_updates.append((card_id, new_s, new_d))
            if reschedule and state == State.REVIEW and not suspended and last_review is not None:
                balancer = balancers.get(preset)
                last_day = day(last_review)
                days = rescheduled_interval(fsrs, new_s, own, card_id, reps, balancer, last_day)
                new_due = last_review + days * _DAY_MS
                if balancer is not None and due is not None:
                    balancer.moved(day(due), last_day + days)
                if new_due != due:
                    due_updates.append((card_id, new_due))

    scan = json.scanner.make_scanner(json.JSONDecoder())
    review = _Reviews().__getitem__
    for row in store.memory_histories(day_shifts(settings.rollover_hour, tz, *span), card_ids):
        history = row[8]
        if history is None:  # a card without answers
            continue
        try:  # (see _Reviews)
            values = scan(history, 0)[0]
            item = FSRSItem(list(map(review, map(sub, values, map(and_, [values[0], *values], _DAY_PART)))))
        except (_Unordered, ValueError, StopIteration, IndexError, TypeError, OverflowError):
            item = history_items(store.answer_rows_of([row[0]]), settings.rollover_hour, tz)[1][0]
        preset = presets.get(row[0]) if presets else None
        rows, items = pending.get(preset) or pending.setdefault(preset, ([], []))
        rows.append(row)
        items.append(item)
        if len(items) >= BATCH:
            flush(preset)
    for preset in list(pending):
        flush(preset)
    report.changed = len(memory_updates)
    if memory_updates or due_updates:
        with store.transaction() as db:
            store.set_memory_states(db, memory_updates)
            store.set_due_dates(db, due_updates)
    report.rescheduled = len(due_updates)
    return report


class _Unordered(Exception):
    """A history the fast reading cannot take (an answer before the one it follows, a rating not 1-4)."""


class _Reviews(dict):
    """4 * days since the previous answer + rating - 1 -> its FSRSReview, made once and shared by every item
    (fsrs-rs copies reviews into an item)."""

    def __missing__(self, key):
        from fsrs_rs_python import FSRSReview

        if type(key) is not int or key < 0:
            raise _Unordered
        review = self[key] = FSRSReview((key & 3) + 1, key >> 2)
        return review


def card_presets(store, settings: Settings) -> dict[str, str]:
    """Card id -> the name of the deck with settings of its own it belongs to (cards of the store's settings are
    absent); a card in two such decks follows the first name in order."""
    if not settings.decks:
        return {}
    keys = store.deck_keys_named(settings.decks)
    presets: dict[str, str] = {}
    for name in sorted(keys):
        if keys[name]:
            for card_id in store.card_ids_of_decks(keys[name]):
                presets.setdefault(card_id, name)
    return presets


def rescheduled_interval(fsrs, stability: float, settings: Settings, card_id: str, reps: int,
                         balancer: Rescheduling | None = None, last_day: int | None = None) -> int:
    """Whole days from the last review for a review card of this stability (fuzzed as its last answer was; with a
    balancer, balanced as Anki's rescheduler balances it, the last review on study day `last_day`)."""
    interval = fsrs.next_interval(stability, settings.desired_retention, 3)
    factor = fuzz_factor(card_id, max(reps - 1, 0)) if settings.fuzz else None
    top = settings.maximum_interval_days
    if factor is not None and balancer is not None and last_day is not None:
        chosen = balancer.interval(factor, interval, 1, top, last_day)
        if chosen is not None:
            return chosen
    return with_review_fuzz(factor, interval, 1, top)


def reschedulers(store, settings: Settings, presets: dict[str, str], now: datetime,
                 tz: tzinfo | None) -> dict[str | None, Rescheduling]:
    """Per preset (None: the store's settings), the cards due per study day and the answers given today, for
    rescheduling with the load balancer."""
    day = day_counter(settings.rollover_hour, tz)
    today = day(to_ms(now))
    due_per_day: dict[str | None, dict[int, int]] = {}
    for card_id, state, _, _, _, due, _, _ in store.memory_rows():
        if state != State.NEW and due is not None:
            counts = due_per_day.setdefault(presets.get(card_id), {})
            counts[day(due)] = counts.get(day(due), 0) + 1
    names = sorted(set(presets.values()))
    keys = store.deck_keys_named(names) if names else {}
    separate = [key for name in names for key in keys[name]]
    start = day_start(today, settings.rollover_hour, tz)
    found: dict[str | None, Rescheduling] = {}
    for name in [None, *names]:
        answered = store.answers_since(start, list(State), keys[name] if name else None, () if name else separate)
        found[name] = Rescheduling(today, due_per_day.get(name, {}), answered, settings.for_deck(name).easy_days)
    return found


def _same(old: float | None, new: float) -> bool:
    return old is not None and abs(old - new) <= _SAME * max(abs(new), 1.0)


__all__ = ["RecomputeReport", "card_presets", "history_items", "recompute_memory_states", "rescheduled_interval"]

