"""What a review session hands back: counts of what is left, the card shown, an answer's outcome, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from ..model import Card, CardRow, Rating, Schedule
from ..scheduling.scheduler import Scheduler


@dataclass(frozen=True)
class Counts:
    """What is left to study now, within today's limits, and when the next studied card falls due."""

    new: int
    learning: int
    review: int
    next_due: datetime | None = None

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review

    def to_dict(self) -> dict:
        return {"new": self.new, "learning": self.learning, "review": self.review,
                "next_due": self.next_due.isoformat() if self.next_due else None}


@dataclass(frozen=True)
class Shown:
    """A card put in front of the person, with what each answer would do."""

    card: Card
    deck_name: str
    row: CardRow
    kind: str  # "new", "learning", "review" or "ahead"
    shown_at: datetime
    scheduler: Scheduler = field(compare=False, repr=False)

    @cached_property
    def previews(self) -> dict[Rating, Schedule]:
        """What each answer would give, computed when first asked for (after the reveal, not before the
        card shows: the scheduler's own start-up stays out of the way of the first card)."""
        return self.scheduler.preview(self.card.id, self.row.schedule, self.shown_at)


@dataclass(frozen=True)
class Answered:
    """The outcome of an answer."""

    card_id: str
    rating: Rating
    schedule: Schedule
    leech: bool  # the card just became a leech and was suspended


@dataclass
class Summary:
    """A session in numbers."""

    answered: int = 0
    again: int = 0
    duration_ms: int = 0
    next_due: datetime | None = None
    stopped: str | None = None  # why the session stopped early (--limit, --minutes)

    @property
    def again_rate(self) -> float | None:
        return self.again / self.answered if self.answered else None

    def count(self, rating: Rating, duration_ms: int) -> None:
        """Add an answer."""
        self.answered += 1
        self.again += rating == Rating.AGAIN
        self.duration_ms += duration_ms

    def uncount(self, rating: Rating, duration_ms: int) -> None:
        """Take an undone answer back out."""
        self.answered -= 1
        self.again -= rating == Rating.AGAIN
        self.duration_ms -= duration_ms
