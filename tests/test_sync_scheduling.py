"""Sync and the schedule each side chose: Anki's load-balanced day stands when Anki answered last, and a deck
with settings of its own is replayed and written with them (issue 27, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import one_memory
import pytest
from reviewing import FrozenClock, Reviewing, write_deck

from flashcards.anki.live import open_collection, read_our_cards
from flashcards.anki.package_out import note_guid
from flashcards.clock import day_number
from flashcards.decks.open_decks import load_through_store
from flashcards.model import Rating, State
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.settings import Settings
from flashcards.store import Store
from flashcards.sync import sync_with_anki

pytest.importorskip("anki.collection")  # first: anki.scheduler alone is a circular import
DAY = timedelta(days=1)


def _profile(tmp_path):
    from anki.collection import Collection

    profile = tmp_path / "Anki2" / "User 1"
    profile.mkdir(parents=True)
    col = Collection(str(profile / "collection.anki2"))
    col.set_config("fsrs", True)
    col.load_balancer_enabled = True
    col.close()
    return profile


def _sync(profile, reviewing: Reviewing, deck):
    with open_collection(profile) as col:
        decks = load_through_store(reviewing.store, [deck])
        return sync_with_anki(reviewing.store, col, decks, reviewing.settings, now=reviewing.clock.now, tz=UTC)


def _answer_all(reviewing: Reviewing, rating: Rating) -> None:
    session = reviewing.session()
    while (shown := session.next_card()) is not None:
        session.answer(shown, rating, 3000)


def test_when_anki_answers_last_its_load_balanced_day_stands_on_both_sides(tmp_path):
    """Cards learnt here, synced, then answered in Anki (its load balancer on): after the sync Anki's cards keep
    the interval and due day Anki chose, and the store has the same day, though our own fuzz seed would have
    picked other days for some of them."""
    from anki.scheduler.v3 import CardAnswer

    # Anki's scheduler runs on the real clock: ours starts 11 days back, so the cards learnt then are due in Anki
    start = datetime.now(UTC).replace(microsecond=0) - 11 * DAY
    profile = _profile(tmp_path)
    deck = tmp_path / "decks" / "stoics.yaml"
    deck.parent.mkdir()
    ids = write_deck(deck, 12, name="stoics")
    store = Store(tmp_path / "store.db")
    reviewing = Reviewing(store, [deck], FrozenClock(start), Settings())
    _answer_all(reviewing, Rating.EASY)
    reviewing.clock.advance(minutes=5)
    _sync(profile, reviewing, deck)
    answered_at = datetime.now(UTC)
    with open_collection(profile) as col:
        col.decks.select(col.decks.id_for_name("stoics"))
        _answer_in_queue_order(col, len(ids), CardAnswer.GOOD, answered_at)
        chosen = {card_id: (card.due, card.interval_days)
                  for card_id, card in zip(ids, read_our_cards(col, [note_guid(i) for i in ids]).values(), strict=True)}
    reviewing.clock.now = answered_at + timedelta(minutes=2)

    report = _sync(profile, reviewing, deck)

    assert report.answers_to_store == len(ids)
    with open_collection(profile) as col:
        after = read_our_cards(col, [note_guid(i) for i in ids])
        one_memory.assert_one_memory(col, store, ids, reviewing.settings, reviewing.clock.now)
    ours_would_be = 0
    plain = FSRSScheduler.from_settings(reviewing.settings, UTC)
    for card_id in ids:
        anki = after[note_guid(card_id)]
        assert (anki.due, anki.interval_days) == chosen[card_id], card_id  # Anki's choice is left as it was
        mine = store.card(card_id).schedule
        assert mine.state == State.REVIEW
        assert day_number(mine.due, 4, UTC) == day_number(chosen[card_id][0], 4, UTC)
        replayed = plain.review(card_id, _before_last(store, card_id, plain), Rating.GOOD, mine.last_review)
        ours_would_be += day_number(replayed.due, 4, UTC) != day_number(mine.due, 4, UTC)
    assert ours_would_be > 0  # the test would catch our own day written over Anki's


def _answer_in_queue_order(col, count: int, rating, at: datetime) -> None:
    """Answer `count` cards the way Anki desktop does, each the top of Anki's queue, five seconds apart."""
    for number in range(count):
        queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
        card = col.get_card(queued.card.id)
        card.start_timer()
        answer = col.sched.build_answer(card=card, states=queued.states, rating=rating)
        answer.answered_at_millis = round((at + number * timedelta(seconds=5)).timestamp() * 1000)
        answer.milliseconds_taken = 3000
        col.sched.answer_card(answer)


def _before_last(store: Store, card_id: str, scheduler: FSRSScheduler):
    """The card's schedule before its latest answer, replayed from its log."""
    from flashcards.model import Schedule

    answers = [a for a in store.answers() if a.card_id == card_id][:-1]
    schedule = Schedule()
    for answer in answers:
        schedule = scheduler.review(card_id, schedule, Rating(answer.rating), answer.reviewed_at)
    return schedule


def test_a_deck_with_settings_of_its_own_is_replayed_and_written_to_anki_with_them(tmp_path):
    """A deck with its own desired retention and FSRS parameters: Anki's answers coming home are replayed with
    that deck's parameters (the memory state fsrs-rs gives with them), and Anki's cards get its retention."""
    from anki.scheduler.v3 import CardAnswer
    from fsrs_rs_python import DEFAULT_PARAMETERS

    start = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    profile = _profile(tmp_path)
    deck = tmp_path / "decks" / "vocabulary.yaml"
    deck.parent.mkdir()
    ids = write_deck(deck, 3, name="vocabulary")
    own = list(DEFAULT_PARAMETERS)
    own[:4] = [0.5, 1.0, 2.0, 4.0]  # initial stabilities unlike the defaults
    settings = Settings(decks={"vocabulary": {"desired_retention": 0.8, "parameters": own}})
    store = Store(tmp_path / "store.db")
    reviewing = Reviewing(store, [deck], FrozenClock(start), settings)
    reviewing.clock.advance(minutes=1)
    _sync(profile, reviewing, deck)  # the notes go to Anki, new
    answered_at = datetime.now(UTC)
    with open_collection(profile) as col:
        col.decks.select(col.decks.id_for_name("vocabulary"))
        _answer_in_queue_order(col, len(ids), CardAnswer.EASY, answered_at)
    reviewing.clock.now = answered_at + timedelta(minutes=2)

    _sync(profile, reviewing, deck)

    deck_scheduler = FSRSScheduler.from_settings(settings.for_deck("vocabulary"), UTC)
    store_scheduler = FSRSScheduler.from_settings(settings, UTC)
    with open_collection(profile) as col:
        cards = read_our_cards(col, [note_guid(i) for i in ids])
    for card_id in ids:
        mine = store.card(card_id).schedule
        expected = deck_scheduler.review(card_id, _new(), Rating.EASY, mine.last_review)
        assert mine.stability == pytest.approx(expected.stability)
        assert mine.stability != pytest.approx(store_scheduler.review(card_id, _new(), Rating.EASY,
                                                                     mine.last_review).stability)
        assert cards[note_guid(card_id)].desired_retention == pytest.approx(0.8)
        assert cards[note_guid(card_id)].stability == pytest.approx(expected.stability, abs=1e-4)


def _new():
    from flashcards.model import Schedule

    return Schedule()
