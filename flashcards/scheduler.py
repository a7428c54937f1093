"""Scheduling behind a small interface of ours; FSRS (py-fsrs, the algorithm Anki ships) is the one we have.

A Schedule is what the store keeps per card. A scheduler turns (schedule, rating, moment) into the next
schedule and can preview all four answers; it does no I/O. Another algorithm only has to implement
`Scheduler`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from .model import Rating, Schedule, State
from .settings import Settings


class Scheduler(Protocol):
    """What a scheduling algorithm provides."""

    def review(self, card_id: str, schedule: Schedule, rating: Rating, now: datetime) -> Schedule:
        """The schedule after answering `rating` at `now`."""
        ...

    def preview(self, card_id: str, schedule: Schedule, now: datetime) -> dict[Rating, Schedule]:
        """The schedule each answer would give, exactly as review() would give it."""
        ...


class FSRSScheduler:
    """FSRS-6 through py-fsrs, with Anki's deterministic fuzz (seeded by card and repetition)."""

    def __init__(
        self,
        parameters: Sequence[float] | None = None,
        desired_retention: float = 0.9,
        learning_steps: Sequence[timedelta] = (timedelta(minutes=1), timedelta(minutes=10)),
        relearning_steps: Sequence[timedelta] = (timedelta(minutes=10),),
        maximum_interval: int = 36500,
        fuzz: bool = True,
    ) -> None:
        options = {"parameters": tuple(parameters)} if parameters else {}
        # py-fsrs fuzzes with the global random generator, so a preview would not match the answer;
        # we fuzz ourselves, seeded per card and repetition.
        self._options = dict(
            **options, desired_retention=desired_retention, learning_steps=tuple(learning_steps),
            relearning_steps=tuple(relearning_steps), maximum_interval=maximum_interval, enable_fuzzing=False,
        )
        self._made = None
        self.fuzz = fuzz
        self.maximum_interval = maximum_interval

    @property
    def _scheduler(self):
        """py-fsrs's scheduler, made (and fsrs imported) on first use: `flashcards due` never needs it."""
        if self._made is None:
            import fsrs

            self._made = fsrs.Scheduler(**self._options)
        return self._made

    @property
    def _fsrs(self):
        import fsrs

        return fsrs

    @classmethod
    def from_settings(cls, settings: Settings) -> FSRSScheduler:
        """A scheduler with a person's settings (their fitted parameters when they have them)."""
        return cls(
            parameters=settings.parameters or None,
            desired_retention=settings.desired_retention,
            learning_steps=[timedelta(minutes=m) for m in settings.learning_steps_minutes],
            relearning_steps=[timedelta(minutes=m) for m in settings.relearning_steps_minutes],
            maximum_interval=settings.maximum_interval_days,
            fuzz=settings.fuzz,
        )

    @property
    def parameters(self) -> tuple[float, ...]:
        return self._scheduler.parameters

    def review(self, card_id: str, schedule: Schedule, rating: Rating, now: datetime) -> Schedule:
        fsrs = self._fsrs
        card = fsrs.Card(
            state=fsrs.State(max(int(schedule.state), 1)),  # py-fsrs starts new cards in Learning, step 0
            step=0 if schedule.state == State.NEW else schedule.step,
            stability=schedule.stability, difficulty=schedule.difficulty,
            due=schedule.due or now, last_review=schedule.last_review,
        )
        card, _ = self._scheduler.review_card(card, fsrs.Rating(int(rating)), now)
        due = card.due
        if self.fuzz and card.state == fsrs.State.Review:
            due = now + timedelta(days=self._fuzzed_days((due - now).days, card_id, schedule.reps))
        lapsed = schedule.state == State.REVIEW and rating == Rating.AGAIN
        return Schedule(
            state=State(int(card.state)), step=card.step, stability=card.stability, difficulty=card.difficulty,
            due=due, last_review=now, reps=schedule.reps + 1, lapses=schedule.lapses + lapsed,
        )

    def preview(self, card_id: str, schedule: Schedule, now: datetime) -> dict[Rating, Schedule]:
        return {rating: self.review(card_id, schedule, rating, now) for rating in Rating}

    def retrievability(self, schedule: Schedule, now: datetime) -> float:
        """The predicted chance of recalling the card at `now` (1.0 for a card never answered)."""
        if schedule.stability is None or schedule.last_review is None:
            return 1.0
        card = self._fsrs.Card(stability=schedule.stability, difficulty=schedule.difficulty,
                               last_review=schedule.last_review, state=self._fsrs.State.Review)
        return self._scheduler.get_card_retrievability(card, now)

    def _fuzzed_days(self, days: int, card_id: str, reps: int) -> int:
        """Anki's fuzz: a few days either way on longer intervals, the same for the same card and repetition."""
        from fsrs.scheduler import FUZZ_RANGES

        if days < 2.5:
            return days
        delta = 1.0
        for fuzz_range in FUZZ_RANGES:
            delta += fuzz_range["factor"] * max(min(float(days), fuzz_range["end"]) - fuzz_range["start"], 0.0)
        low = max(2, round(days - delta))
        high = min(round(days + delta), self.maximum_interval)
        low = min(low, high)
        return random.Random(f"{card_id}:{reps}").randint(low, high)


__all__ = ["FSRSScheduler", "Scheduler"]
