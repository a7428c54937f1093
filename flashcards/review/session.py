"""A review session: which card comes next and answering it, with undo, bury, suspend and the daily limits.

Pure logic over the store and a scheduler, with the clock passed in; it knows nothing of the terminal.
Order, as in Anki: learning cards that are due, then due reviews, then new cards. Limits count every
session of the study day (they are counted from the log). Every answer is committed before the next card
is chosen, and the next card is read from the store each time, so a second session on the same store
never shows a card the first one already answered. The limits are in limits.py, undo in undo.py, bury,
suspend and leeches in flags.py, the results handed back in results.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo

from ..clock import utc_now
from ..decks.open_decks import OpenDeck
from ..errors import FlashcardsError
from ..model import CardFilter, CardRow, Rating, State
from ..scheduling.scheduler import FSRSScheduler, Scheduler
from ..settings import Settings
from ..store import Store
from ..store.day_load import preset_loads
from . import flags
from .limits import day_bounds, learn_ahead_until, left_today, limit_groups, stop_reason, study_day
from .results import Answered, Counts, Shown, Summary
from .undo import UndoEntry, restore

MAX_ANSWER_MS = 60_000  # a longer pause counts as 60 s, as in Anki
LEARNING = (State.LEARNING, State.RELEARNING)
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


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
    _undo: list[UndoEntry] = field(default_factory=list)
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
        names = {deck.key: deck.name for deck in self.decks}
        keys_by_name = self.store.deck_keys_named(self.settings.decks)  # decks with settings of their own
        self._groups = limit_groups(self._keys, names, self.settings, keys_by_name)
        self._schedulers = self._deck_schedulers(keys_by_name)
        if self.only is not None:
            wanted = self.only
            self.store.restrict_to(card.id for _, card, row in self.store.deck_card_rows(self._keys)
                                   if wanted.keeps(card, row))

    def _deck_schedulers(self, keys_by_name: dict[str, list[str]]) -> dict[str, Scheduler]:
        """Each deck with settings of its own gets a scheduler of its own (the session's scheduler with them), and
        every scheduler Anki's load balancer over the cards that share its settings (Anki: its preset)."""
        loads = preset_loads(self.store, keys_by_name, self.settings.rollover_hour, self.tz)
        if isinstance(self.scheduler, FSRSScheduler) and self.scheduler.load is None:
            self.scheduler = self.scheduler.with_load(loads[None])
        schedulers: dict[str, Scheduler] = {}
        if isinstance(self.scheduler, FSRSScheduler):
            for name, load in loads.items():
                if name is not None:
                    mine = FSRSScheduler.from_settings(self.settings.for_deck(name), self.scheduler.tz)
                    schedulers[name] = mine.with_load(load)
        return schedulers

    def scheduler_for(self, deck_name: str) -> Scheduler:
        """The scheduler of a deck's cards: its own settings' when it has some, else the session's."""
        return self._schedulers.get(deck_name, self.scheduler)

    def limit_reached(self) -> str | None:
        """Why the session stops early (--limit or --minutes reached), or None."""
        return stop_reason(self.summary.answered, self.clock() - self._started, self.limit_cards, self.limit_minutes)

    def today(self, now: datetime | None = None) -> int:
        """The current study day number."""
        return study_day(now or self.clock(), self.settings, self.tz)

    # -- what is due

    def counts(self) -> Counts:
        """New / learning / review cards left now, within today's limits."""
        now = self.clock()
        today = self.today(now)
        _, tomorrow = day_bounds(today, self.settings, self.tz)
        new = review = 0
        for group in self._groups:
            new_left, reviews_left = left_today(self.store, self.settings, today, self.tz, group)
            keys = list(group.keys)
            new += self.store.count_new(keys, today, new_left) if new_left else 0
            review += self.store.count_due(keys, [State.REVIEW], tomorrow, today, reviews_left) if reviews_left else 0
        return Counts(
            new=new,
            learning=self.store.count_due(self._keys, LEARNING, learn_ahead_until(now, self.settings), today),
            review=review,
            next_due=self.store.next_due(self._keys, today),
        )

    def _open_keys(self, today: int) -> tuple[list[str], list[str]]:
        """The decks whose daily limits still allow (new cards, reviews) today, in the session's order."""
        new: set[str] = set()
        reviews: set[str] = set()
        for group in self._groups:
            new_left, reviews_left = left_today(self.store, self.settings, today, self.tz, group)
            if new_left:
                new.update(group.keys)
            if reviews_left:
                reviews.update(group.keys)
        return [key for key in self._keys if key in new], [key for key in self._keys if key in reviews]

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
        new_keys, review_keys = self._open_keys(today)
        if review_keys:
            _, tomorrow = day_bounds(today, self.settings, self.tz)
            row = self.store.first_due(review_keys, [State.REVIEW], tomorrow, today)
            if row is not None:
                return self._show(row, "review", now)
        if new_keys:
            new = self.store.new_cards(new_keys, today, 1)
            row = self.store.card(new[0]) if new else None
            if row is not None:
                return self._show(row, "new", now)
        row = self.store.first_due(keys, LEARNING, learn_ahead_until(now, self.settings), today)
        if row is not None:  # nothing else to do: learning cards due within the learn-ahead limit, as in Anki
            return self._show(row, "learning", now)
        if self.ahead and self.next_learning_due() is None:
            row = self.store.first_due(keys, [State.LEARNING, State.REVIEW, State.RELEARNING], FAR_FUTURE, today,
                                       exclude=sorted(self._shown_ahead))
            if row is not None:
                self._shown_ahead.add(row.card_id)  # studying ahead shows each card at most once per session
                return self._show(row, "ahead", now)
        return None

    def next_learning_due(self) -> datetime | None:
        """When the next learning card of today falls due (None when none is left today, or a limit is reached)."""
        if self.limit_reached():
            return None
        now = self.clock()
        today = self.today(now)
        _, tomorrow = day_bounds(today, self.settings, self.tz)
        row = self.store.first_due(self._keys, LEARNING, tomorrow, today)
        return row.schedule.due if row is not None else None

    def _show(self, row: CardRow, kind: str, now: datetime) -> Shown:
        found = self.store.card_text(row.card_id, self._keys)
        if found is None:  # the deck changed under us; the card is gone
            raise FlashcardsError(f"card {row.card_id} is no longer in the decks; start the review again")
        deck_name, card = found
        return Shown(card, deck_name, row, kind, now, self.scheduler_for(deck_name))

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
            after = shown.scheduler.review(card_id, before.schedule, rating, now)
            leech = flags.became_leech(before.schedule.lapses, after.lapses, self.settings.leech_lapses)
            self.store.write_card(db, replace(before, schedule=after, suspended=before.suspended or leech,
                                              leech=before.leech or leech))
            log_id = self.store.log_answer(db, card_id, now, int(rating), duration_ms, before.schedule, after)
        self._undo.append(UndoEntry(before, log_id, rating, duration_ms, shown.scheduler))
        self.summary.count(rating, duration_ms)
        return Answered(card_id, rating, after, leech)

    def bury(self, shown: Shown) -> None:
        """Hide the card until the next study day."""
        self._undo.append(UndoEntry(flags.bury(self.store, shown, self.today()), None))

    def suspend(self, shown: Shown) -> None:
        """Hide the card until it is unsuspended."""
        self._undo.append(UndoEntry(flags.suspend(self.store, shown), None))

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> str | None:
        """Take back the last answer, bury or suspend of this session, and only that (see undo.restore: answers
        given since in another session are kept). Returns the card's id (it is shown again next), or None when
        there is nothing to undo.
        """
        if not self._undo:
            return None
        entry = self._undo.pop()
        restore(self.store, entry.scheduler or self.scheduler, entry)
        if entry.rating is not None:
            self.summary.uncount(entry.rating, entry.duration_ms)
        self._again_first = card_id = entry.before.card_id
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


__all__ = ["Answered", "Counts", "Session", "Shown", "Summary"]
