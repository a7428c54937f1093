"""A card's schedule and answers as Anki stores them: the card table's columns and review-log rows.

Anki counts review due dates in days since the collection began (`crt`); the package's collection says it
began on CRT_DAY in UTC (`creationOffset` 0) with the person's day start, so a due day is our study day
number minus CRT_DAY, whatever machine imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Protocol

from ..clock import day_number
from ..model import AnswerFacts, CardRow, State

CRT = 1_411_124_400  # the collection's creation time (genanki's): 2014-09-19 11:00 UTC
CRT_DAY = date(2014, 9, 19).toordinal()
SECONDS_PER_DAY = 86_400

# Anki's queues and card types
QUEUE_SUSPENDED, QUEUE_BURIED, QUEUE_NEW, QUEUE_LEARNING, QUEUE_REVIEW, QUEUE_DAY_LEARNING = -1, -3, 0, 1, 2, 3
TYPE_OF_STATE = {State.NEW: 0, State.LEARNING: 1, State.REVIEW: 2, State.RELEARNING: 3}
# the review log's kind of answer, from the card's state before it
KIND_OF_STATE = {State.NEW: 0, State.LEARNING: 0, State.REVIEW: 1, State.RELEARNING: 2}
DEFAULT_EASE = 2500


class ScheduleSource(Protocol):
    """Where an export reads each card's schedule and answers from (the store), a few cards at a time."""

    def card_rows_of(self, card_ids: Sequence[str]) -> dict[str, CardRow]: ...

    def answer_facts_of(self, card_ids: Sequence[str]) -> Iterator[AnswerFacts]: ...


@dataclass(frozen=True)
class CardSettings:
    """What a card's deck schedules it with, as the package carries it: its retention and forgetting curve in
    the card's FSRS data, its step counts for the steps left."""

    desired_retention: float = 0.9
    decay: float | None = None  # FSRS-6's forgetting-curve decay (the 21st parameter)
    learning_steps: int = 2
    relearning_steps: int = 1


@dataclass
class ExportHistory:
    """What an export carries besides the notes: each card's schedule and answers (read from `source` a chunk
    of cards at a time, so a long history is never held at once), with the settings that give them meaning
    in Anki: the store's, or those of the card's deck where it has its own (`presets`: card id -> deck name)."""

    source: ScheduleSource
    now: datetime
    settings: CardSettings = CardSettings()
    rollover_hour: int = 4
    tz: tzinfo | None = None
    presets: dict[str, str] = field(default_factory=dict)
    deck_settings: dict[str, CardSettings] = field(default_factory=dict)

    def settings_of(self, card_id: str) -> CardSettings:
        """The settings the card is scheduled with (its deck's own, or the store's)."""
        name = self.presets.get(card_id)
        return self.settings if name is None else self.deck_settings.get(name, self.settings)

    def anki_day(self, moment: datetime) -> int:
        """A moment's study day as Anki's day number in the package's collection."""
        return day_number(moment, self.rollover_hour, self.tz) - CRT_DAY


def collection_config() -> dict:
    """The scheduling keys the package's collection needs: the v2 scheduler, days counted from CRT in UTC."""
    return {"schedVer": 2, "creationOffset": 0}


def card_columns(row: CardRow, history: ExportHistory, position: int) -> tuple:
    """(type, queue, due, ivl, factor, reps, lapses, left, data) for a card, as Anki stores them."""
    import json

    schedule = row.schedule
    state = schedule.state
    own = history.settings_of(row.card_id)
    ctype = TYPE_OF_STATE[state]
    factor = 0 if state == State.NEW else DEFAULT_EASE
    left = 0
    ivl = 0
    if state == State.NEW or schedule.due is None:
        queue, due, ctype = QUEUE_NEW, position, 0
    elif state == State.REVIEW:
        queue, due = QUEUE_REVIEW, history.anki_day(schedule.due)
        start = schedule.last_review or history.now
        ivl = max(1, history.anki_day(schedule.due) - history.anki_day(start))
    else:
        steps = own.learning_steps if state == State.LEARNING else own.relearning_steps
        left = max(1, steps - (schedule.step or 0))
        if state == State.RELEARNING:
            ivl = max(1, round(schedule.stability or 1))
        if history.anki_day(schedule.due) > history.anki_day(history.now):
            queue, due = QUEUE_DAY_LEARNING, history.anki_day(schedule.due)
        else:
            queue, due = QUEUE_LEARNING, int(schedule.due.timestamp())
    if row.suspended:
        queue = QUEUE_SUSPENDED
    elif row.buried_until is not None and row.buried_until >= day_number(history.now, history.rollover_hour, history.tz):
        queue = QUEUE_BURIED
    data = {}
    if schedule.stability is not None and schedule.difficulty is not None:
        data = {"s": round(schedule.stability, 4), "d": round(schedule.difficulty, 3),
                "dr": round(own.desired_retention, 2)}
        if own.decay is not None:
            data["decay"] = round(own.decay, 3)
    if schedule.last_review is not None and state != State.NEW:
        data["lrt"] = int(schedule.last_review.timestamp())
    return (ctype, queue, due, ivl, factor, schedule.reps, schedule.lapses, left,
            json.dumps(data, separators=(",", ":")) if data else "")


def revlog_rows(anki_card_id: int, answers: Iterable[AnswerFacts], ids: Iterator[int]) -> Iterator[tuple]:
    """(id, cid, usn, ease, ivl, lastIvl, factor, time, type) per answer of one card, in time order; each row's
    id is the next of `ids` (see free_revlog_ids)."""
    last_ivl = 0
    review, day, kinds = int(State.REVIEW), SECONDS_PER_DAY, _KIND_OF_NUMBER
    # revlog_interval() and revlog_factor() written out: this loop runs once per answer of the whole history
    for _, at_ms, rating, duration_ms, state_before, state_after, due_ms, difficulty in answers:
        if due_ms is None:
            ivl = 0
        else:
            seconds = max(due_ms - at_ms, 0) / 1000
            ivl = max(1, round(seconds / day)) if state_after == review or seconds >= day else -max(1, round(seconds))
        yield (next(ids), anki_card_id, -1, rating, ivl, last_ivl,
               0 if difficulty is None else round(((difficulty - 1) / 9 + 0.1) * 1000),
               max(0, duration_ms), kinds[state_before])
        last_ivl = ivl


_KIND_OF_NUMBER = {int(state): kind for state, kind in KIND_OF_STATE.items()}  # (no State() made per answer)


def revlog_interval(at_ms: int, due_ms: int | None, state_after: int) -> int:
    """Anki's logged interval: whole days when the answer left the card in review or a day or more away (Anki
    logs a learning step that long in days too), else minus the seconds."""
    if due_ms is None:
        return 0
    seconds = max(due_ms - at_ms, 0) / 1000
    if state_after == State.REVIEW or seconds >= SECONDS_PER_DAY:
        return max(1, round(seconds / SECONDS_PER_DAY))
    return -max(1, round(seconds))


def revlog_factor(difficulty: float | None) -> int:
    """The review log's factor under FSRS: the difficulty the answer left, shifted into 0.1-1.1, in
    thousandths (as Anki writes it); 0 without a memory state."""
    return 0 if difficulty is None else round(((difficulty - 1) / 9 + 0.1) * 1000)


def free_revlog_ids(wanted: Sequence[int], present: Callable[[list[int]], set[int]]) -> list[int]:
    """Review-log ids for answers at these moments (ms): each moved up by 1 ms while the id is taken, by another
    of them or by a row the log holds already (`present` says which of some ids it holds), as Anki does.

    The moments are taken in time order, so each id is past the one before it whenever their moments meet: a
    run of answers at one moment (an import with whole seconds) is walked once, not once per answer.
    """
    order = sorted(range(len(wanted)), key=wanted.__getitem__)
    ids = _spread(wanted, order, lambda _: False)
    held = present(ids)
    if not held:  # the usual case: one look at the log
        return ids
    checked = set(ids)

    def taken(free: int) -> bool:
        if free not in checked:  # a moment moved past the first guess: look a little way ahead at once
            ahead = list(range(free, free + _LOOK_AHEAD))
            held.update(present(ahead))
            checked.update(ahead)
        return free in held

    return _spread(wanted, order, taken)


_LOOK_AHEAD = 64  # ids looked up at once past a taken one


def _spread(wanted: Sequence[int], order: list[int], taken: Callable[[int], bool]) -> list[int]:
    ids = [0] * len(wanted)
    previous: int | None = None
    for index in order:
        free = wanted[index] if previous is None or wanted[index] > previous else previous + 1
        while taken(free):
            free += 1
        ids[index] = previous = free
    return ids
