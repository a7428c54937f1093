"""The review session over a real store with a frozen clock: order, limits, undo, bury, suspend, leeches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reviewing import FrozenClock, Reviewing, write_deck

from flashcards.model import Rating, Schedule, State
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.settings import Settings
from flashcards.store import Store
from flashcards.store import reviews as reviews_module
from flashcards.store.checks import check_store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "fc.db") as opened:
        yield opened


def make(store, tmp_path, count=5, **settings) -> tuple[Reviewing, list[str]]:
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, count)
    return Reviewing(store, [deck], FrozenClock(), Settings(fuzz=False, **settings)), ids


def answer_next(session, rating=Rating.GOOD):
    shown = session.next_card()
    assert shown is not None
    return shown, session.answer(shown, rating)


def test_new_cards_come_in_deck_order(store, tmp_path):
    reviewing, ids = make(store, tmp_path)
    session = reviewing.session()
    seen = [answer_next(session, Rating.EASY)[0].card.id for _ in ids]
    assert seen == ids
    assert session.next_card() is None


def test_due_learning_cards_come_before_due_reviews_before_new_cards(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=6)
    clock = reviewing.clock
    session = reviewing.session()
    answer_next(session, Rating.EASY)  # ids[0] becomes a review card, due in days
    clock.advance(days=30)
    session = reviewing.session()
    shown, _ = answer_next(session, Rating.GOOD)
    assert shown.card.id == ids[0] and shown.kind == "review"
    shown, _ = answer_next(session, Rating.AGAIN)  # ids[1] new -> learning, due in 1 minute
    assert shown.kind == "new"
    clock.advance(minutes=2)
    assert session.counts().learning == 1
    shown = session.next_card()
    assert (shown.card.id, shown.kind) == (ids[1], "learning")


def test_counts_and_the_daily_new_limit_hold_across_sessions_and_reset_at_4_am(store, tmp_path):
    reviewing, _ = make(store, tmp_path, count=10, new_per_day=3)
    first = reviewing.session()
    assert first.counts().new == 3
    answer_next(first, Rating.EASY)
    answer_next(first, Rating.EASY)
    second = reviewing.session()  # a later run the same day
    assert second.counts().new == 1
    answer_next(second, Rating.EASY)
    assert second.next_card() is None and second.counts().new == 0
    reviewing.clock.now = reviewing.clock.now.replace(hour=3, minute=59) + timedelta(days=1)
    assert reviewing.session().counts().new == 0  # 3:59 the next morning is still the same study day
    reviewing.clock.advance(minutes=1)
    assert reviewing.session().counts().new == 3


def test_the_daily_review_limit_counts_reviews_only(store, tmp_path):
    reviewing, _ = make(store, tmp_path, count=6, reviews_per_day=2)
    session = reviewing.session()
    for _ in range(6):
        answer_next(session, Rating.EASY)
    reviewing.clock.advance(days=60)
    session = reviewing.session()
    counts = session.counts()
    assert (counts.review, counts.new) == (2, 0)
    answer_next(session)
    answer_next(session)
    assert session.next_card() is None
    assert reviewing.session().counts().review == 0


def test_undo_restores_the_schedule_removes_the_log_row_and_shows_the_card_again(store, tmp_path):
    reviewing, ids = make(store, tmp_path)
    session = reviewing.session()
    before = store.card(ids[0])
    answer_next(session, Rating.AGAIN)
    assert store.card(ids[0]) != before and store.answer_count() == 1
    assert session.undo() == ids[0]
    assert store.card(ids[0]) == before and store.answer_count() == 0
    assert session.summary.answered == 0
    assert session.next_card().card.id == ids[0]
    assert session.undo() is None


def test_bury_hides_a_card_until_the_next_study_day_and_undo_unburies(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=3)
    session = reviewing.session()
    session.bury(session.next_card())
    assert session.counts().new == 2
    assert session.next_card().card.id == ids[1]
    session.undo()
    assert session.counts().new == 3
    session.bury(session.next_card())
    reviewing.clock.advance(days=1)
    assert reviewing.session().next_card().card.id == ids[0]


def test_a_suspended_card_is_never_shown_nor_counted(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=2)
    session = reviewing.session()
    session.suspend(session.next_card())
    reviewing.clock.advance(days=400)
    later = reviewing.session()
    assert later.counts().new == 1
    assert later.next_card().card.id == ids[1]
    assert store.card(ids[0]).suspended


def test_a_card_forgotten_8_times_becomes_a_suspended_leech(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=1)
    session = reviewing.session()
    shown, answered = answer_next(session, Rating.EASY)
    lapses = 0
    while not answered.leech:
        reviewing.clock.now = store.card(ids[0]).schedule.due + timedelta(minutes=1)
        shown = session.next_card()
        if shown.row.schedule.state == State.REVIEW:
            answered = session.answer(shown, Rating.AGAIN)
            lapses += 1
        else:
            answered = session.answer(shown, Rating.EASY)  # relearned: back to review
        assert lapses <= 8
    assert lapses == 8
    row = store.card(ids[0])
    assert row.leech and row.suspended and row.schedule.lapses == 8
    assert session.next_card() is None


def test_when_only_learning_cards_wait_the_session_says_when_the_next_is_due(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=1, learn_ahead_minutes=0)
    session = reviewing.session()
    answer_next(session, Rating.GOOD)  # learning, due in 10 minutes
    assert session.next_card() is None
    assert session.next_learning_due() == reviewing.clock.now + timedelta(minutes=10)
    reviewing.clock.advance(minutes=10)
    assert session.next_card().card.id == ids[0]


def test_ahead_studies_the_soonest_due_cards_when_nothing_is_due(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=2, learn_ahead_minutes=0)
    session = reviewing.session()
    answer_next(session, Rating.EASY)  # ids[0]: review, due in days
    answer_next(session, Rating.GOOD)  # ids[1]: learning, due in 10 minutes: ahead waits for it, not skip it
    assert reviewing.session(ahead=True).next_card() is None
    reviewing.clock.advance(minutes=10)
    answer_next(session, Rating.GOOD)  # ids[1]: review, due sooner than ids[0]
    reviewing.clock.advance(days=1)
    assert reviewing.session().next_card() is None
    ahead = reviewing.session(ahead=True)
    shown = ahead.next_card()
    soonest = min(ids, key=lambda card: store.card(card).schedule.due)
    assert soonest == ids[1]
    assert (shown.card.id, shown.kind) == (soonest, "ahead")
    before = store.card(soonest).schedule
    ahead.answer(shown, Rating.GOOD)
    after = store.card(soonest).schedule
    assert after.last_review == reviewing.clock.now and after.due > before.due


def test_an_answer_given_in_another_session_meanwhile_is_built_upon(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=2)
    with Store(store.path) as other_store:
        mine = reviewing.session()
        theirs = Reviewing(other_store, reviewing.deck_paths, reviewing.clock, reviewing.settings).session()
        shown_mine = mine.next_card()
        shown_theirs = theirs.next_card()
        assert shown_mine.card.id == shown_theirs.card.id == ids[0]
        theirs.answer(shown_theirs, Rating.GOOD)
        mine.answer(shown_mine, Rating.GOOD)
        assert store.card(ids[0]).schedule.reps == 2
        assert store.answer_count() == 2
        assert theirs.next_card().card.id == ids[1]  # ids[0] is learning, not due: not shown again


def test_the_summary_counts_answers_time_and_again_rate(store, tmp_path):
    reviewing, _ = make(store, tmp_path, count=4)
    session = reviewing.session()
    for rating in (Rating.AGAIN, Rating.GOOD, Rating.GOOD, Rating.AGAIN):
        shown = session.next_card()
        reviewing.clock.advance(seconds=5)
        session.answer(shown, rating)
    summary = session.finish()
    assert (summary.answered, summary.again, summary.duration_ms) == (4, 2, 20_000)
    assert summary.again_rate == 0.5
    assert summary.next_due == min(row.schedule.due for row in store.cards() if row.schedule.due)


def test_unsuspend_brings_suspended_cards_and_leeches_back(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=3)
    session = reviewing.session()
    session.suspend(session.next_card())
    session.suspend(session.next_card())
    keys = [deck.key for deck in session.decks]
    assert store.unsuspend(keys, [ids[1]]) == 1
    assert reviewing.session().next_card().card.id == ids[1]
    assert store.unsuspend(keys) == 1 and store.unsuspend(keys) == 0
    assert reviewing.session().counts().new == 3


def test_learning_cards_due_within_the_learn_ahead_limit_show_at_once_when_nothing_else_is_due(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=3, learning_steps_minutes=[10, 30])
    session = reviewing.session()
    for _ in ids:
        answer_next(session, Rating.GOOD)  # Good on the first step: the 30-minute step next
    assert session.counts().learning == 0 and session.next_card() is None  # 30 minutes away: beyond 20
    reviewing.clock.advance(minutes=12)
    counts = session.counts()
    assert counts.learning == 3 and counts.new == 0  # due in 18 minutes: within the limit, counted
    shown = session.next_card()
    assert shown.card.id in ids and shown.kind == "learning"


def test_learn_ahead_waits_for_due_reviews_and_new_cards_first(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=2)
    session = reviewing.session()
    answer_next(session, Rating.GOOD)  # ids[0]: due in 10 minutes
    assert session.counts().learning == 1  # counted under Learning at once
    shown = session.next_card()
    assert (shown.card.id, shown.kind) == (ids[1], "new")  # a new card still comes before learning ahead
    session.answer(shown, Rating.EASY)
    assert session.next_card().card.id == ids[0]


def test_studying_ahead_shows_each_card_at_most_once_per_session(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=1)
    answer_next(reviewing.session(), Rating.EASY)
    ahead = reviewing.session(ahead=True)
    shown = ahead.next_card()
    assert (shown.card.id, shown.kind) == (ids[0], "ahead")
    ahead.answer(shown, Rating.GOOD)
    assert ahead.next_card() is None
    assert reviewing.session(ahead=True).next_card().card.id == ids[0]  # a new session may show it again


def test_undo_takes_back_only_its_own_answer_and_keeps_another_sessions_answer(store, tmp_path):
    reviewing, ids = make(store, tmp_path, count=2)
    with Store(store.path) as other_store:
        a = reviewing.session()
        b = Reviewing(other_store, reviewing.deck_paths, reviewing.clock, reviewing.settings).session()
        shown_a, shown_b = a.next_card(), b.next_card()
        assert shown_a.card.id == shown_b.card.id == ids[0]
        a.answer(shown_a, Rating.AGAIN)
        reviewing.clock.advance(minutes=2)
        b.answer(shown_b, Rating.EASY)
        assert a.undo() == ids[0]
        answers = list(store.answers())
        assert [answer.rating for answer in answers] == [Rating.EASY]  # B's answer stays, A's is gone
        row = store.card(ids[0])
        new = Schedule()
        alone = FSRSScheduler.from_settings(reviewing.settings).review(ids[0], new, Rating.EASY, answers[0].reviewed_at)
        assert row.schedule == alone  # as if only B had answered
        assert row.schedule.reps == 1
    assert check_store(store.path).ok


@pytest.mark.parametrize("few", [0, 10_000], ids=["walked through the decks", "sorted from the schedule"])
def test_new_cards_come_in_deck_order_across_decks_however_they_are_found(store, tmp_path, monkeypatch, few):
    """The store finds new cards by walking each deck in order, or, when few are left, by sorting those few by
    their place in the deck: the order is the same either way (decks in the order given, cards in deck order)."""
    monkeypatch.setattr(reviews_module, "FEW_NEW", few)
    first, second = tmp_path / "b.yaml", tmp_path / "a.yaml"
    ids = write_deck(first, 5, name="b") + write_deck(second, 4, name="a")
    session = Reviewing(store, [first, second], FrozenClock(), Settings(fuzz=False)).session()
    seen = []
    while (shown := session.next_card()) is not None:
        seen.append(shown.card.id)
        if shown.card.id == ids[3]:
            session.suspend(shown)  # gone from the new cards, the rest keep their order
        else:
            session.answer(shown, Rating.EASY)
    assert seen == ids
    assert store.new_cards([deck.key for deck in session.decks], 0, 5) == []
