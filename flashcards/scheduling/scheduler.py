"""Scheduling behind a small interface of ours; FSRS through fsrs-rs (the engine inside Anki) is the one we have.

A Schedule is what the store keeps per card. A scheduler turns (schedule, rating, moment) into the next
schedule and can preview all four answers; it does no I/O. Another algorithm only has to implement
`Scheduler`.

As in Anki: the memory state comes from fsrs-rs's `next_states` with the time since the last answer in whole
study days (a day starts at the rollover hour, local time; same-day answers count 0 days); learning and
relearning steps are in minutes; review intervals are fuzzed with Anki's bounds and kept strictly ordered,
Hard < Good < Easy (and never fuzzed below the previous interval when it grows). With a DayLoad (the review
session gives one) and load balancing on, the day within the fuzz range is chosen by Anki's load balancer and
easy days (load_balance.py) instead of uniformly.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

from ..clock import day_number, later_by
from ..model import Rating, Schedule, State
from ..settings import Settings
from .fuzz import fuzz_factor, minimum_review_fuzz_interval, with_review_fuzz
from .load_balance import NORMAL_WEEK, CountsOnce, DayLoad, balanced_interval

if TYPE_CHECKING:
    from fsrs_rs_python import FSRS

_DAY_S = 86_400


class Scheduler(Protocol):
    """What a scheduling algorithm provides."""

    def review(self, card_id: str, schedule: Schedule, rating: Rating, now: datetime) -> Schedule:
        """The schedule after answering `rating` at `now`."""
        ...

    def preview(self, card_id: str, schedule: Schedule, now: datetime) -> dict[Rating, Schedule]:
        """The schedule each answer would give, exactly as review() would give it."""
        ...


class FSRSScheduler:
    """FSRS-6 through fsrs-rs with Anki's study days, steps and deterministic fuzz (seeded by card and repetition)."""

    def __init__(
        self,
        parameters: Sequence[float] | None = None,
        desired_retention: float = 0.9,
        learning_steps: Sequence[timedelta] = (timedelta(minutes=1), timedelta(minutes=10)),
        relearning_steps: Sequence[timedelta] = (timedelta(minutes=10),),
        maximum_interval: int = 36500,
        fuzz: bool = True,
        rollover_hour: int = 4,
        tz: tzinfo | None = None,
        load_balance: bool = True,
        easy_days: Sequence[float] = NORMAL_WEEK,
        load: DayLoad | None = None,
    ) -> None:
        self._parameters = tuple(float(value) for value in parameters) if parameters else None
        self.desired_retention = desired_retention
        self.learning_steps = tuple(learning_steps)
        self.relearning_steps = tuple(relearning_steps)
        self.maximum_interval = maximum_interval
        self.fuzz = fuzz
        self.rollover_hour = rollover_hour
        self.tz = tz
        self.load_balance = load_balance
        self.easy_days = tuple(float(value) for value in easy_days)
        self.load = load  # the due counts the load balancer weighs; None: plain fuzz
        self._made: FSRS | None = None

    @classmethod
    def from_settings(cls, settings: Settings, tz: tzinfo | None = None) -> FSRSScheduler:
        """A scheduler with a person's settings (their fitted parameters when they have them)."""
        return cls(
            parameters=settings.parameters or None,
            desired_retention=settings.desired_retention,
            learning_steps=[timedelta(minutes=m) for m in settings.learning_steps_minutes],
            relearning_steps=[timedelta(minutes=m) for m in settings.relearning_steps_minutes],
            maximum_interval=settings.maximum_interval_days,
            fuzz=settings.fuzz,
            rollover_hour=settings.rollover_hour,
            tz=tz,
            load_balance=settings.load_balance,
            easy_days=settings.easy_days,
        )

    def with_load(self, load: DayLoad) -> FSRSScheduler:
        """The same scheduler, its fuzzed intervals balanced over `load` (when fuzz and load balancing are on)."""
        balanced = copy.copy(self)
        balanced.load = load
        return balanced

    @property
    def balances(self) -> bool:
        """Whether fuzzed intervals go through the load balancer."""
        return self.fuzz and self.load_balance and self.load is not None

    @property
    def _fsrs(self) -> FSRS:
        """fsrs-rs, made (and imported) on first use: `flashcards due` never needs it."""
        if self._made is None:
            from fsrs_rs_python import FSRS

            self._made = FSRS(list(self.parameters))
        return self._made

    @property
    def parameters(self) -> tuple[float, ...]:
        """The FSRS parameters in use: the person's, else fsrs-rs's defaults."""
        if self._parameters is None:
            from fsrs_rs_python import DEFAULT_PARAMETERS

            self._parameters = tuple(DEFAULT_PARAMETERS)
        return self._parameters

    def days_elapsed(self, schedule: Schedule, now: datetime) -> int:
        """Whole study days since the card's last answer (0 for a new card or the same study day)."""
        if schedule.last_review is None:
            return 0
        days = day_number(now, self.rollover_hour, self.tz) - day_number(schedule.last_review, self.rollover_hour, self.tz)
        return max(days, 0)

    def next_states(self, schedule: Schedule, now: datetime):
        """fsrs-rs's NextStates (memory state and interval per answer) for this card answered at `now`."""
        from fsrs_rs_python import MemoryState

        memory = None
        if schedule.state != State.NEW and schedule.stability is not None and schedule.difficulty is not None:
            memory = MemoryState(schedule.stability, schedule.difficulty)
        return self._fsrs.next_states(memory, self.desired_retention, self.days_elapsed(schedule, now))

    def review(self, card_id: str, schedule: Schedule, rating: Rating, now: datetime) -> Schedule:
        return self.preview(card_id, schedule, now)[rating]

    def preview(self, card_id: str, schedule: Schedule, now: datetime) -> dict[Rating, Schedule]:
        states = self.next_states(schedule, now)
        memory = {Rating.AGAIN: states.again.memory, Rating.HARD: states.hard.memory,
                  Rating.GOOD: states.good.memory, Rating.EASY: states.easy.memory}
        outcome = self._outcomes(card_id, schedule, states, now)
        results = {}
        for rating, (state, step, delay) in outcome.items():
            lapsed = schedule.state == State.REVIEW and rating == Rating.AGAIN
            results[rating] = Schedule(
                state=state, step=step, stability=float(memory[rating].stability),
                difficulty=float(memory[rating].difficulty), due=later_by(now, delay, self.tz), last_review=now,
                reps=schedule.reps + 1, lapses=schedule.lapses + lapsed,
            )
        return results

    # -- where each answer sends the card: (state, step, delay)

    def _outcomes(self, card_id: str, schedule: Schedule, states,
                  now: datetime) -> dict[Rating, tuple[State, int | None, timedelta]]:
        days = self._day_picker(card_id, schedule.reps, now)
        if schedule.state == State.REVIEW:
            return self._from_review(schedule, states, days)
        relearning = schedule.state == State.RELEARNING
        steps = self.relearning_steps if relearning else self.learning_steps
        step = 0 if schedule.state == State.NEW else (schedule.step or 0)
        return self._from_steps(steps, step, states, days, State.RELEARNING if relearning else State.LEARNING)

    def _day_picker(self, card_id: str, reps: int, now: datetime) -> Callable[[float, int], int]:
        """(interval, minimum) -> whole days: fuzzed with the card's factor, and balanced when there is a load."""
        top = self.maximum_interval
        factor = fuzz_factor(card_id, reps) if self.fuzz else None
        if factor is None or not self.balances:
            return lambda interval, minimum: with_review_fuzz(factor, interval, min(minimum, top), top)
        assert self.load is not None  # self.balances
        today = day_number(now, self.rollover_hour, self.tz)
        counts = CountsOnce(self.load, card_id)

        def days(interval: float, minimum: int) -> int:
            floor = min(minimum, top)
            chosen = balanced_interval(factor, interval, floor, top, today, counts, self.easy_days)
            return chosen if chosen is not None else with_review_fuzz(factor, interval, floor, top)

        return days

    def _from_steps(self, steps, step: int, states, days: Callable[[float, int], int], learning: State) -> dict:
        """Anki's learning (or relearning) steps; past the last step, the card graduates to review."""
        outcomes: dict[Rating, tuple[State, int | None, timedelta]] = {}
        if steps:
            outcomes[Rating.AGAIN] = (learning, 0, steps[0])
        else:
            outcomes[Rating.AGAIN] = (State.REVIEW, None, timedelta(days=days(round_half_up(states.again.interval, 1), 1)))
        hard = _hard_delay(steps, step)
        if hard is not None:
            outcomes[Rating.HARD] = (learning, step, hard)
        else:
            outcomes[Rating.HARD] = (State.REVIEW, None, timedelta(days=days(round_half_up(states.hard.interval, 1), 1)))
        if step + 1 < len(steps):
            outcomes[Rating.GOOD] = (learning, step + 1, steps[step + 1])
        else:
            outcomes[Rating.GOOD] = (State.REVIEW, None, timedelta(days=days(round_half_up(states.good.interval, 1), 1)))
        easy, good_fuzzed = round_half_up(states.easy.interval, 1), days(states.good.interval, 1)
        outcomes[Rating.EASY] = (State.REVIEW, None, timedelta(days=days(easy, good_fuzzed + 1)))
        return outcomes

    def _from_review(self, schedule: Schedule, states, days: Callable[[float, int], int]) -> dict:
        """Anki's review answers: Again relearns; Hard < Good < Easy, strictly, after fuzz."""
        previous = _scheduled_days(schedule)
        top = self.maximum_interval
        outcomes: dict[Rating, tuple[State, int | None, timedelta]] = {}
        if self.relearning_steps:
            outcomes[Rating.AGAIN] = (State.RELEARNING, 0, self.relearning_steps[0])
        else:
            outcomes[Rating.AGAIN] = (State.REVIEW, None, timedelta(days=days(round_half_up(states.again.interval, 1), 1)))
        hard = days(states.hard.interval, max(minimum_review_fuzz_interval(states.hard.interval, previous, top), 1))
        good = days(states.good.interval, max(minimum_review_fuzz_interval(states.good.interval, previous, top), hard + 1))
        easy = days(states.easy.interval, max(minimum_review_fuzz_interval(states.easy.interval, previous, top), good + 1))
        for rating, interval in ((Rating.HARD, hard), (Rating.GOOD, good), (Rating.EASY, easy)):
            outcomes[rating] = (State.REVIEW, None, timedelta(days=interval))
        return outcomes


def round_half_up(value: float, least: int = 0) -> int:
    """Rust's f32::round (halves away from zero), at least `least`."""
    return max(int(value + 0.5), least)


def _scheduled_days(schedule: Schedule) -> int:
    """The review card's current interval in whole days."""
    if schedule.due is None or schedule.last_review is None:
        return 0
    return max(round((schedule.due - schedule.last_review).total_seconds() / _DAY_S), 0)


def _hard_delay(steps: Sequence[timedelta], step: int) -> timedelta | None:
    """Anki's Hard on a step: the first step waits between it and the next (1.5x, at most a day more, when it is
    the only step); a later step repeats itself. None when there are no steps."""
    if not steps:
        return None
    if step >= len(steps):
        step = len(steps) - 1
    if step > 0:
        return steps[step]
    again = int(steps[0].total_seconds())
    following = int(steps[1].total_seconds()) if len(steps) > 1 else None
    seconds = (again + following) // 2 if following is not None else min(again * 3 // 2, again + _DAY_S)
    if seconds > _DAY_S:
        seconds = round(seconds / _DAY_S) * _DAY_S
    return timedelta(seconds=seconds)


__all__ = ["FSRSScheduler", "Scheduler", "round_half_up"]
