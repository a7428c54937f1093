"""Stats summed by SQLite give exactly the numbers of the pure computation, DST days and the 4 am rollover included."""

from __future__ import annotations

import itertools
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
from flashcards.stats.totals import day_of_ms, hour_segments, offset_spans
from flashcards.store import Store

NOW = datetime(2025, 11, 2, 3, 30, tzinfo=UTC)  # a week after Europe's and on the day of America's autumn change
DST_DAYS = [datetime(2025, 3, 30, tzinfo=UTC), datetime(2025, 3, 9, tzinfo=UTC), datetime(2025, 10, 26, tzinfo=UTC),
            datetime(2025, 11, 2, tzinfo=UTC), datetime(2025, 4, 6, tzinfo=UTC)]


def random_moment(rng: random.Random) -> datetime:
    """Mostly within hours of a DST change or of now, sometimes anywhere in the last two years, a few in the future."""
    pick = rng.random()
    if pick < 0.5:
        return rng.choice(DST_DAYS) + timedelta(minutes=rng.randint(-36 * 60, 36 * 60))
    if pick < 0.8:
        return NOW + timedelta(minutes=rng.randint(-40 * 24 * 60, 3 * 24 * 60))
    return NOW - timedelta(days=rng.uniform(0, 730))


def build_store(path, seed: int) -> Store:
    rng = random.Random(seed)
    store = Store(path)
    ids = [f"card{index:03d}" for index in range(120)]
    for path, name, part in (("/a.yaml", "a", ids[:80]), ("/b.yaml", "b", ids[80:])):
        staged = store.stage_deck()
        for card_id in part:
            staged.add(Card(card_id, f"front {card_id}"))
        staged.commit(path, name, [], 1, 1, None)
    log, rows = [], []
    for card_id in ids:
        moments = sorted(random_moment(rng) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.05 and moments:
            moments.append(moments[-1])  # two answers at the same moment: the log's order decides
        for moment in moments:
            due = moment + timedelta(days=rng.choice([0.01, 1, 5, 20.9, 21, 21.0001, 40, 400])) if rng.random() < 0.9 else None
            log.append(LoggedAnswer(0, card_id, moment, rng.choice([1, 1, 2, 3, 3, 4]), rng.choice([-5, 0, 3000, 12345]),
                                    rng.choice(list(State)), State.REVIEW, due, 1.0, 5.0))
        state = rng.choice(list(State))
        due = None if state == State.NEW else random_moment(rng) + timedelta(days=rng.choice([0, 0, 10, 40, 400]))
        last = None if due is None or rng.random() < 0.1 else due - timedelta(days=rng.choice([1, 20.99, 21, 90]))
        stability = None if state == State.NEW else rng.choice([None, -1.0, 0.0, 0.5, 1.0, 3.0, 27.9, 28.0, 400.0])
        today = day_number(NOW)
        difficulty = None if state == State.NEW else rng.choice([None, 1.0, 1.45, 3.0, 5.5, 9.99, 10.0])
        rows.append(CardRow(card_id, Schedule(state, None, stability, difficulty, due, last), suspended=rng.random() < 0.1,
                            buried_until=rng.choice([None, None, today - 1, today, today + 1])))
    with store.transaction() as db:
        store.insert_answers(db, log)
        store.write_cards(db, rows)
    return store


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"])
@pytest.mark.parametrize("rollover", [0, 2, 4])
def test_stats_summed_in_sqlite_equal_the_pure_computation(tmp_path, zone, rollover):
    tz = ZoneInfo(zone)
    store = build_store(tmp_path / "fc.db", seed=rollover * 31 + len(zone))
    for decks in (None, ["/a.yaml"]):
        today = day_number(NOW, rollover, tz)
        pure = compute_stats(card_snapshots(store.cards(decks), today), answer_records(store.answers(decks)), NOW,
                             rollover_hour=rollover, tz=tz)
        summed = stats_from_store(store, decks, NOW, rollover_hour=rollover, tz=tz)
        assert summed == pure
        assert summed.to_dict() == pure.to_dict()
    store.close()


def test_a_study_day_from_integer_milliseconds_matches_the_datetime_arithmetic():
    rng = random.Random(5)
    for zone in ("Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Australia/Lord_Howe"):
        tz = ZoneInfo(zone)
        low, high = 1_700_000_000_000, 1_800_000_000_000
        spans = offset_spans(low, high, tz)
        assert len(spans) > 1 or zone == "Asia/Kolkata"
        moments = [rng.randint(low, high) for _ in range(2000)]
        moments += [start + delta for start, _ in spans for delta in (-1, 0, 1)]  # either side of every change
        for ms in moments:
            if low <= ms < high:
                expected = day_number(datetime.fromtimestamp(ms / 1000, UTC), 4, tz)
                assert day_of_ms(ms, spans, 4) == expected, (zone, ms)


def test_stats_without_a_store_are_empty():
    stats = stats_from_store(None, None, NOW, tz=UTC)
    assert stats.cards.total == 0 and stats.answers_total == 0 and stats.due_today == 0


def _stored_and_recomputed(store: Store) -> tuple[list, list]:
    """Each answer's stored previous interval, and the same recomputed from the whole log by a window function."""
    stored = store.db.execute("SELECT id, previous_interval_ms FROM review_log ORDER BY id").fetchall()
    recomputed = store.db.execute(
        "SELECT id, lag(due - reviewed_at) OVER (PARTITION BY card_id ORDER BY reviewed_at, id) FROM review_log "
        "ORDER BY id").fetchall()
    return stored, recomputed


def test_stats_stay_exact_when_answers_arrive_out_of_order_and_one_is_undone(tmp_path):
    """Answers land in the middle of cards' histories (bulk writes in shuffled order, an import merging older
    answers, one answered with a clock set back) and one is undone: the young/mature split still matches."""
    store = build_store(tmp_path / "fc.db", seed=3)
    rng = random.Random(8)
    card_ids = [f"card{index:03d}" for index in range(20)]

    def answer(card_id: str, moment: datetime, days: float) -> LoggedAnswer:
        return LoggedAnswer(0, card_id, moment, rng.choice([1, 3]), 4000, State.REVIEW, State.REVIEW,
                            moment + timedelta(days=days), 3.0, 5.0)

    late = [answer(card_id, NOW - timedelta(days=rng.uniform(1, 300)), rng.choice([2, 30, 400]))
            for card_id in card_ids for _ in range(3)]
    rng.shuffle(late)
    with store.transaction() as db:
        store.insert_answers(db, late[:30])
    with store.transaction() as db:
        store.insert_answers(db, late[30:])
    merged = [answer(card_id, NOW - timedelta(days=rng.uniform(1, 300)), 25) for card_id in card_ids]
    with store.transaction() as db:
        assert store.merge_answers(db, merged + merged[:5]) == len(merged)  # the repeated five are known
    with store.transaction() as db:  # a clock set back: this answer comes before the card's latest ones
        middle = store.log_answer(db, "card001", NOW - timedelta(days=150), 3, 4000, Schedule(State.REVIEW),
                                  Schedule(State.REVIEW, None, 3.0, 5.0, NOW - timedelta(days=100)))
        store.log_answer(db, "card002", NOW + timedelta(hours=1), 3, 4000, Schedule(State.REVIEW),
                         Schedule(State.REVIEW, None, 3.0, 5.0, NOW + timedelta(days=30)))
    stored, recomputed = _stored_and_recomputed(store)
    assert stored == recomputed
    with store.transaction() as db:  # undo: the answer after the removed one was given at the one before it
        assert store.delete_answer(db, middle) is not None
        first = min(store.answers(["/a.yaml"]), key=lambda a: (a.reviewed_at, a.id))
        store.delete_answer(db, first.id)
    stored, recomputed = _stored_and_recomputed(store)
    assert stored == recomputed
    assert sum(1 for _, previous in stored if previous is not None and previous >= 21 * 86_400_000) > 10
    for decks in (None, ["/a.yaml"]):
        pure = compute_stats(card_snapshots(store.cards(decks), day_number(NOW)), answer_records(store.answers(decks)),
                             NOW, tz=UTC)
        assert stats_from_store(store, decks, NOW, tz=UTC) == pure
    store.close()


def back_to_schema(db, version: int) -> None:
    """Make a store's tables, columns and indexes those of schema `version` (data kept): what every later
    migration added is dropped, whatever migrations there are now."""
    from flashcards.store import schema

    old = sqlite3.connect(":memory:")
    for migration in schema.MIGRATIONS[:version]:
        migration(old)

    def objects(connection) -> dict[str, str]:
        return dict(connection.execute("SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))

    kept = objects(old)
    for name, kind in objects(db).items():
        if name not in kept:
            db.execute(f"DROP {kind.upper()} IF EXISTS {name}")
    for table, kind in kept.items():
        if kind == "table":
            columns = {row[1] for row in old.execute(f"PRAGMA table_info({table})")}
            for row in db.execute(f"PRAGMA table_info({table})").fetchall():
                if row[1] not in columns:
                    db.execute(f"ALTER TABLE {table} DROP COLUMN {row[1]}")
    db.execute(f"PRAGMA user_version = {version}")


def test_a_store_made_before_previous_intervals_gets_them_from_its_history(tmp_path):
    """Opening a store of schema 6 fills in every answer's previous interval from the log as it stands."""
    path = tmp_path / "fc.db"
    store = build_store(path, seed=4)
    expected, _ = _stored_and_recomputed(store)
    back_to_schema(store.db, 6)
    store.close()
    reopened = Store(path)
    stored, recomputed = _stored_and_recomputed(reopened)
    assert stored == expected == recomputed
    assert any(previous is not None for _, previous in stored)
    pure = compute_stats(card_snapshots(reopened.cards(), day_number(NOW)), answer_records(reopened.answers()), NOW, tz=UTC)
    assert stats_from_store(reopened, None, NOW, tz=UTC) == pure
    reopened.close()


def test_hour_segments_cover_the_time_without_gaps_each_within_one_study_day_and_local_hour():
    for zone in ("Europe/Berlin", "America/Havana", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"):
        tz = ZoneInfo(zone)
        low, high = 1_690_000_000_000, 1_740_000_000_000
        spans = offset_spans(low, high, tz)
        for rollover in (0, 4):
            segments = hour_segments(spans, rollover, high)
            assert segments[0][0] == low and segments[-1][1] == high
            for (_, end, _, _), (start, _, _, _) in itertools.pairwise(segments):
                assert end == start
            for start, end, day, hour in segments[::97]:
                assert start < end and day_of_ms(start, spans, rollover) == day == day_of_ms(end - 1, spans, rollover)
                for ms in (start, end - 1):
                    assert datetime.fromtimestamp(ms / 1000, UTC).astimezone(tz).hour == hour, (zone, ms)
