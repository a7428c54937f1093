"""Stats from the past days' sums the store keeps equal stats summed from scratch, day after day, whatever happens
to the log meanwhile: answers today, answers of past days imported, undo, cards moving between decks, a new
rollover hour or time zone, a restored backup, a store busy with another writer."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flashcards.clock import day_number
from flashcards.model import Card, CardRow, LoggedAnswer, Schedule, State
from flashcards.stats.numbers import compute_stats
from flashcards.stats.source import answer_records, card_snapshots
from flashcards.stats.summed import stats_from_store
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end (randomized histories against full recomputation): run by CI, left out of the quick loop

START = datetime(2025, 10, 20, 15, 0, tzinfo=UTC)  # the week before Europe's autumn DST change
IDS = [f"card{index:03d}" for index in range(60)]
ZONES = [UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]


def answer(rng: random.Random, card_id: str, moment: datetime) -> LoggedAnswer:
    due = moment + timedelta(days=rng.choice([0.01, 1, 5, 21, 40, 400])) if rng.random() < 0.9 else None
    return LoggedAnswer(0, card_id, moment, rng.choice([1, 1, 2, 3, 3, 4]), rng.choice([-5, 0, 3000, 12345]),
                        rng.choice(list(State)), State.REVIEW, due, 1.0, 5.0)


def put_decks(store: Store, rng: random.Random, version: int) -> None:
    """Two decks sharing the cards at random: each call moves some between them (a new version of both files)."""
    for path in ("/a.yaml", "/b.yaml"):
        staged = store.stage_deck()
        for card_id in IDS:
            if (rng.random() < 0.6) == (path == "/a.yaml"):
                staged.add(Card(card_id, f"front {card_id}"))
        staged.commit(path, path, [], version, version, None)


def new_store(path, rng: random.Random) -> Store:
    store = Store(path)
    put_decks(store, rng, 1)
    log = [answer(rng, rng.choice(IDS), START - timedelta(minutes=rng.randint(0, 90 * 24 * 60))) for _ in range(400)]
    with store.transaction() as db:
        store.insert_answers(db, log)
        store.write_cards(db, [CardRow(card_id, Schedule(State.REVIEW, None, 3.0, 5.0, START + timedelta(days=3),
                                                         START - timedelta(days=2))) for card_id in IDS])
    return store


def from_scratch(store: Store, decks, now: datetime, rollover: int, tz) -> object:
    today = day_number(now, rollover, tz)
    return compute_stats(card_snapshots(store.cards(decks), today), answer_records(store.answers(decks)), now,
                         rollover_hour=rollover, tz=tz)


def change_something(store: Store, rng: random.Random, now: datetime, step: int) -> None:
    """One of the things that happen to a store between two looks at its stats."""
    pick = rng.random()
    if pick < 0.35:  # a review session now
        with store.transaction() as db:
            for _ in range(rng.randint(1, 8)):
                store.log_answer(db, rng.choice(IDS), now - timedelta(minutes=rng.randint(0, 120)), rng.choice([1, 3]),
                                 4000, Schedule(State.REVIEW), Schedule(State.REVIEW, None, 3.0, 5.0,
                                                                        now + timedelta(days=rng.choice([1, 30]))))
    elif pick < 0.45:  # an import or a sync brings answers of past days (some already in the log)
        with store.transaction() as db:
            past = [answer(rng, rng.choice(IDS), now - timedelta(minutes=rng.randint(60, 60 * 24 * 60)))
                    for _ in range(rng.randint(1, 5))]
            store.merge_answers(db, past)
    elif pick < 0.55:  # the first answer of a card from elsewhere, days ago (no later answer of it changes)
        with store.transaction() as db:
            store.merge_answers(db, [answer(rng, f"other{step}", now - timedelta(days=rng.uniform(1, 20)))])
    elif pick < 0.65:  # undo: the latest answer, or any
        with store.transaction() as db:
            ids = [row[0] for row in db.execute("SELECT id FROM review_log ORDER BY id")]
            if ids:
                store.delete_answer(db, ids[-1] if rng.random() < 0.5 else rng.choice(ids))
    elif pick < 0.75:  # a past answer undone and another imported: as many answers before today as before
        with store.transaction() as db:
            store.delete_answer(db, db.execute("SELECT id FROM review_log ORDER BY reviewed_at LIMIT 1").fetchone()[0])
            store.merge_answers(db, [answer(rng, f"other{step}", now - timedelta(days=rng.uniform(1, 20)))])
    elif pick < 0.9:  # cards move between the decks
        put_decks(store, rng, step + 2)


@pytest.mark.parametrize("seed", range(6))
def test_stats_through_the_kept_sums_equal_a_full_recomputation_over_random_histories(tmp_path, seed):
    rng = random.Random(seed)
    store = new_store(tmp_path / "fc.db", rng)
    now, rollover, tz = START, 4, ZONES[seed % len(ZONES)]
    for step in range(14):
        now += timedelta(hours=rng.choice([0.5, 3, 20, 24, 49]))
        if rng.random() < 0.1:
            rollover = rng.choice([0, 2, 4])
        if rng.random() < 0.1:
            tz = rng.choice(ZONES)
        change_something(store, rng, now, step)
        for decks in (None, ["/a.yaml"], ["/a.yaml", "/b.yaml"]):
            assert stats_from_store(store, decks, now, rollover_hour=rollover, tz=tz) == \
                from_scratch(store, decks, now, rollover, tz), (step, decks)
    assert store.db.execute("SELECT count(*) FROM stats_days").fetchone()[0] > 0  # the sums were kept
    store.close()


def test_a_later_look_reads_only_the_answers_since_the_days_kept(tmp_path):
    """Once past days are kept, stats read the log from today's start only (a few hours of pieces, not 90 days)."""
    store = new_store(tmp_path / "fc.db", random.Random(1))
    for now in (START, START + timedelta(hours=2), START + timedelta(days=1)):
        assert stats_from_store(store, None, now, tz=UTC) == from_scratch(store, None, now, 4, UTC)
        mark = store.days_mark("*")
        assert mark is not None and mark.covered_ms == round(datetime(now.year, now.month, now.day, 4, tzinfo=UTC)
                                                              .timestamp() * 1000)
        hours_read = store.db.execute("SELECT count(*) FROM temp.stats_hours").fetchone()[0]
        assert hours_read <= 3 * 24  # from today's start to two days after now
    store.close()


def test_undoing_a_past_answer_or_importing_one_is_seen_by_the_next_look(tmp_path):
    store = new_store(tmp_path / "fc.db", random.Random(2))
    now = START
    assert stats_from_store(store, None, now, tz=UTC).answers_total == 400
    with store.transaction() as db:
        oldest = db.execute("SELECT id FROM review_log ORDER BY reviewed_at LIMIT 1").fetchone()[0]
        store.delete_answer(db, oldest)
    assert stats_from_store(store, None, now, tz=UTC).answers_total == 399
    with store.transaction() as db:
        store.merge_answers(db, [answer(random.Random(3), "card001", now - timedelta(days=30))])
    stats = stats_from_store(store, None, now, tz=UTC)
    assert stats.answers_total == 400 and stats == from_scratch(store, None, now, 4, UTC)
    store.close()


def test_a_restored_backup_gets_its_sums_again_and_check_finds_nothing_wrong(tmp_path):
    from flashcards.store.backups import daily_backup
    from flashcards.store.checks import check_store
    from flashcards.store.restore import plan_restore, restore

    path = tmp_path / "fc.db"
    store = new_store(path, random.Random(4))
    with store.transaction() as db:
        store.recount_answers(db)  # (the made-up schedules count the made-up answers)
    assert stats_from_store(store, None, START, tz=UTC) == from_scratch(store, None, START, 4, UTC)
    store.close()
    assert check_store(path).ok
    daily_backup(path, START.date(), settings_file=tmp_path / "settings.toml")
    restore(plan_restore(path, tmp_path / "settings.toml", None, START))
    store = Store(path)
    assert store.days_mark("*") is None  # a backup keeps no sums (nor the triggers that guard them)
    for _ in range(2):  # summed again, then an undo of a past answer in the restored store is seen
        assert stats_from_store(store, None, START, tz=UTC) == from_scratch(store, None, START, 4, UTC)
        with store.transaction() as db:
            store.delete_answer(db, db.execute("SELECT min(id) FROM review_log").fetchone()[0])
            store.recount_answers(db)
    store.close()
    assert check_store(path).ok


def test_a_store_another_writer_holds_still_gives_exact_stats(tmp_path):
    path = tmp_path / "fc.db"
    store = new_store(path, random.Random(5))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a long import elsewhere: the sums cannot be written now
    try:
        assert stats_from_store(store, None, START, tz=UTC) == from_scratch(store, None, START, 4, UTC)
        assert store.days_mark("*") is None
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert stats_from_store(store, None, START, tz=UTC) == from_scratch(store, None, START, 4, UTC)
    assert store.days_mark("*") is not None
    store.close()
