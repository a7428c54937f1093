"""A sync plans only what changed since the last one (sync/changes.py), and that plan's writes are the full plan's.

The reference: before each sync, both sides are copied and the copy is synced with the full plan (every card);
the incremental sync of the original must leave Anki and the store exactly as the full plan left the copy (every
row that means something: notes, cards, review log; schedules, answers, agreed flags) and say the same. Random
histories change both sides between syncs: answers here and in Anki, flags on either side, deck files edited,
grown and cut, notes edited and cards moved in Anki, an AnkiWeb sync (usns), a phone's answer pulled with an old
modification time, a change stamped in the very second the last sync ended, raw SQL in Anki's log, an undo here,
days passing. Real Anki collections throughout (the `anki` package).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from reviewing import Reviewing

from flashcards.anki import live_read, live_write
from flashcards.anki.live import open_collection
from flashcards.anki.package_out import note_guid
from flashcards.clock import from_ms
from flashcards.decks.deckfile.writer import save_deck
from flashcards.decks.open_decks import load_through_store
from flashcards.model import Card, Deck, Rating, card_id
from flashcards.settings import Settings
from flashcards.store import Store
from flashcards.sync import changes as changes_module
from flashcards.sync import plan as plan_module
from flashcards.sync import run as run_module
from flashcards.sync import sync_with_anki

pytestmark = pytest.mark.slow  # end to end (real Anki collections, randomized rounds): run by CI, left out of the quick loop

pytest.importorskip("anki")


@dataclass
class Deckfile:
    """A deck file whose cards the test edits one by one."""

    path: Path
    name: str
    backs: dict[int, str] = field(default_factory=dict)  # card number -> its back

    def card(self, number: int) -> Card:
        front = f"passage {self.name} {number}"
        return Card(card_id(front), front, self.backs[number])

    @property
    def ids(self) -> list[str]:
        return [self.card(number).id for number in self.backs]

    def save(self) -> None:
        save_deck(Deck(self.name, [self.card(number) for number in sorted(self.backs)]), self.path)


@dataclass
class World:
    tmp: Path
    profile: Path
    decks: list[Deckfile]
    reviewing: Reviewing
    plans: list = field(default_factory=list)  # every plan made, in order
    full: bool = False  # the spy makes the full plan
    copies: int = 0

    @property
    def store(self) -> Store:
        return self.reviewing.store

    def sync(self, store: Store | None = None, profile: Path | None = None, **options):
        store = store or self.store
        with open_collection(profile or self.profile) as col:
            decks = load_through_store(store, [deck.path for deck in self.decks])
            return sync_with_anki(store, col, decks, self.reviewing.settings, now=self.reviewing.clock.now, tz=UTC,
                                  **options)

    def sync_checked(self) -> object:
        """Sync incrementally, and check the outcome against the full plan's on a copy of both sides."""
        self.copies += 1
        copy = self.tmp / f"copy-{self.copies}"
        profile = copy / "User 1"
        profile.mkdir(parents=True)
        for file in self.profile.glob("collection.anki2*"):
            shutil.copy2(file, profile / file.name)
        with sqlite3.connect(copy / "store.db") as target:
            self.store.db.backup(target)
        reference = Store(copy / "store.db")
        try:
            self.full = True
            expected = self.sync(reference, profile)
            assert not self.plans[-1].incremental
            self.full = False
            got = self.sync()
            assert report_of(got) == report_of(expected)
            assert store_state(self.store) == store_state(reference)
            with open_collection(self.profile) as col, open_collection(profile) as other:
                assert anki_state(col) == anki_state(other)
        finally:
            self.full = False
            reference.close()
        return got

    def anki(self):
        return open_collection(self.profile)


def report_of(report) -> dict:
    data = report.to_dict()
    for key in ("collection", "anki_backup", "store_backup"):
        data.pop(key)
    return data


def store_state(store: Store) -> dict:
    tables = {"schedule": "card_id", "review_log": "id", "anki_notes": "card_id"}
    state = {table: store.db.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
             for table, key in tables.items()}
    state["sync_flags"] = (store.db.execute("SELECT * FROM sync_flags ORDER BY card_id").fetchall()
                           if store.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_flags'").fetchone()
                           else [])
    return state


def anki_state(col) -> dict:
    """Every row a sync writes, by what it means (note GUIDs, deck names; not the ids and times Anki stamps)."""
    guid_of = dict(col.db.all("select id, guid from notes"))
    note_of = dict(col.db.all("select id, nid from cards"))
    deck = dict(col.db.all("select id, name from decks"))
    deck[0] = None
    return {
        "notes": sorted(tuple(row) for row in col.db.all("select guid, mid, tags, flds, flags, data from notes")),
        "cards": sorted((guid_of[row[0]], deck.get(row[1]), deck.get(row[2]), *row[3:]) for row in col.db.all(
            "select nid, did, odid, ord, type, queue, due, ivl, factor, reps, lapses, left, odue, flags, data "
            "from cards")),
        "revlog": sorted((row[0], guid_of.get(note_of.get(row[1]), row[1]), *row[2:]) for row in col.db.all(
            "select id, cid, ease, ivl, lastIvl, factor, time, type from revlog")),
        "decks": sorted(name for name in deck.values() if name),
    }


@pytest.fixture
def world(tmp_path, monkeypatch) -> World:
    from anki.collection import Collection

    profile = tmp_path / "Anki2" / "User 1"
    profile.mkdir(parents=True)
    col = Collection(str(profile / "collection.anki2"))
    col.set_config("fsrs", True)
    col.close()
    folder = tmp_path / "decks"
    folder.mkdir()
    decks = [Deckfile(folder / "stoics.yaml", "stoics", {n: f"commentary {n}" for n in range(5)}),
             Deckfile(folder / "poets.yaml", "poets", {n: f"verse {n}" for n in range(3)})]
    for deck in decks:
        deck.save()
    store = Store(tmp_path / "store.db")
    made = World(tmp_path, profile, decks, Reviewing(store, [deck.path for deck in decks],
                                                     settings=Settings(fuzz=False, new_per_day=100)))
    real = run_module.plan_sync

    def spy(*args, **kwargs):
        plan = real(*args, **kwargs, full=made.full)
        made.plans.append(plan)
        return plan

    monkeypatch.setattr(run_module, "plan_sync", spy)
    yield made
    store.close()


# --- what changes between syncs ------------------------------------------------------------------------------


def answer_here(world: World, rng: random.Random) -> None:
    session = world.reviewing.session()
    for _ in range(rng.randint(1, 3)):
        shown = session.next_card()
        if shown is None:
            return
        session.answer(shown, rng.choice(list(Rating)), rng.randint(1000, 9000))
        world.reviewing.clock.advance(seconds=rng.randint(5, 90))


def answer_in_anki(world: World, rng: random.Random, backdated: bool = False) -> None:
    """An answer in Anki, as a person gives it: after every answer given so far (the world's clock is the time;
    `backdated`: between earlier ones, as only another program's clock or a test does)."""
    from anki.cards import Card as AnkiCardObject
    from anki.scheduler.v3 import CardAnswer

    clock = world.reviewing.clock
    with world.anki() as col:
        col.set_config("fsrs", True)
        deck = rng.choice(world.decks)
        deck_id = col.decks.id_for_name(deck.name) or col.decks.id_for_name(f"flashcards::{deck.name}")
        if not deck_id:
            return
        col.decks.select(deck_id)
        queued = col.sched.get_queued_cards(fetch_limit=20).cards
        if not queued:
            return
        chosen = queued[0]  # Anki answers the top of its queue only
        card = AnkiCardObject(col, backend_card=chosen.card)
        card.start_timer()
        rating = rng.choice([CardAnswer.AGAIN, CardAnswer.HARD, CardAnswer.GOOD, CardAnswer.EASY])
        answer = col.sched.build_answer(card=card, states=chosen.states, rating=rating)
        at = round((clock.now + timedelta(minutes=rng.randint(1, 30))).timestamp() * 1000)
        if backdated:
            at -= rng.randint(1, 3) * 3_600_000
        else:
            at = max(at, (col.db.scalar("select max(id) from revlog") or 0) + 1000)
            clock.now = from_ms(at) + timedelta(minutes=1)
        answer.answered_at_millis = at
        answer.milliseconds_taken = rng.randint(1000, 9000)
        col.sched.answer_card(answer)


def answer_backdated_in_anki(world: World, rng: random.Random) -> None:
    answer_in_anki(world, rng, backdated=True)


def _some_anki_card(col, world: World, rng: random.Random) -> int | None:
    ids = [note_guid(card) for deck in world.decks for card in deck.ids]
    cards = col.db.all("select c.id, n.guid from cards c join notes n on n.id = c.nid")
    ours = [card for card, guid in cards if guid in ids]
    return rng.choice(ours) if ours else None


def flag_in_anki(world: World, rng: random.Random) -> None:
    with world.anki() as col:
        card = _some_anki_card(col, world, rng)
        if card is None:
            return
        action = rng.choice(["suspend", "unsuspend", "bury"])
        if action == "suspend":
            col.sched.suspend_cards([card])
        elif action == "unsuspend":
            col.sched.unsuspend_cards([card])
        else:
            col.sched.bury_cards([card], manual=True)


def flag_here(world: World, rng: random.Random) -> None:
    session = world.reviewing.session()
    shown = session.next_card()
    if rng.random() < 0.3:
        world.store.unsuspend([str(deck.path.resolve()) for deck in world.decks])
    elif shown is not None:
        (session.bury if rng.random() < 0.5 else session.suspend)(shown)


def edit_decks(world: World, rng: random.Random) -> None:
    deck = rng.choice(world.decks)
    roll = rng.random()
    if roll < 0.4 and deck.backs:
        number = rng.choice(list(deck.backs))
        deck.backs[number] = f"edited {rng.random():.6f}"
    elif roll < 0.7:
        deck.backs[max(deck.backs, default=-1) + 1] = "a new card"
    elif len(deck.backs) > 1:
        del deck.backs[rng.choice(list(deck.backs))]
    deck.save()


def edit_in_anki(world: World, rng: random.Random) -> None:
    with world.anki() as col:
        card = _some_anki_card(col, world, rng)
        if card is None:
            return
        if rng.random() < 0.5:
            note = col.get_note(col.get_card(card).nid)
            note.fields[1] = f"edited in Anki {rng.random():.6f}"
            col.update_note(note)
        else:
            col.set_deck([card], col.decks.id("Elsewhere", create=True))


def _stamp_pending(col, old_mod: bool = False) -> None:
    """What a normal AnkiWeb sync leaves: the pending rows carry the server's usn (the collection's), which then
    moves past it; `old_mod`: the rows were changed on a phone, before the last sync of ours ended."""
    usn = col.db.scalar("select usn from col")
    if old_mod:
        col.db.execute("update cards set mod = 1700000000 where usn = -1")
    for table in ("cards", "notes", "revlog"):
        col.db.execute(f"update {table} set usn = ? where usn = -1", usn)
    col.db.execute("update col set usn = ?", usn + 1)


def ankiweb_sync(world: World, rng: random.Random) -> None:
    """An AnkiWeb sync: sometimes with changes made here first (sent up with ours), sometimes followed by a
    phone's changes pulled in, made (so modified) before the last sync of ours ended: an answer, a flag."""
    if rng.random() < 0.4:
        answer_in_anki(world, rng)
    with world.anki() as col:
        _stamp_pending(col)
    if rng.random() < 0.6:
        answer_in_anki(world, rng, backdated=True)
        with world.anki() as col:
            other = _some_anki_card(col, world, rng)
            if other is not None:
                col.sched.suspend_cards([other])
            _stamp_pending(col, old_mod=True)


def phone_synced_first(world: World, rng: random.Random) -> None:
    """An AnkiWeb sync in which a phone's changes (made before our last sync ended) had reached the server first:
    they come down with the usn ours would have had, and ours go up with the next."""
    answer_in_anki(world, rng, backdated=True)
    with world.anki() as col:
        answered = col.db.scalar("select cid from revlog where usn = -1 order by id desc limit 1")
        other = _some_anki_card(col, world, rng)
        if other is not None:
            col.sched.suspend_cards([other])
        usn = col.db.scalar("select usn from col")
        col.db.execute("update cards set mod = 1700000000, usn = ? where id in (?, ?)", usn, answered, other)
        col.db.execute("update revlog set usn = ? where usn = -1 and cid = ?", usn, answered)
        for table in ("cards", "notes", "revlog"):
            col.db.execute(f"update {table} set usn = ? where usn = -1", usn + 1)
        col.db.execute("update col set usn = ?", usn + 2)


def same_second(world: World, rng: random.Random) -> None:
    """A change stamped with the very second the last sync's mark was taken, on a card that sync wrote then."""
    import json

    state = world.store.db.execute("SELECT state FROM sync_marks").fetchone()
    edge = [row[0] for row in world.store.db.execute("SELECT id FROM sync_edge WHERE kind = 'cards'")]
    if state is None or not edge:
        return
    second = json.loads(state[0])["anki"]["second"]
    with world.anki() as col:
        card = rng.choice(edge)
        if col.db.scalar("select queue from cards where id = ?", card) == -1:
            col.sched.unsuspend_cards([card])
        else:
            col.sched.suspend_cards([card])
        col.db.execute("update cards set mod = ? where id = ?", second, card)


def raw_sql_in_anki(world: World, rng: random.Random) -> None:
    with world.anki() as col:
        if rng.random() < 0.5:
            col.db.execute("update revlog set id = id + 1 where id = (select max(id) from revlog)")
        else:
            card = _some_anki_card(col, world, rng)
            if card is not None:
                col.db.execute("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                               "values (?, ?, -1, 0, 5, 1, 0, 0, 4)", 1_700_000_000_000 + rng.randint(0, 10**6), card)


def undo_here(world: World, rng: random.Random) -> None:
    session = world.reviewing.session()
    shown = session.next_card()
    if shown is not None:
        session.answer(shown, Rating.GOOD, 2000)
        session.undo()


def miscount_here(world: World, rng: random.Random) -> None:
    ids = [card for deck in world.decks for card in deck.ids]
    with world.store.transaction() as db:
        db.execute("UPDATE schedule SET reps = reps + 2 WHERE card_id = ?", (rng.choice(ids),))


def days_pass(world: World, rng: random.Random) -> None:
    world.reviewing.clock.advance(hours=rng.choice([0.5, 6, 26, 75]))


ACTIONS = [answer_here, answer_here, answer_in_anki, answer_in_anki, answer_backdated_in_anki, flag_in_anki, flag_here, edit_decks,
           edit_in_anki, ankiweb_sync, phone_synced_first, same_second, raw_sql_in_anki, undo_here, miscount_here, days_pass, days_pass]


def run_history(world: World, seed: int, steps: int) -> None:
    rng = random.Random(seed)
    world.sync_checked()  # the first sync: full on both
    for _ in range(steps):
        for action in rng.sample(ACTIONS, rng.randint(1, 3)):
            action(world, rng)
        world.sync_checked()
        assert not world.sync().changed  # and then nothing is left to do
    assert sum(plan.incremental for plan in world.plans) >= steps  # most planned only what changed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_incremental_plan_writes_what_the_full_plan_writes_over_random_histories(world, seed):
    run_history(world, seed, 10)


def test_the_same_with_every_chunk_one_card_or_one_row(world, monkeypatch):
    monkeypatch.setattr(plan_module, "CHUNK", 1)
    monkeypatch.setattr(live_write, "_REVIEW_CHUNK", 1)
    monkeypatch.setattr(live_read, "CHUNK", 1)
    from flashcards.anki import live_changes

    monkeypatch.setattr(live_changes, "CHUNK", 1)
    run_history(world, 4, 6)


# --- what is read -------------------------------------------------------------------------------------------


def _refuse(*_args, **_kwargs):
    raise AssertionError("read more than the checks")


def test_a_sync_with_nothing_new_reads_nothing_but_the_checks_and_writes_nothing(world, monkeypatch):
    answer_here(world, random.Random(5))
    world.sync()
    answer_in_anki(world, random.Random(6))
    world.sync()
    store_before = store_state(world.store)
    marks_before = world.store.db.execute("SELECT * FROM sync_marks").fetchall()
    for name in ("our_notes", "read_reviews", "anki_card", "their_notes", "our_guids_in_decks"):
        monkeypatch.setattr(plan_module, name, _refuse)
    monkeypatch.setattr(live_write, "note_cards", _refuse)
    monkeypatch.setattr(changes_module, "note_cards", _refuse)
    monkeypatch.setattr(world.store, "cards", _refuse)
    report = world.sync()
    assert not report.changed
    plan = world.plans[-1]
    assert plan.incremental and plan.mark.unchanged and not plan.schedules and not plan.notes
    assert store_state(world.store) == store_before
    assert world.store.db.execute("SELECT * FROM sync_marks").fetchall() == marks_before


def test_after_answers_on_both_sides_only_those_cards_are_planned(world):
    world.sync()
    world.sync()
    session = world.reviewing.session()
    shown = session.next_card()
    session.answer(shown, Rating.GOOD, 3000)
    answered_here = shown.card.id
    answer_in_anki(world, random.Random(1))
    with world.anki() as col:
        answered_there = col.db.scalar("select n.guid from revlog r join cards c on c.id = r.cid "
                                       "join notes n on n.id = c.nid order by r.id desc limit 1")
    world.reviewing.clock.advance(days=1)
    report = world.sync_checked()
    plan = world.plans[-1]
    assert plan.incremental
    assert set(plan.card_of.values()) == {answered_here} | {card for deck in world.decks for card in deck.ids
                                                            if note_guid(card) == answered_there}
    assert report.answers_to_anki >= 1 and report.answers_to_store == 1


def test_a_one_card_edit_compares_that_note_alone(world):
    world.sync()
    deck = world.decks[0]
    deck.backs[2] = "a better commentary"
    deck.save()
    report = world.sync_checked()
    plan = world.plans[-1]
    assert plan.incremental and [note.guid for note in plan.notes] == [note_guid(deck.card(2).id)]
    assert report.notes_updated == 1


# --- what falls back to the full plan -----------------------------------------------------------------------


def test_a_collection_replaced_or_fully_synced_is_planned_whole(world):
    world.sync()
    shutil.copy2(world.profile / "collection.anki2", world.tmp / "saved.anki2")
    answer_in_anki(world, random.Random(3))
    world.sync()
    (world.profile / "collection.anki2").unlink()
    shutil.copy2(world.tmp / "saved.anki2", world.profile / "collection.anki2")  # a backup restored: another file
    world.sync_checked()
    assert not world.plans[-1].incremental
    with world.anki() as col:  # a full upload to AnkiWeb sets the schema time
        col.db.execute("update col set scm = scm + 1000")
    world.sync_checked()
    assert not world.plans[-1].incremental
    world.sync()
    assert world.plans[-1].incremental


def test_other_settings_or_an_undone_answer_that_had_been_synced_are_planned_whole(world):
    session = world.reviewing.session()
    session.answer(session.next_card(), Rating.GOOD, 2000)
    world.sync()
    session.undo()  # the answer Anki has now is gone here: it comes home again, as the full plan does
    world.sync_checked()
    assert not world.plans[-1].incremental
    world.reviewing.settings.desired_retention = 0.85
    world.sync_checked()
    assert not world.plans[-1].incremental


def test_a_burial_that_ended_with_the_day_is_lifted_on_both_sides(world):
    world.sync()
    session = world.reviewing.session()
    session.bury(session.next_card())
    world.sync_checked()
    world.reviewing.clock.advance(days=1)
    world.sync_checked()
    assert world.plans[-1].incremental
    with world.anki() as col:
        assert col.db.scalar("select count() from cards where queue in (-2, -3)") == 0


def test_cards_that_leave_the_decks_or_move_in_anki_are_reported_left_as_the_full_plan_reports_them(world):
    world.sync()
    deck = world.decks[0]
    gone = deck.card(4)
    del deck.backs[4]
    deck.save()
    assert world.sync_checked().left_in_anki == [note_guid(gone.id)]
    assert world.plans[-1].incremental
    with world.anki() as col:
        card = col.db.scalar("select c.id from cards c join notes n on n.id = c.nid where n.guid = ?",
                             note_guid(gone.id))
        col.set_deck([card], col.decks.id("Elsewhere", create=True))
    assert world.sync_checked().left_in_anki == []
    with world.anki() as col:
        col.set_deck([card], col.decks.id_for_name("flashcards::poets"))
    assert world.sync_checked().left_in_anki == [note_guid(gone.id)]
    deck.backs[4] = "back again"
    deck.save()
    report = world.sync_checked()
    assert (report.left_in_anki, report.notes_added, report.notes_updated) == ([], 0, 1)
    assert all(plan.incremental for plan in world.plans[-7::2])


def test_an_answer_dated_too_far_ahead_comes_home_once_its_day_has_come(world):
    world.sync()
    with world.anki() as col:
        col.set_config("fsrs", True)
    answer_in_anki(world, random.Random(2), backdated=True)  # then moved two days ahead of the clock
    with world.anki() as col:
        col.db.execute("update revlog set id = id + ? where id = (select max(id) from revlog)", 2 * 86_400_000 + 3_600_000 * 4)
    assert world.sync_checked().answers_to_store == 0  # no answer yet: a day ahead of the clock at most
    world.reviewing.clock.advance(days=3)
    assert world.sync_checked().answers_to_store == 1
    assert world.plans[-1].incremental


def test_a_learning_card_anki_keeps_by_day_is_rewritten_once_its_day_has_come(world, monkeypatch):
    """A learning card due after Anki's day cutoff is written as due that day; once the cutoff has passed its due,
    the full plan writes it due at its moment (Anki's intraday queue): so does the incremental one."""
    from anki.scheduler.v3 import Scheduler

    from flashcards.model import CardRow, Schedule, State

    world.sync()
    with world.anki() as col:
        cutoff, today = col.sched.day_cutoff, col.sched.today
    card = world.decks[0].ids[0]
    row = world.store.card(card)
    due = from_ms((cutoff + 3600) * 1000)
    with world.store.transaction() as db:
        world.store.write_card(db, CardRow(card, Schedule(State.LEARNING, 1, 3.0, 5.0, due,
                                                          world.reviewing.clock.now, 0, 0), row.suspended))
    world.sync_checked()
    with world.anki() as col:
        assert col.db.scalar("select queue from cards c join notes n on n.id = c.nid where n.guid = ?",
                             note_guid(card)) == 3
    monkeypatch.setattr(Scheduler, "day_cutoff", property(lambda self: cutoff + 2 * 86_400))
    monkeypatch.setattr(Scheduler, "today", property(lambda self: today + 2))
    world.sync_checked()
    assert world.plans[-1].incremental
    with world.anki() as col:
        assert col.db.scalar("select queue from cards c join notes n on n.id = c.nid where n.guid = ?",
                             note_guid(card)) == 1


# --- through a sync server: the push that follows a merge (sync --web) --------------------------------------


def test_after_a_push_to_the_sync_server_the_next_sync_reads_only_what_came_in(world, tmp_path):
    """sync --web's steps by hand against Anki's own sync server: a merge, a full upload to a server with nothing,
    then pulls, merges and pushes. The rows a push only stamped with the server's usn are not read again (the
    full upload, and a normal sync sending exactly what the merge left pending); a phone's answer pulled in is."""
    from sync_server import Phone, SyncServer, password_of

    from flashcards.anki import web

    server = SyncServer(tmp_path / "server", users=1).start()
    phone = None
    try:
        key = web.login("user", password_of(1), server.url)

        def merge(col):
            decks = load_through_store(world.store, [deck.path for deck in world.decks])
            return sync_with_anki(world.store, col, decks, world.reviewing.settings, now=world.reviewing.clock.now,
                                  tz=UTC)

        answer_here(world, random.Random(7))
        with world.anki() as col:
            merge(col)
            pulled = web.sync(col, key, server.url)
            assert pulled.full and pulled.server_empty
            web.full_upload(col, key, server.url)
        phone = Phone(tmp_path / "phone" / "collection.anki2", server, "user", password_of(1))
        assert phone.sync() == "download"
        card = world.decks[1].ids[0]
        phone.answer(note_guid(card), 3, world.reviewing.clock.now + timedelta(hours=1))
        assert phone.sync() == "normal"
        world.reviewing.clock.advance(hours=2)
        with world.anki() as col:
            assert not web.sync(col, key, server.url).full  # the pull
            assert merge(col).answers_to_store == 1
            plan = world.plans[-1]
            assert plan.incremental and set(plan.card_of.values()) == {card}  # the full upload: nothing read again
        answer_here(world, random.Random(8))
        with world.anki() as col:
            assert merge(col).answers_to_anki >= 1
            assert not web.sync(col, key, server.url).full  # the push
        with world.anki() as col:
            assert not web.sync(col, key, server.url).full
            assert not merge(col).changed
            assert world.plans[-1].incremental and world.plans[-1].mark.unchanged  # what the push sent: not read
        phone.sync()
        answered = _answer_top(phone.col, world.reviewing.clock.now + timedelta(hours=1))
        phone.sync()
        world.reviewing.clock.advance(hours=2)
        with world.anki() as col:
            web.sync(col, key, server.url)
        assert world.sync_checked().answers_to_store == 1
        assert world.plans[-1].incremental
        assert [note_guid(card) for card in world.plans[-1].card_of.values()] == [answered]
    finally:
        if phone is not None:
            phone.close()
        server.stop()


def _answer_top(col, at) -> str:
    """Answer the card on top of Anki's queue (Good) at `at`; its note's GUID."""
    from anki.cards import Card as AnkiCardObject
    from anki.scheduler.v3 import CardAnswer

    queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
    card = AnkiCardObject(col, backend_card=queued.card)
    card.start_timer()
    answer = col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD)
    answer.answered_at_millis = round(at.timestamp() * 1000)
    answer.milliseconds_taken = 2000
    col.sched.answer_card(answer)
    return col.get_note(card.nid).guid
