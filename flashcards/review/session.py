"""A review session: which card comes next, answering, undo, bury, suspend, leeches, daily limits.

Pure logic over the store and a scheduler, with the clock passed in; it knows nothing of the terminal.
Order, as in Anki: learning cards that are due, then due reviews, then new cards. Limits count every
session of the study day (they are counted from the log). Every answer is committed before the next card
is chosen, and the next card is read from the store each time, so a second session on the same store
never shows a card the first one already answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cached_property

from ..clock import day_number, day_start, utc_now
from ..decks.open_decks import OpenDeck
from ..errors import FlashcardsError
from ..model import Card, CardFilter, CardRow, Rating, Schedule, State
from ..scheduling.scheduler import Scheduler
from ..settings import Settings
from ..store import Store

MAX_ANSWER_MS = 60_000  # a longer pause counts as 60 s, as in Anki
LEARNING = (State.LEARNING, State.RELEARNING)
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


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


@dataclass(frozen=True)
class _UndoEntry:
    before: CardRow
    log_id: int | None  # the answer's log row; None for bury and suspend
    rating: Rating | None = None
    duration_ms: int = 0


@dataclass
class Session:
    """Reviews over some decks of a store. `clock` returns the current UTC moment (tests freeze it)."""

    store: Store
    decks: Sequence[OpenDeck]
    scheduler: Scheduler
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], datetime] = utc_now
    tz: tzinfo | None = None
    ahead: bool = False
    summary: Summary = field(default_factory=Summary)
    _undo: list[_UndoEntry] = field(default_factory=list)
    _again_first: str | None = None  # an undone card is shown again at once
    _shown_ahead: set[str] = field(default_factory=set)
    only: CardFilter | None = None  # review --tag / --search: only these cards
    limit_cards: int | None = None  # review --limit: stop after this many cards
    limit_minutes: float | None = None  # review --minutes: stop once this long has passed

    def __post_init__(self) -> None:
        if not self.decks:
            raise FlashcardsError("no decks to review")
        self._keys = [deck.key for deck in self.decks]
        self._started = self.clock()
        if self.only is not None:
            wanted = self.only
            self.store.restrict_to(card.id for _, card, row in self.store.deck_card_rows(self._keys)
                                   if wanted.keeps(card, row))

    def limit_reached(self) -> str | None:
        """Why the session stops early (--limit or --minutes reached), or None."""
        if self.limit_cards is not None and self.summary.answered >= self.limit_cards:
            return f"Stopped after {self.limit_cards} card{'s' if self.limit_cards != 1 else ''} (--limit)."
        if self.limit_minutes is not None and self.clock() - self._started >= timedelta(minutes=self.limit_minutes):
            return f"Stopped after {self.limit_minutes:g} minutes (--minutes)."
        return None

    # -- the day

    def today(self, now: datetime | None = None) -> int:
        """The current study day number."""
        return day_number(now or self.clock(), self.settings.rollover_hour, self.tz)

    def _day_bounds(self, today: int) -> tuple[datetime, datetime]:
        return (day_start(today, self.settings.rollover_hour, self.tz),
                day_start(today + 1, self.settings.rollover_hour, self.tz))

    def _left_today(self, today: int) -> tuple[int, int]:
        """(new, review) answers still allowed today by the daily limits."""
        start, _ = self._day_bounds(today)
        new_done = self.store.answers_since(start, [State.NEW])
        reviews_done = self.store.answers_since(start, [State.REVIEW])
        return max(self.settings.new_per_day - new_done, 0), max(self.settings.reviews_per_day - reviews_done, 0)

    # -- what is due

    def counts(self) -> Counts:
        """New / learning / review cards left now, within today's limits."""
        now = self.clock()
        today = self.today(now)
        _, tomorrow = self._day_bounds(today)
        new_left, reviews_left = self._left_today(today)
        keys = self._keys
        return Counts(
            new=self.store.count_new(keys, today, new_left) if new_left else 0,
            learning=self.store.count_due(keys, LEARNING, self._learn_ahead_until(now), today),
            review=self.store.count_due(keys, [State.REVIEW], tomorrow, today, reviews_left) if reviews_left else 0,
            next_due=self.store.next_due(keys, today),
        )

    def next_card(self) -> Shown | None:
        """The next card to show, or None when nothing is due now (see next_learning_due()) or a limit is reached."""
        if self.limit_reached():
            return None
        now = self.clock()
        today = self.today(now)
        keys = self._keys
        if self._again_first is not None:
            card_id, self._again_first = self._again_first, None
            row = self.store.card(card_id)
            if row is not None and not row.suspended:
                return self._show(row, "learning" if row.schedule.state in LEARNING else _kind(row), now)
        row = self.store.first_due(keys, LEARNING, now + timedelta(milliseconds=1), today)
        if row is not None:
            return self._show(row, "learning", now)
        new_left, reviews_left = self._left_today(today)
        if reviews_left:
            _, tomorrow = self._day_bounds(today)
            row = self.store.first_due(keys, [State.REVIEW], tomorrow, today)
            if row is not None:
                return self._show(row, "review", now)
        if new_left:
            new = self.store.new_cards(keys, today, 1)
            row = self.store.card(new[0]) if new else None
            if row is not None:
                return self._show(row, "new", now)
        row = self.store.first_due(keys, LEARNING, self._learn_ahead_until(now), today)
        if row is not None:  # nothing else to do: learning cards due within the learn-ahead limit, as in Anki
            return self._show(row, "learning", now)
        if self.ahead and self.next_learning_due() is None:
            row = self.store.first_due(keys, [State.LEARNING, State.REVIEW, State.RELEARNING], FAR_FUTURE, today,
                                       exclude=sorted(self._shown_ahead))
            if row is not None:
                self._shown_ahead.add(row.card_id)  # studying ahead shows each card at most once per session
                return self._show(row, "ahead", now)
        return None

    def _learn_ahead_until(self, now: datetime) -> datetime:
        """Learning cards due before this moment count as due (Anki's learn-ahead limit)."""
        return now + timedelta(minutes=self.settings.learn_ahead_minutes, milliseconds=1)

    def next_learning_due(self) -> datetime | None:
        """When the next learning card of today falls due (None when none is left today, or a limit is reached)."""
        if self.limit_reached():
            return None
        now = self.clock()
        today = self.today(now)
        _, tomorrow = self._day_bounds(today)
        row = self.store.first_due(self._keys, LEARNING, tomorrow, today)
        return row.schedule.due if row is not None else None

    def _show(self, row: CardRow, kind: str, now: datetime) -> Shown:
        found = self.store.card_text(row.card_id, self._keys)
        if found is None:  # the deck changed under us; the card is gone
            raise FlashcardsError(f"card {row.card_id} is no longer in the decks; start the review again")
        deck_name, card = found
        return Shown(card, deck_name, row, kind, now, self.scheduler)

    # -- acting on a card

    def answer(self, shown: Shown, rating: Rating, duration_ms: int | None = None) -> Answered:
        """Schedule the card and log the answer, in one transaction committed before this returns.

        The schedule is read again inside the transaction, so an answer given meanwhile in another session
        is built upon rather than overwritten.
        """
        now = self.clock()
        if duration_ms is None:
            duration_ms = int((now - shown.shown_at).total_seconds() * 1000)
        duration_ms = min(max(duration_ms, 0), MAX_ANSWER_MS)
        card_id = shown.card.id
        with self.store.transaction() as db:
            before = self.store.card(card_id) or shown.row
            after = self.scheduler.review(card_id, before.schedule, rating, now)
            leech = after.lapses > before.schedule.lapses and _is_leech(after.lapses, self.settings.leech_lapses)
            self.store.write_card(db, replace(before, schedule=after, suspended=before.suspended or leech,
                                              leech=before.leech or leech))
            log_id = self.store.log_answer(db, card_id, now, int(rating), duration_ms, before.schedule, after)
        self._undo.append(_UndoEntry(before, log_id, rating, duration_ms))
        self.summary.answered += 1
        self.summary.again += rating == Rating.AGAIN
        self.summary.duration_ms += duration_ms
        return Answered(card_id, rating, after, leech)

    def bury(self, shown: Shown) -> None:
        """Hide the card until the next study day."""
        today = self.today()
        self._set_flags(shown, lambda row: replace(row, buried_until=today))

    def suspend(self, shown: Shown) -> None:
        """Hide the card until it is unsuspended."""
        self._set_flags(shown, lambda row: replace(row, suspended=True))

    def _set_flags(self, shown: Shown, change: Callable[[CardRow], CardRow]) -> None:
        with self.store.transaction() as db:
            before = self.store.card(shown.card.id) or shown.row
            self.store.write_card(db, change(before))
        self._undo.append(_UndoEntry(before, None))

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> str | None:
        """Take back the last answer, bury or suspend of this session, and only that.

        The answer's own log row is removed and the card's schedule rebuilt from what remains of its log:
        the schedule before it when nothing came after, else the answers given since (in another session)
        replayed through the scheduler, so they are never erased. A bury or suspend gives back its flags only.
        Returns the card's id (it is shown again next), or None when there is nothing to undo.
        """
        from ..store.undo import answers_after

        if not self._undo:
            return None
        entry = self._undo.pop()
        card_id = entry.before.card_id
        with self.store.transaction() as db:
            current = self.store.card(card_id) or entry.before
            if entry.log_id is None:
                restored = replace(current, suspended=entry.before.suspended, buried_until=entry.before.buried_until)
            else:
                later = answers_after(db, card_id, entry.log_id)
                self.store.delete_answer(db, entry.log_id)
                if not later:
                    restored = entry.before
                else:
                    schedule = entry.before.schedule
                    for answer in later:
                        schedule = self.scheduler.review(card_id, schedule, Rating(answer.rating), answer.reviewed_at)
                    restored = replace(current, schedule=schedule)
            self.store.write_card(db, restored)
        if entry.rating is not None:
            self.summary.answered -= 1
            self.summary.again -= entry.rating == Rating.AGAIN
            self.summary.duration_ms -= entry.duration_ms
        self._again_first = card_id
        return card_id

    def edit(self, shown: Shown, document: str) -> Shown:
        """Save an edited card document into its deck file and the store; the card as shown afterwards."""
        from ..decks.card_edit import edit_card

        edited = edit_card(self.store, self._keys, shown.card, document)
        return replace(shown, card=edited)

    def finish(self) -> Summary:
        """The session's summary, with when the next card is due."""
        self.summary.next_due = self.store.next_due(self._keys, self.today())
        self.summary.stopped = self.limit_reached()
        return self.summary


def _kind(row: CardRow) -> str:
    return {State.NEW: "new", State.REVIEW: "review"}.get(row.schedule.state, "learning")


def _is_leech(lapses: int, threshold: int) -> bool:
    """Anki's rule: a leech at `threshold` lapses, and again every half threshold after."""
    if threshold <= 0 or lapses < threshold:
        return False
    return (lapses - threshold) % max(threshold // 2, 1) == 0
