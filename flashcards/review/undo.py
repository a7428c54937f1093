"""Undo: what a session remembers of each answer, bury or suspend, and how a card is given back its state."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import CardRow, Rating
from ..scheduling.scheduler import Scheduler
from ..store import Store


@dataclass(frozen=True)
class UndoEntry:
    """The card as it was before an answer, bury or suspend of this session."""

    before: CardRow
    log_id: int | None  # the answer's log row; None for bury and suspend
    rating: Rating | None = None
    duration_ms: int = 0
    scheduler: Scheduler | None = None  # the one that gave the answer (its deck's)


def restore(store: Store, scheduler: Scheduler, entry: UndoEntry) -> None:
    """Give the card back its state from before `entry`, in one transaction.

    The answer's own log row is removed and the card's schedule rebuilt from what remains of its log:
    the schedule before it when nothing came after, else the answers given since (in another session)
    replayed through the scheduler, so they are never erased. A bury or suspend gives back its flags only.
    """
    from ..store.undo import answers_after

    card_id = entry.before.card_id
    with store.transaction() as db:
        current = store.card(card_id) or entry.before
        if entry.log_id is None:
            restored = replace(current, suspended=entry.before.suspended, buried_until=entry.before.buried_until)
        else:
            later = answers_after(db, card_id, entry.log_id)
            store.delete_answer(db, entry.log_id)
            if not later:
                restored = entry.before
            else:
                schedule = entry.before.schedule
                for answer in later:
                    schedule = scheduler.review(card_id, schedule, Rating(answer.rating), answer.reviewed_at)
                restored = replace(current, schedule=schedule)
        store.write_card(db, restored)
