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

import sys
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo
from itertools import accumulate
from operator import attrgetter
from typing import Any, TypeVar

from ..clock import day_start, to_ms, utc_now
from ..model import State
from ..settings import Settings
from .fuzz import fuzz_factor, with_review_fuzz
from .load_balance import Rescheduling
from .studydays import day_counter, day_shifts, days_later

_T = TypeVar("_T")
_SAME = 1e-6  # relative change below which a state counts as unchanged
_STABILITY, _DIFFICULTY = attrgetter("stability"), attrgetter("difficulty")


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
    Without rescheduling, only the states that moved are written (SQLite compares each with the stored one, by
    store.set_changed_memory_states).
    """
    report = RecomputeReport()
    # the reader stops (its last read done) before the transaction commits or rolls back
    with store.transaction() as db, _ReadAhead() as reader:
        span = store.log_span()
        if span is None:
            return report
        presets = card_presets(store, settings)
        shifts = day_shifts(settings.rollover_hour, tz, *span)
        computed = _states(store, settings, presets, shifts, card_ids, tz, reader)
        if not reschedule:
            for _, ids, states in computed:
                report.cards += len(ids)
                with reader.lock:
                    report.changed += store.set_changed_memory_states(
                        db, zip(map(_STABILITY, states), map(_DIFFICULTY, states), ids, strict=True))
            return report
        _reschedule(store, db, settings, presets, computed, report, now, tz)
    return report


def _reschedule(store, db, settings: Settings, presets: dict[str, str], computed: Iterator, report: RecomputeReport,
                now: datetime | None, tz: tzinfo | None) -> None:
    """Write the computed states, and the due dates they give review cards (see recompute_memory_states)."""
    engines: dict[str | None, tuple[object, Settings]] = {}
    wanted: dict[str, object] = {}
    for (preset, engine), ids, states in computed:
        engines[preset] = (engine, settings.for_deck(preset))
        wanted.update(zip(ids, states, strict=True))
    balancers = reschedulers(store, settings, presets, now or utc_now(), tz) if settings.fuzz and settings.load_balance else {}
    day = day_counter(settings.rollover_hour, tz)
    later = days_later(settings.rollover_hour, tz)
    memory_updates: list[tuple[str, float, float]] = []
    due_updates: list[tuple[str, int]] = []
    for card_id, state, stability, difficulty, last_review, due, reps, suspended in store.memory_rows():
        found = wanted.get(card_id)
        if found is None or state == State.NEW:
            continue
        report.cards += 1
        new_s, new_d = float(found.stability), float(found.difficulty)  # type: ignore[attr-defined]
        if not (_same(stability, new_s) and _same(difficulty, new_d)):
            report.changed += 1
            memory_updates.append((card_id, new_s, new_d))
        if state == State.REVIEW and not suspended and last_review is not None:
            preset = presets.get(card_id)
            fsrs, own = engines[preset]
            balancer = balancers.get(preset)
            last_day = day(last_review)
            days = rescheduled_interval(fsrs, new_s, own, card_id, reps, balancer, last_day)
            new_due = later(last_review, days)
            if balancer is not None and due is not None:
                balancer.moved(day(due), last_day + days)
            if new_due != due:
                due_updates.append((card_id, new_due))
    store.set_memory_states(db, memory_updates)
    store.set_due_dates(db, due_updates)
    report.rescheduled = len(due_updates)


def _states(store, settings: Settings, presets: dict[str, str], shifts: list[tuple[int, int]],
            card_ids: Sequence[str] | None, tz: tzinfo | None,
            reader: _ReadAhead) -> Iterator[tuple[tuple[str | None, object], list, list]]:
    """((preset, its FSRS), card ids, their memory states) for every card that is not new and has answers, a chunk
    of cards (of a preset) at a time (the store's memory_log.CHUNK: memory stays flat however large the deck).

    The store gives a chunk's histories in one row (store.memory_history_chunks, kept in compact form beside the
    log: per card its answers' keys, 4 * study days since the answer before + rating - 1, in hex, the cards' laid
    end to end). They become FSRSItems in C alone: bytes.fromhex and an array of the keys, each key's
    FSRSReview a shared object (_Reviews), each card's item the slice of its reviews. A card the store cannot
    write so (a rating not 1-4...) comes alone and is read the slow way, through history_items, which takes any
    history as it is.

    The store is read a chunk ahead by `reader` (see _ReadAhead)."""
    import json.scanner

    from fsrs_rs_python import FSRSItem

    engines: dict[str | None, object] = {}
    scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
    review = _Reviews().__getitem__
    swap = sys.byteorder == "little"  # the keys are big-endian
    chunks = store.memory_history_chunks(shifts, card_ids)

    def read_next() -> tuple[Any, list[list[tuple[str, int, int]]] | None]:
        """The next chunk, with the log rows of each of its cards when they come the slow way."""
        chunk = next(chunks, None)
        if chunk is None or chunk.keys is not None:
            return chunk, None
        return chunk, [list(store.answer_rows_of([card_id])) for card_id in scan(chunk.ids, 0)[0]]

    ahead = reader.submit(read_next)
    while True:
        chunk, slow_rows = ahead.result()
        if chunk is None:
            return
        ahead = reader.submit(read_next)
        ids = scan(chunk.ids, 0)[0]
        if slow_rows is not None or chunk.keys is None or chunk.counts is None:
            items = [history_items(rows, settings.rollover_hour, tz)[1][0] for rows in slow_rows or ()]
        else:
            keys = array("I", bytes.fromhex(chunk.keys))
            if swap:
                keys.byteswap()
            reviews = list(map(review, keys))
            counts = scan(chunk.counts, 0)[0]
            items = list(map(FSRSItem, map(reviews.__getitem__, map(slice, accumulate(counts, initial=0),
                                                                      accumulate(counts)))))
        if not presets:
            yield _batch(engines, settings, None, ids, items)
            continue
        groups: dict[str | None, tuple[list, list]] = {}
        for card_id, item in zip(ids, items, strict=True):
            group = groups.get(presets.get(card_id)) or groups.setdefault(presets.get(card_id), ([], []))
            group[0].append(card_id)
            group[1].append(item)
        for preset, (some_ids, some_items) in groups.items():
            yield _batch(engines, settings, preset, some_ids, some_items)


def _batch(engines: dict, settings: Settings, preset: str | None, ids: list, items: list):
    """((preset, its FSRS), ids, the items' states by fsrs-rs's batch computation); `engines` keeps each FSRS."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    engine = engines.get(preset)
    if engine is None:
        engine = engines[preset] = FSRS(list(settings.for_deck(preset).parameters or DEFAULT_PARAMETERS))
    return (preset, engine), ids, engine.memory_state_batch(items)


class _ReadAhead:
    """A thread that reads the store while the caller computes: SQLite lets go of Python's lock while it runs
    a query (a chunk's histories are one long step), fsrs-rs holds it while it computes, so each takes a core.
    Whoever uses the store's connection holds `lock` (the caller around its writes), so one thread uses it at a
    time, whatever threading mode this SQLite was built with."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="flashcards-read-ahead")

    def submit(self, read: Callable[[], _T]) -> Future[_T]:
        """Start `read` in the thread (after the reads started before it), holding the lock."""
        return self._thread.submit(self._locked, read)

    def _locked(self, read: Callable[[], _T]) -> _T:
        with self.lock:
            return read()

    def __enter__(self) -> _ReadAhead:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._thread.shutdown(wait=True, cancel_futures=True)


class _Reviews(dict):
    """4 * days since the previous answer + rating - 1 -> its FSRSReview, made once and shared by every item
    (fsrs-rs copies reviews into an item)."""

    def __missing__(self, key):
        from fsrs_rs_python import FSRSReview

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

