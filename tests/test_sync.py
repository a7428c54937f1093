"""`flashcards sync` against real Anki collections (the `anki` package, Anki desktop's backend): answers given
through Anki's own scheduler and through our Session under a frozen clock; both sides checked field by field."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import one_memory
import pytest
from anki_collections import HOLDER, answer_in_anki, snapshot
from reviewing import Reviewing, write_deck

from flashcards.anki import live_write
from flashcards.anki.live import open_collection, read_our_cards, read_reviews
from flashcards.anki.package_out import note_guid
from flashcards.decks.open_decks import load_through_store
from flashcards.errors import FlashcardsError
from flashcards.model import Rating, State
from flashcards.scheduling.memory_states import recompute_memory_states
from flashcards.store import Store
from flashcards.sync import plan as plan_module
from flashcards.sync import sync_with_anki

pytestmark = pytest.mark.slow  # end to end (real Anki collections on both sides): run by CI, left out of the quick loop

pytest.importorskip("anki")
DAY = timedelta(days=1)


@dataclass
class World:
    """A real Anki profile (FSRS on), a deck file, a real store and a session over it with a frozen clock."""

    profile: Path
    deck: Path
    ids: list[str]
    reviewing: Reviewing

    @property
    def store(self) -> Store:
        return self.reviewing.store

    @property
    def guids(self) -> list[str]:
        return [note_guid(card_id) for card_id in self.ids]

    def sync(self, **options):
        with open_collection(self.profile) as col:
            decks = load_through_store(self.store, [self.deck])
            return sync_with_anki(self.store, col, decks, self.reviewing.settings, now=self.reviewing.clock.now,
                                  tz=UTC, **options)

    def answer_here(self, rating: Rating, expect: str, duration_ms: int = 3000) -> None:
        session = self.reviewing.session()
        shown = session.next_card()
        assert shown is not None and shown.card.id == expect
        session.answer(shown, rating, duration_ms)

    def answer_in_anki(self, card_id: str, rating: int, after, taken_ms: int = 2000) -> None:
        with open_collection(self.profile) as col:
            col.set_config("fsrs", True)
            answer_in_anki(col, note_guid(card_id), rating, self.reviewing.clock.now + after, taken_ms)


@pytest.fixture
def world(tmp_path) -> World:
    from anki.collection import Collection

    profile = tmp_path / "Anki2" / "User 1"
    profile.mkdir(parents=True)
    col = Collection(str(profile / "collection.anki2"))
    col.set_config("fsrs", True)
    col.close()
    deck = tmp_path / "decks" / "stoics.yaml"
    deck.parent.mkdir()
    ids = write_deck(deck, 4, name="stoics")
    store = Store(tmp_path / "store.db")
    yield World(profile, deck, ids, Reviewing(store, [deck]))
    store.close()


def store_dump(store: Store) -> dict:
    tables = ("schedule", "review_log", "deck_cards")
    return {table: store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in tables}


def anki_dump(world: World) -> dict:
    with open_collection(world.profile) as col:
        return snapshot(col)


def assert_one_memory(world: World) -> None:
    """Every card: the same state, due day, interval, memory state, reps, lapses, flags and answers on both sides
    (and no row in Anki's log that is not an answer)."""
    with open_collection(world.profile) as col:
        one_memory.assert_one_memory(col, world.store, world.ids, world.reviewing.settings, world.reviewing.clock.now,
                                     guids=world.guids, every_row=True)


def review_in_both_places(world: World) -> None:
    """Answers in the terminal, a first sync, answers in Anki through its own scheduler, the clock moved on."""
    from anki.scheduler.v3 import CardAnswer

    a, b, c, _ = world.ids
    world.answer_here(Rating.GOOD, a)
    world.reviewing.clock.advance(minutes=10)
    world.answer_here(Rating.GOOD, a)
    world.answer_here(Rating.EASY, b)
    world.reviewing.clock.advance(minutes=5)
    first = world.sync()
    assert (first.notes_added, first.answers_to_anki, first.answers_to_store) == (4, 3, 0)
    with open_collection(world.profile) as col:  # each row's last interval is the interval the one before gave
        card = read_our_cards(col, [world.guids[0]])[world.guids[0]].card_id
        rows = [(r.interval, r.last_interval) for r in read_reviews(col, [card])]
    assert len(rows) == 2 and rows[0][1] == 0 and rows[1][1] == rows[0][0] != 0
    world.answer_in_anki(a, CardAnswer.GOOD, 2 * DAY)  # in the order Anki's queue shows them
    world.answer_in_anki(c, CardAnswer.GOOD, 3 * DAY)
    world.answer_in_anki(b, CardAnswer.AGAIN, 4 * DAY, taken_ms=9000)
    world.reviewing.clock.advance(days=5)


# --- answers both ways, one memory ------------------------------------------------------------------


@pytest.fixture(params=["in one piece", "one card and one answer at a time"])
def pieces(request, monkeypatch):
    """Sync reads cards and answers in pieces and writes Anki's log in pieces (for memory); the outcome must not
    depend on where the pieces end."""
    if request.param != "in one piece":
        monkeypatch.setattr(plan_module, "CHUNK", 1)
        monkeypatch.setattr(live_write, "_REVIEW_CHUNK", 1)
    return request.param


def test_answers_cross_both_ways_and_both_sides_hold_the_same_memory(world, pieces):
    review_in_both_places(world)
    report = world.sync()
    assert (report.notes_added, report.notes_updated) == (0, 0)
    assert (report.answers_to_anki, report.answers_to_store) == (0, 3)
    assert set(report.schedules_moved) == set(world.ids[:3])
    assert_one_memory(world)
    assert world.store.answer_count() == 6
    b = world.store.card(world.ids[1]).schedule
    assert (b.state, b.reps, b.lapses) == (State.RELEARNING, 2, 1)  # Anki's Again on a review card: a lapse


def test_the_stores_memory_states_are_what_fsrs_computes_from_the_merged_history(world):
    review_in_both_places(world)
    world.sync()
    report = recompute_memory_states(world.store, world.reviewing.settings, tz=UTC)
    assert (report.cards, report.changed) == (3, 0)


def test_ankis_answers_come_home_with_rating_time_duration_and_state_before(world):
    review_in_both_places(world)
    world.sync()
    start = world.reviewing.clock.now - 5 * DAY
    got = [(a.card_id, a.reviewed_at, a.rating, a.duration_ms, a.state_before)
           for a in world.store.answers() if a.reviewed_at > start + timedelta(hours=1)]
    a, b, c, _ = world.ids
    assert got == [
        (a, start + 2 * DAY, 3, 2000, State.REVIEW),
        (c, start + 3 * DAY, 3, 2000, State.NEW),
        (b, start + 4 * DAY, 1, 9000, State.REVIEW),
    ]


def test_a_second_sync_with_nothing_new_changes_nothing_on_either_side(world):
    review_in_both_places(world)
    world.sync()
    anki_before, store_before = anki_dump(world), store_dump(world.store)
    report = world.sync()
    assert not report.changed and report.schedules_moved == []
    assert anki_dump(world) == anki_before
    assert store_dump(world.store) == store_before


def test_an_answer_anki_moved_up_a_millisecond_is_still_the_same_answer(world):
    a = world.ids[0]
    world.answer_here(Rating.GOOD, a)
    world.sync()
    with open_collection(world.profile) as col:  # as if Anki had bumped the id on a collision
        col.db.execute("update revlog set id = id + 1")
    assert world.sync().answers_to_anki == 0
    assert world.sync().answers_to_store == 0
    assert world.store.answer_count() == 1


def test_our_answer_at_a_moment_anki_already_used_takes_the_next_free_millisecond(world, pieces):
    from anki.scheduler.v3 import CardAnswer

    a, b = world.ids[:2]
    world.sync()
    world.answer_in_anki(a, CardAnswer.GOOD, timedelta(0))  # Anki's answer on a at the very moment of ours on b
    session = world.reviewing.session()
    session.bury(session.next_card())  # a: buried here, so the terminal shows b
    world.answer_here(Rating.GOOD, b)
    report = world.sync()
    assert (report.answers_to_anki, report.answers_to_store) == (1, 1)
    with open_collection(world.profile) as col:
        ids = sorted(col.db.list("select id from revlog"))
    moment = round(world.reviewing.clock.now.timestamp() * 1000)
    assert ids == [moment, moment + 1]
    assert not world.sync().changed
    assert_one_memory(world)


def test_manual_entries_in_ankis_log_are_not_answers(world):
    world.answer_here(Rating.GOOD, world.ids[0])
    world.sync()
    with open_collection(world.profile) as col:
        card_id = read_our_cards(col, world.guids[:1])[world.guids[0]].card_id
        col.db.execute("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                       "values (?, ?, -1, 0, 5, 1, 0, 0, 4)", 1_700_000_000_000, card_id)
    assert world.sync().answers_to_store == 0


# --- notes ------------------------------------------------------------------------------------------


def test_notes_land_as_the_export_makes_them_and_a_card_gone_from_the_deck_is_left_and_reported(world):
    world.sync()
    write_deck(world.deck, 3, name="stoics", back="edited")  # the fourth card leaves, the others change
    report = world.sync()
    assert (report.notes_added, report.notes_updated) == (0, 3)
    assert report.left_in_anki == [world.guids[3]]
    with open_collection(world.profile) as col:
        assert col.db.scalar("select count() from notes") == 4
        note = col.get_note(read_our_cards(col, world.guids[:1])[world.guids[0]].note_id)
        assert note.fields[1] == "edited 0" and col.decks.name(col.get_card(note.card_ids()[0]).did) == "stoics"


# --- suspended and buried ---------------------------------------------------------------------------


def test_suspending_in_anki_reaches_the_store_and_unsuspending_here_reaches_anki(world):
    a = world.ids[0]
    world.sync()
    with open_collection(world.profile) as col:
        col.sched.suspend_cards([read_our_cards(col, [note_guid(a)])[note_guid(a)].card_id])
    world.sync()
    assert world.store.card(a).suspended
    world.store.unsuspend([str(world.deck.resolve())])
    world.sync()
    assert not world.store.card(a).suspended
    with open_collection(world.profile) as col:
        assert not read_our_cards(col, [note_guid(a)])[note_guid(a)].suspended
    assert_one_memory(world)


def test_a_card_buried_here_is_buried_in_anki_for_today(world):
    session = world.reviewing.session()
    session.bury(session.next_card())
    world.sync()
    with open_collection(world.profile) as col:
        assert read_our_cards(col, world.guids[:1])[world.guids[0]].buried
    assert_one_memory(world)


# --- safety and reporting ---------------------------------------------------------------------------


def test_a_dry_run_reports_what_the_sync_would_do_and_writes_nothing(world):
    review_in_both_places(world)
    anki_before, store_before = anki_dump(world), store_dump(world.store)
    dry = world.sync(dry_run=True)
    assert anki_dump(world) == anki_before and store_dump(world.store) == store_before
    real = world.sync()
    assert dry.dry_run and not real.dry_run
    assert (dry.answers_to_store, dry.schedules_moved) == (real.answers_to_store, real.schedules_moved)


def test_a_failure_inside_ankis_write_leaves_both_sides_as_they_were(world, monkeypatch):
    review_in_both_places(world)
    anki_before, store_before = anki_dump(world), store_dump(world.store)
    calls = []
    real = live_write._write_schedule

    def failing_on_the_real_pass(*args):  # the trial pass succeeds, the real write fails on its second card
        calls.append(1)
        if len(calls) == len(world.ids) + 2:
            raise OSError("disk full")
        return real(*args)

    monkeypatch.setattr(live_write, "_write_schedule", failing_on_the_real_pass)
    with pytest.raises(OSError, match="disk full"):
        world.sync()
    assert anki_dump(world) == anki_before
    assert store_dump(world.store) == store_before
    monkeypatch.undo()
    assert world.sync().answers_to_store == 3  # nothing was lost: the next sync does it all


def test_a_failure_in_the_stores_write_happens_before_anki_is_touched(world, monkeypatch):
    review_in_both_places(world)
    anki_before, store_before = anki_dump(world), store_dump(world.store)

    def broken(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(world.store, "write_cards", broken)
    with pytest.raises(sqlite3.OperationalError):
        world.sync()
    assert anki_dump(world) == anki_before
    assert store_dump(world.store) == store_before


class _CommitFails:
    """The store's connection, except that COMMIT fails (as on a full disk)."""

    def __init__(self, db):
        self._db = db

    def execute(self, sql, *args):
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._db, name)


def test_when_the_store_cannot_commit_after_anki_did_the_message_says_so_and_a_rerun_completes(world, monkeypatch):
    review_in_both_places(world)
    store_before = store_dump(world.store)
    real_db = world.store.db
    monkeypatch.setattr(world.store, "db", _CommitFails(real_db))
    with pytest.raises(FlashcardsError, match=r"Anki was updated .* run sync again to complete it"):
        world.sync()
    monkeypatch.setattr(world.store, "db", real_db)
    assert store_dump(world.store) == store_before
    report = world.sync()
    assert (report.answers_to_anki, report.answers_to_store) == (0, 3)
    assert_one_memory(world)
    assert not world.sync().changed


def test_both_sides_are_backed_up_before_a_write(world):
    world.answer_here(Rating.GOOD, world.ids[0])
    report = world.sync()
    assert Path(report.anki_backup).is_file() and report.anki_backup.endswith(".colpkg")
    copy = sqlite3.connect(report.store_backup)
    assert copy.execute("select count(*) from review_log").fetchone()[0] == 1
    copy.close()


def test_sync_refuses_while_anki_holds_the_collection_and_leaves_both_sides_alone(world, cli, tmp_path):
    world.answer_here(Rating.GOOD, world.ids[0])
    world.store.close()
    collection = world.profile / "collection.anki2"
    store_bytes = (tmp_path / "store.db").read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(collection)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        anki_files = {file.name: file.read_bytes() for file in world.profile.iterdir() if file.is_file()}
        result = cli("sync", str(world.deck), "--anki", str(world.profile), "--db", str(tmp_path / "store.db"))
        assert result.code == 1
        assert result.stderr.strip() == f"error: {collection}: Anki already has this collection open; close Anki first"
        assert {file.name: file.read_bytes() for file in world.profile.iterdir() if file.is_file()} == anki_files
        assert (tmp_path / "store.db").read_bytes() == store_bytes
    finally:
        holder.communicate("\n", timeout=30)
    world.reviewing.store = Store(tmp_path / "store.db")


def test_the_command_reports_in_words_and_as_json(world, cli, tmp_path):
    world.answer_here(Rating.GOOD, world.ids[0])
    world.store.close()
    args = ("sync", str(world.deck), "--anki", str(world.profile), "--db", str(tmp_path / "store.db"))
    dry = cli(*args, "--dry-run")
    assert dry.code == 0 and "notes: 4 added, 0 updated in Anki" in dry.stdout and "Nothing was written" in dry.stdout
    result = cli(*args, "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["notes_added"], data["answers_to_anki"], data["answers_to_store"], data["dry_run"]) == (4, 1, 0, False)
    again = cli(*args)
    assert "Nothing to do: both sides already agree." in again.stdout
    world.reviewing.store = Store(tmp_path / "store.db")


def test_decks_synced_under_a_parent_move_there_and_a_second_sync_changes_nothing(world):
    assert world.sync().notes_added == 4  # first without a parent: a top-level deck
    before = anki_dump(world)
    with pytest.raises(FlashcardsError, match=r"4 cards would move to other decks in Anki \(stoics -> Books::stoics"
                                              r" \(4 cards\)\).*add --move-decks to move them; nothing was written"):
        world.sync(parent="Books")  # a parent of its own moves decks only when asked to
    assert anki_dump(world) == before
    moved = world.sync(parent="Books", move_decks=True)
    assert (moved.notes_added, moved.notes_updated, moved.left_in_anki) == (0, 4, [])
    assert moved.deck_moves == [{"from": "stoics", "to": "Books::stoics", "cards": 4}]
    with open_collection(world.profile) as col:
        assert len(col.find_cards('deck:"Books::stoics"')) == 4
        assert not col.find_cards('deck:"stoics"')  # moved, not copied
    world.answer_here(Rating.GOOD, world.ids[0])
    second = world.sync(parent="Books")
    assert (second.notes_added, second.notes_updated, second.answers_to_anki) == (0, 0, 1)
    assert not world.sync(parent="Books").changed
    assert_one_memory(world)


def test_answer_counts_after_a_sync_are_what_the_merged_log_says_on_both_sides(world, cli, tmp_path):
    """A count that disagrees with the log (an import-anki before this fix kept Anki's reps, which lacked the
    answers given here) is made right by the next sync, in the store and in Anki, and `check` finds it sound."""
    from anki.scheduler.v3 import CardAnswer

    a, b = world.ids[:2]
    world.answer_here(Rating.GOOD, a)
    world.answer_here(Rating.GOOD, b)
    world.sync()
    world.store.db.execute("UPDATE schedule SET reps = 7, lapses = 2 WHERE card_id IN (?, ?)", (a, b))
    world.answer_in_anki(b, CardAnswer.GOOD, 2 * DAY)
    world.reviewing.clock.advance(days=3)
    report = world.sync()
    assert report.answers_to_store == 1 and set(report.schedules_moved) >= {a, b}
    for card_id, answers in ((a, 1), (b, 2)):
        assert (world.store.card(card_id).schedule.reps, world.store.card(card_id).schedule.lapses) == (answers, 0)
    assert_one_memory(world)
    world.store.close()
    assert cli("check", "--db", str(tmp_path / "store.db")).code == 0
    world.reviewing.store = Store(tmp_path / "store.db")
