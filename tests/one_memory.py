"""What `sync` promises of a collection and the store after it, checked card by card on an open collection (the
person's desktop collection, flashcards' mirror of an AnkiWeb account, or a phone that synced with it): the same
state, due day, interval, memory state, reps, lapses, flags and answers on both sides, each answer once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flashcards.anki.live import AnkiDays, read_our_cards, read_reviews
from flashcards.anki.live_model import STATES
from flashcards.anki.package_out import note_guid
from flashcards.anki.scheduling_out import revlog_factor
from flashcards.clock import day_number
from flashcards.model import State
from flashcards.settings import Settings
from flashcards.store import Store

DAY = timedelta(days=1)


def assert_one_memory(col, store: Store, card_ids: list[str], settings: Settings, now: datetime, *,
                      guids: list[str] | None = None, every_row: bool = False) -> None:
    """Every card: the same schedule, memory state, counts and flags in the collection and in the store, and the
    same answers (each once; Anki's log row at most 999 ms after ours; its factor Anki's FSRS form). `guids`: the
    cards' notes when not our own GUIDs; `every_row`: Anki's log holds nothing but answers (no manual rows)."""
    today = day_number(now, settings.rollover_hour, UTC)
    guids = guids if guids is not None else [note_guid(card_id) for card_id in card_ids]
    have = read_our_cards(col, guids)
    days = AnkiDays(col)
    reviews = read_reviews(col, [card.card_id for card in have.values()])
    for card_id, guid in zip(card_ids, guids, strict=True):
        row, anki = store.card(card_id), have[guid]
        mine = row.schedule
        assert anki.state == STATES[mine.state], card_id
        if mine.state == State.NEW:
            assert (anki.due, anki.stability, anki.reps) == (None, None, 0)
        else:
            if mine.state == State.REVIEW:
                assert days.day_of(anki.due) == days.day_of(mine.due)
                assert anki.interval_days == round((mine.due - mine.last_review) / DAY)
            else:
                assert anki.due == mine.due.replace(microsecond=0)
            assert anki.stability == pytest.approx(mine.stability, abs=1e-4)
            assert anki.difficulty == pytest.approx(mine.difficulty, abs=1e-3)
            assert anki.last_review == mine.last_review.replace(microsecond=0)
            assert anki.desired_retention == pytest.approx(settings.desired_retention)
        assert (anki.reps, anki.lapses) == (mine.reps, mine.lapses), card_id
        buried = row.buried_until is not None and row.buried_until >= today
        assert (anki.suspended, anki.buried) == (row.suspended, buried)
        theirs = sorted((r.id, r.factor) for r in reviews if r.card_id == anki.card_id and (r.ease or every_row))
        ours = sorted((round(a.reviewed_at.timestamp() * 1000), a.difficulty)
                      for a in store.answers() if a.card_id == card_id)
        assert len(theirs) == len(ours), card_id
        assert all(0 <= t - o < 1000 for (t, _), (o, _) in zip(theirs, ours, strict=True))
        assert all(abs(factor - revlog_factor(difficulty)) <= 1
                   for (_, factor), (_, difficulty) in zip(theirs, ours, strict=True))


def answers_on_both_sides(col, store: Store) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Each card's answer moments (ms) in the store and in the collection's log (answers only, not manual rows)."""
    ours: dict[str, list[int]] = {}
    for answer in store.answers():
        ours.setdefault(answer.card_id, []).append(round(answer.reviewed_at.timestamp() * 1000))
    cards = read_our_cards(col, [note_guid(card_id) for card_id in ours])
    by_anki_card = {cards[note_guid(card_id)].card_id: card_id for card_id in ours if note_guid(card_id) in cards}
    theirs: dict[str, list[int]] = {}
    for review in read_reviews(col, list(by_anki_card)):
        if review.ease:
            theirs.setdefault(by_anki_card[review.card_id], []).append(review.id)
    return ({card: sorted(moments) for card, moments in ours.items()},
            {card: sorted(moments) for card, moments in theirs.items()})


def assert_every_answer_once(col, store: Store, given: int) -> None:
    """`given` answers in all, each once in the store and once in the collection, card by card."""
    ours, theirs = answers_on_both_sides(col, store)
    assert sum(len(moments) for moments in ours.values()) == given
    assert sorted(ours) == sorted(theirs)
    for card_id, moments in ours.items():
        assert len(moments) == len(theirs[card_id]), card_id
        assert all(0 <= t - o < 1000 for o, t in zip(moments, theirs[card_id], strict=True)), card_id
