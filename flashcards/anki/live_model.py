"""What the live Anki sync reads and writes: plain dataclasses, and Anki's study days as UTC moments.

Nothing here talks to our store; `live_read` and `live_write` fill and consume these from a collection.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

STATES = ("new", "learning", "review", "relearning")  # Anki's card types 0-3, in order
REVIEW_KINDS = ("learn", "review", "relearn", "filtered", "manual", "rescheduled")  # revlog type 0-5

# Anki's queues (anki.consts): what a card is waiting in
QUEUE_SUSPENDED, QUEUE_SIBLING_BURIED, QUEUE_MANUALLY_BURIED = -1, -2, -3
QUEUE_NEW, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = 0, 1, 2, 3
TIMESTAMP_DUE = 1_000_000_000  # a learning card's due above this is epoch seconds, below it a day number


@dataclass(frozen=True, slots=True)
class AnkiCard:
    """One of our notes in the collection, with its single card's scheduling as Anki keeps it."""

    guid: str
    note_id: int
    card_id: int
    fields: tuple[str, ...]  # field HTML, in the note type's order (Passage, Commentary, Source)
    tags: tuple[str, ...]
    deck: str  # the card's home deck (the original one while it sits in a filtered deck)
    state: str  # one of STATES
    suspended: bool
    buried: bool
    due: datetime | None  # UTC; None for a new card (those wait by position)
    position: int | None  # a new card's place in the new-card order; None otherwise
    interval_days: int
    stability: float | None  # FSRS memory state; None when Anki has none for the card
    difficulty: float | None
    desired_retention: float | None
    decay: float | None
    reps: int
    lapses: int
    last_review: datetime | None  # UTC
    mod: int  # card modification time (epoch seconds), for no-op checks
    note_mod: int
    in_filtered_deck: bool


@dataclass(frozen=True, slots=True)
class AnkiReview:
    """One row of Anki's review log. `id` is the answer's moment in epoch milliseconds."""

    id: int
    card_id: int
    ease: int  # 1-4 for an answer; 0 for a manual entry (reset, set due date)
    interval: int  # Anki's form: days if positive, seconds if negative
    last_interval: int
    factor: int  # SM-2 ease x10, or (FSRS) difficulty scaled to 100-1100
    taken_ms: int
    kind: str  # one of REVIEW_KINDS

    @property
    def answered_at(self) -> datetime:
        return datetime.fromtimestamp(self.id / 1000, UTC)

    @property
    def manual(self) -> bool:
        """True for rows that record no answer (rescheduling, resets, cramming without a rating)."""
        return self.ease == 0


@dataclass(frozen=True, slots=True)
class NoteWrite:
    """A note to add or update: fields already as Anki HTML (package_out.field_html), tags in Anki form."""

    guid: str
    fields: tuple[str, str, str]
    tags: tuple[str, ...]
    deck: str


@dataclass(frozen=True, slots=True)
class ReviewWrite:
    """An answer to add to Anki's review log; its id is `answered_at` in milliseconds."""

    guid: str
    answered_at: datetime
    ease: int  # 1-4
    interval: int  # Anki's form: days if positive, seconds (negative) for learning steps
    last_interval: int
    taken_ms: int
    kind: str = "review"  # one of REVIEW_KINDS but manual/rescheduled
    factor: int = 0


class ReviewBatch(Sequence[ReviewWrite]):
    """Answers for Anki's log made as they are asked for, a slice at a time, so that a long history is never
    held as objects; `guids` names each one's note without making it."""

    @property
    @abstractmethod
    def guids(self) -> Sequence[str]: ...


def review_guids(reviews: Sequence[ReviewWrite]) -> Sequence[str]:
    """Each answer's note GUID (from a ReviewBatch without making its answers)."""
    return reviews.guids if isinstance(reviews, ReviewBatch) else [review.guid for review in reviews]


@dataclass(frozen=True, slots=True)
class ScheduleWrite:
    """A card's scheduling as it should be in Anki after the write."""

    guid: str
    state: str  # one of STATES
    due: datetime | None  # UTC; required unless new
    interval_days: int
    reps: int
    lapses: int
    stability: float | None = None
    difficulty: float | None = None
    desired_retention: float | None = None
    last_review: datetime | None = None
    suspended: bool = False
    buried: bool = False
    decay: float | None = None


class ScheduleBatch(Sequence[ScheduleWrite]):
    """Schedules kept in a compact form, each made as it is asked for; `guids` names each one's note."""

    @property
    @abstractmethod
    def guids(self) -> Sequence[str]: ...


def schedule_guids(schedules: Sequence[ScheduleWrite]) -> Sequence[str]:
    """Each schedule's note GUID (from a ScheduleBatch without making its schedules)."""
    return schedules.guids if isinstance(schedules, ScheduleBatch) else [schedule.guid for schedule in schedules]


@dataclass
class WriteResult:
    """What a write changed (or, for a dry run, would change)."""

    notes_added: list[str]
    notes_updated: list[str]
    reviews_added: int
    reviews_present: int  # already in Anki's log (same id): skipped
    schedules_changed: list[str]
    backup: str | None = None
    dry_run: bool = False
    note_ids: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # GUID -> (note id, card id) of each note

    @property
    def changed(self) -> bool:
        return bool(self.notes_added or self.notes_updated or self.reviews_added or self.schedules_changed)


class AnkiDays:
    """Anki's study days (numbered from the collection's creation) as UTC moments, under its day cutoff.

    Days are counted in the machine's local time with the collection's rollover hour, as Anki does;
    `today` and the next cutoff come from Anki's own scheduler.
    """

    def __init__(self, col: Any) -> None:
        self.today: int = col.sched.today
        self.cutoff: int = col.sched.day_cutoff  # epoch seconds: when the next study day begins
        self.rollover: int = col.get_preferences().scheduling.rollover
        cutoff_local = datetime.fromtimestamp(self.cutoff)  # naive local wall time
        self._today_date: date = (cutoff_local - timedelta(hours=self.rollover) - timedelta(days=1)).date()

    def start(self, day: int) -> datetime:
        """The UTC moment Anki's study day `day` begins."""
        wall = datetime.combine(self._today_date + timedelta(days=day - self.today), time(self.rollover))
        return wall.astimezone(UTC)  # a naive value is read as local time, daylight saving included

    def day_of(self, moment: datetime) -> int:
        """The study day a moment falls in."""
        wall = datetime.fromtimestamp(moment.timestamp()) - timedelta(hours=self.rollover)
        return self.today + (wall.date() - self._today_date).days
