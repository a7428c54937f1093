"""The compact per-card histories kept beside the log (store/memory_history.py) stay what the log says: after
answers, undos, imports, changed ratings and a restore, recomputed states equal those from the log alone."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs_rs_python import DEFAULT_PARAMETERS

from flashcards.model import CardRow, LoggedAnswer, Schedule, State
from flashcards.scheduling.memory_states import recompute_memory_states
from flashcards.settings import Settings
from flashcards.store import Store

OTHER = [0.5, 1.0, 4.0, 12.0, *DEFAULT_PARAMETERS[4:]]
T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def _states(store) -> dict:
    return {row[0]: (row[2], row[3]) for row in store.memory_rows() if row[1] != State.NEW}


def _from_the_log_alone(path, settings) -> dict:
    """The states a recomputation gives with the cache emptied first (every history read from the log)."""
    with Store(path) as store:
        with store.transaction() as db:
            db.execute("DELETE FROM memory_history")
        recompute_memory_states(store, settings, tz=UTC)
        return _states(store)


def _answer(rng, card_id, at):
    return LoggedAnswer(0, card_id, at, rng.choice([1, 2, 3, 3, 4]), 3000, State.REVIEW, State.REVIEW)


def test_recomputed_states_equal_those_from_the_log_after_random_writes_of_each_kind(tmp_path):
    rng = random.Random(7)
    path = tmp_path / "fc.db"
    cards = [f"card{index:03d}" for index in range(60)]
    with Store(path) as store, store.transaction() as db:
        for card_id in cards:
            store.write_card(db, CardRow(card_id, Schedule(State.REVIEW, None, 1.0, 5.0, T0, T0, 1, 0)))
        store.insert_answers(db, [_answer(rng, card_id, T0 + timedelta(days=rng.randrange(30), hours=step))
                                  for card_id in cards for step in range(rng.randrange(1, 6))])
    settings = Settings(parameters=OTHER)
    for round_number in range(8):
        with Store(path) as store:
            recompute_memory_states(store, settings, tz=UTC)  # fills the cache, then the log changes under it
            with store.transaction() as db:
                kind = round_number % 4
                if kind == 0:  # answers, one by one, as a review session gives them
                    for card_id in rng.sample(cards, 5):
                        store.insert_answers(db, [_answer(rng, card_id, T0 + timedelta(days=40 + round_number))])
                elif kind == 1:  # undo: the last answers taken back
                    for (log_id,) in db.execute("SELECT id FROM review_log ORDER BY id DESC LIMIT 3").fetchall():
                        store.delete_answer(db, log_id)
                elif kind == 2:  # an import or a sync: older answers of some cards, in bulk
                    store.insert_answers(db, [_answer(rng, card_id, T0 - timedelta(days=rng.randrange(1, 9)))
                                              for card_id in rng.sample(cards, 10)])
                else:  # check --repair, or a hand edit: ratings and times changed in place
                    db.execute("UPDATE review_log SET rating = 5 - rating WHERE id % 7 = ?", (round_number,))
                    db.execute("UPDATE review_log SET reviewed_at = reviewed_at + 86400000 WHERE id % 11 = ?",
                               (round_number,))
            recompute_memory_states(store, settings, tz=UTC)
            cached = _states(store)
        assert cached == _from_the_log_alone(path, settings), round_number


def test_a_restored_backup_has_no_stale_history(tmp_path):
    """A backup keeps no triggers: after a restore the cache is rebuilt before it is trusted again."""
    from flashcards.store.backups import daily_backup
    from flashcards.store.restore import plan_restore, restore

    rng = random.Random(3)
    path = tmp_path / "fc.db"
    with Store(path) as store:
        with store.transaction() as db:
            store.write_card(db, CardRow("a", Schedule(State.REVIEW, None, 1.0, 5.0, T0, T0, 1, 0)))
            store.insert_answers(db, [_answer(rng, "a", T0 + timedelta(days=day)) for day in (0, 2, 9)])
        recompute_memory_states(store, Settings(), tz=UTC)
    daily_backup(path, date(2025, 2, 1))
    restore(plan_restore(path, tmp_path / "fc.settings.json", None, datetime(2025, 2, 2)))
    with Store(path) as store:
        recompute_memory_states(store, Settings(), tz=UTC)  # the cache refilled, its triggers made again
        with store.transaction() as db:
            store.insert_answers(db, [LoggedAnswer(0, "a", T0 + timedelta(days=30), 1, 3000, State.REVIEW,
                                                   State.RELEARNING)])
        recompute_memory_states(store, Settings(parameters=OTHER), tz=UTC)
        cached = _states(store)
    assert cached == _from_the_log_alone(path, Settings(parameters=OTHER))


def test_another_rollover_hour_or_time_zone_counts_the_days_again(tmp_path):
    from zoneinfo import ZoneInfo

    path = tmp_path / "fc.db"
    with Store(path) as store:
        with store.transaction() as db:
            store.write_card(db, CardRow("a", Schedule(State.REVIEW, None, 1.0, 5.0, T0, T0, 1, 0)))
            store.insert_answers(db, [LoggedAnswer(0, "a", at, 3, 3000, State.REVIEW, State.REVIEW) for at in
                                      (datetime(2025, 3, 1, 23, 30, tzinfo=UTC), datetime(2025, 3, 3, 1, 0, tzinfo=UTC))])
        first = recompute_memory_states(store, Settings(rollover_hour=0), tz=UTC)
        assert first.cards == 1
        before = _states(store)["a"]
        recompute_memory_states(store, Settings(rollover_hour=0), tz=ZoneInfo("Asia/Tokyo"))
        tokyo = _states(store)["a"]
    assert tokyo != before  # 1 study day apart in Tokyo, 2 in UTC
    with Store(path) as store:
        with store.transaction() as db:
            db.execute("DELETE FROM memory_history")
        recompute_memory_states(store, Settings(rollover_hour=0), tz=ZoneInfo("Asia/Tokyo"))
        assert _states(store)["a"] == tokyo


def _many_cards_store(path, count: int = 120) -> None:
    rng = random.Random(11)
    with Store(path) as store, store.transaction() as db:
        for index in range(count):
            card_id = f"card{index:03d}"
            store.write_card(db, CardRow(card_id, Schedule(State.REVIEW, None, 1.0, 5.0, T0, T0, 1, 0)))
            store.insert_answers(db, [_answer(rng, card_id, T0 + timedelta(days=day)) for day in (0, 3, 11)])


@pytest.mark.parametrize("failing", ["writing a later chunk's states", "reading a later chunk's histories"])
def test_a_recomputation_that_fails_partway_changes_nothing_and_leaves_the_store_usable(tmp_path, monkeypatch,
                                                                                        failing):
    """The histories are read a chunk ahead in another thread while states are written: a failure on either
    side (here SQLite refusing one card's row, as a full disk would) reaches the caller, and the transaction
    rolls back whole, no thread left holding the store."""
    import sqlite3
    import threading

    from flashcards.store import memory_log

    path = tmp_path / "fc.db"
    _many_cards_store(path)
    monkeypatch.setattr(memory_log, "CHUNK", 25)  # five chunks: the failure comes after some were written
    with Store(path) as store:
        recompute_memory_states(store, Settings(), tz=UTC)
        before = _states(store)
        with store.transaction() as db:
            if failing.startswith("writing"):
                db.execute("CREATE TRIGGER refuse BEFORE UPDATE OF stability ON schedule WHEN NEW.card_id = "
                           "'card090' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
            else:
                db.execute("DELETE FROM memory_history WHERE card_id >= 'card080'")  # read again from the log
                db.execute("CREATE TRIGGER refuse BEFORE INSERT ON memory_history WHEN NEW.card_id = 'card090' "
                           "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        with pytest.raises(sqlite3.DatabaseError, match="disk is full"):
            recompute_memory_states(store, Settings(parameters=OTHER), tz=UTC)
        assert _states(store) == before
        assert not [thread for thread in threading.enumerate() if thread.name.startswith("flashcards-read-ahead")]
        with store.transaction() as db:
            db.execute("DROP TRIGGER refuse")
        recompute_memory_states(store, Settings(parameters=OTHER), tz=UTC)
        assert _states(store) != before
    assert _states_of(path) == _from_the_log_alone(path, Settings(parameters=OTHER))


def _states_of(path) -> dict:
    with Store(path) as store:
        return _states(store)
