"""`flashcards sync` when things go wrong, with real Anki collections (the `anki` package) and real processes: a
sync killed at any moment is completed by the next one, answers once on each side; the collection stays locked
for the whole of a sync's write; a damaged collection and a full disk are one line each, nothing written.

Why a sync after a kill used to fail once: Anki's backup (`create_backup`) reads the collection file through a
descriptor of its own and closes it, and on POSIX closing any descriptor on a file drops every fcntl lock the
process holds on it, SQLite's exclusive lock on the collection included. From the backup on, the sync wrote an
unlocked collection; a second process opening it then ("the next sync", started while the killed one had not
quite let go, as a process killed inside a write or fsync does not until the call returns) read it half-written:
"DBError ... DatabaseCorrupt ... database disk image is malformed". And a process killed before its backup still
held the lock for that moment: "Anki already has this collection open".
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from anki_collections import answer_in_anki, snapshot
from reviewing import Reviewing, write_deck

from conftest import Result, corrupt, fill, run_cli
from flashcards.anki.live import open_collection, write_changes
from flashcards.anki.live_model import NoteWrite
from flashcards.model import Rating
from flashcards.settings import Settings, save_settings, settings_path
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end (syncs killed in child processes): run by CI, left out of the quick loop

pytest.importorskip("anki")

TRIALS = int(os.environ.get("FLASHCARDS_SYNC_KILL_TRIALS", "6"))
CARDS = 300

# `flashcards sync` in a process of its own, its imports done, started when a line arrives on stdin: so that a
# kill lands in the sync, not in Python's start-up
READY_SYNC = textwrap.dedent("""
    import sys
    import anki.collection
    import flashcards.commands.sync, flashcards.sync
    from flashcards.cli import main
    print("ready", flush=True)
    sys.stdin.readline()
    main(sys.argv[1:])
""")

# opens the collection the way Anki desktop does; prints what happened
OPEN_IT = textwrap.dedent("""
    import sys
    from anki.collection import Collection
    try:
        Collection(sys.argv[1]).close()
        print("opened")
    except Exception as error:
        print("refused:", error)
""")


@dataclass
class World:
    """A real Anki profile (FSRS on), a deck of CARDS cards, a store with its settings, a session over it."""

    root: Path
    profile: Path
    deck: Path
    db: Path
    reviewing: Reviewing
    given: int = 0  # answers given so far, on either side
    env: dict = field(default_factory=dict)

    @property
    def collection(self) -> Path:
        return self.profile / "collection.anki2"

    @property
    def sync_args(self) -> list[str]:
        return ["sync", str(self.deck), "--anki", str(self.profile), "--db", str(self.db)]

    def answer_here(self, count: int) -> None:
        session = self.reviewing.session()
        for _ in range(count):
            shown = session.next_card()
            assert shown is not None
            session.answer(shown, Rating.GOOD, 2000)
            self.given += 1

    def answer_in_anki(self) -> None:
        """Answer the first card Anki's queue shows, through Anki's scheduler, an hour after the store's clock."""
        from anki.scheduler.v3 import CardAnswer

        with open_collection(self.profile) as col:
            col.decks.select(col.decks.id_for_name("stoics"))
            queued = col.sched.get_queued_cards(fetch_limit=1).cards
            assert queued, "Anki shows no card"
            guid = col.get_note(queued[0].card.note_id).guid
            answer_in_anki(col, guid, CardAnswer.GOOD, self.reviewing.clock.now + timedelta(hours=1), 1500)
        self.given += 1

    def sync(self, *args: str):
        return run_cli(*self.sync_args, *args, cwd=self.root, env=self.env)


def make_world(root: Path, cards: int = CARDS, store_folder: Path | None = None) -> World:
    from anki.collection import Collection

    profile = root / "Anki2" / "User 1"
    profile.mkdir(parents=True)
    col = Collection(str(profile / "collection.anki2"))
    col.set_config("fsrs", True)
    col.close()
    deck = root / "decks" / "stoics.yaml"
    deck.parent.mkdir()
    write_deck(deck, cards, name="stoics")
    db = (store_folder or root) / "store.db"
    settings = Settings(fuzz=False, new_per_day=10_000)
    save_settings(settings, settings_path(db))
    return World(root, profile, deck, db, Reviewing(Store(db), [deck], settings=settings))


def every_answer_once(world: World) -> None:
    """Both sides hold every answer given, each once, card by card, and both files pass their integrity check."""
    from flashcards.anki.live import read_our_cards, read_reviews
    from flashcards.anki.package_out import note_guid

    store = world.reviewing.store
    assert store.answer_count() == world.given
    ours: dict[str, list[int]] = {}
    for answer in store.answers():
        ours.setdefault(answer.card_id, []).append(round(answer.reviewed_at.timestamp() * 1000))
    with open_collection(world.profile) as col:
        assert col.db.scalar("pragma integrity_check") == "ok"
        cards = read_our_cards(col, [note_guid(card_id) for card_id in ours])
        by_anki_card = {card.card_id: card_id for card_id, card in
                        ((card_id, cards[note_guid(card_id)]) for card_id in ours)}
        theirs: dict[str, list[int]] = {}
        for review in read_reviews(col, list(by_anki_card)):
            if review.ease:
                theirs.setdefault(by_anki_card[review.card_id], []).append(review.id)
        assert col.db.scalar("select count() from revlog where ease > 0") == world.given
    assert sorted(ours) == sorted(theirs)
    for card_id, moments in ours.items():
        assert len(moments) == len(theirs[card_id]), card_id
        assert all(0 <= t - o < 1000 for o, t in zip(sorted(moments), sorted(theirs[card_id]), strict=True))
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def backups_are_whole(world: World) -> None:
    """Only finished backups in the profile's backups folder: each a zip that reads back, no working folder."""
    folder = world.profile / "backups"
    assert not list(folder.glob(".flashcards-backup-*"))
    for backup in folder.glob("*.colpkg"):
        with zipfile.ZipFile(backup) as archive:
            assert archive.testzip() is None, backup


def start_sync(world: World) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", READY_SYNC, *world.sync_args], cwd=world.root,
                               env={**os.environ, "NO_COLOR": "1", **world.env}, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def go(process: subprocess.Popen) -> None:
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()


# --- killed at any moment -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_sync_killed_at_any_moment_is_completed_by_the_next_one_and_every_answer_is_there_once(tmp_path):
    """Each round: answers on both sides and every note edited, a sync started and SIGKILLed after a random
    time; every other round the killed process lingers (stopped, then killed a moment later, as a process killed
    inside a write or fsync does: it keeps its files until the call returns) while the next sync starts. The
    next sync must simply complete; at the end both sides hold every answer once."""
    world = make_world(tmp_path)
    world.answer_here(20)
    started = time.monotonic()
    first = world.sync()
    took = time.monotonic() - started
    assert first.code == 0, first.stderr
    rng = random.Random(20261203)
    for trial in range(TRIALS):
        world.reviewing.clock.advance(days=1)
        world.answer_here(2)
        world.answer_in_anki()
        write_deck(world.deck, CARDS, name="stoics", back=f"edited {trial}")  # every note changes: a long write
        killed = start_sync(world)
        go(killed)
        time.sleep(rng.uniform(0.05, took))
        if trial % 2 == 0:
            killed.kill()
            killed.wait(timeout=30)
            after = world.sync()
        else:
            os.kill(killed.pid, signal.SIGSTOP)
            following = subprocess.Popen([sys.executable, "-m", "flashcards", *world.sync_args], cwd=world.root,
                                         env={**os.environ, "NO_COLOR": "1", **world.env}, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True)
            time.sleep(rng.uniform(0.2, 1.5))
            killed.kill()
            killed.wait(timeout=30)
            out, err = following.communicate(timeout=120)
            after = Result(following.returncode, out, err)
        for stream in (killed.stdin, killed.stdout, killed.stderr):
            if stream is not None:
                stream.close()
        assert after.code == 0, f"round {trial}: {after.stderr}"
        assert after.stderr.strip() == "", f"round {trial}: {after.stderr}"
    assert world.sync().code == 0
    every_answer_once(world)
    backups_are_whole(world)
    world.reviewing.store.close()


# --- the lock through a write -------------------------------------------------------------------------


def test_the_collection_stays_locked_after_the_backup_a_write_makes(tmp_path):
    """Anki desktop (or another sync) started while sync writes is kept out for the whole write, backup
    included, and the backup holds the collection as it was before the write, whole."""
    from flashcards.anki.package_in import open_package

    world = make_world(tmp_path, cards=1)
    world.reviewing.store.close()
    notes = [NoteWrite(f"guid{i}", (f"passage {i}", "commentary", ""), (), "stoics") for i in range(3)]
    with open_collection(world.profile) as col:
        write_changes(col, notes=notes[:1])
        result = write_changes(col, notes=notes)  # a second write: its backup holds the first one's note
        assert result.backup is not None
        seen = subprocess.run([sys.executable, "-c", OPEN_IT, str(world.collection)], capture_output=True,
                              text=True, timeout=60, check=False).stdout.strip()
        assert seen.startswith("refused:") and "already open" in seen, seen
    with open_package(Path(result.backup)) as package:
        assert [note.guid for note in package.notes] == ["guid0"]
    backups_are_whole(world)


# --- a damaged collection, a full disk ----------------------------------------------------------------


def store_rows(db: Path) -> dict:
    with sqlite3.connect(db) as check:
        return {table: check.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("schedule", "review_log", "sync_flags")}


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines[0]


def test_a_damaged_collection_is_one_line_saying_so_and_where_the_backups_are_and_nothing_is_written(tmp_path):
    world = make_world(tmp_path, cards=200)
    world.answer_here(30)
    world.reviewing.store.close()
    assert world.sync().code == 0
    size = world.collection.stat().st_size
    corrupt(world.collection, size // 4, size * 3 // 4)  # pages in the middle overwritten, the header intact
    anki_before, rows_before = files_of(world.profile), store_rows(world.db)
    backup = sorted((world.profile / "backups").glob("backup-*.colpkg"))[-1]
    for args in (("--dry-run",), ()):
        result = world.sync(*args)
        assert result.code == 1 and result.stdout == ""
        assert one_line(result) == (
            f"error: {world.collection}: the collection is damaged (database disk image is malformed); nothing was "
            f"written. Anki's Tools > Check Database may repair it; Anki's backups are in {world.profile / 'backups'} "
            f"(newest: {backup.name}; in Anki: File > Switch Profile > Open Backup)")
        assert files_of(world.profile) == anki_before
        assert store_rows(world.db) == rows_before
    corrupt(world.collection, 0, 16)  # its very header gone: no longer recognisable, but Anki kept backups of it
    anki_before = files_of(world.profile)
    line = one_line(world.sync())
    assert line.startswith(f"error: {world.collection}: not an Anki collection (not an SQLite database); if it "
                           "was one, it is damaged: nothing was written; Anki's backups are in "), line
    assert files_of(world.profile) == anki_before and store_rows(world.db) == rows_before


@pytest.mark.parametrize("backups_elsewhere", [False, True], ids=["the backup cannot be written",
                                                                   "Anki's write cannot be saved"])
def test_a_full_disk_is_one_line_nothing_is_written_and_the_next_sync_completes(small_disk, tmp_path,
                                                                              backups_elsewhere):
    world = make_world(small_disk, cards=100, store_folder=tmp_path)  # the store on a disk with room
    world.answer_here(10)
    if backups_elsewhere:  # the backup lands on a disk with room; the collection's own disk is full
        roomy = tmp_path / "roomy-backups"
        roomy.mkdir()
        (world.profile / "backups").symlink_to(roomy)
    assert world.sync().code == 0
    world.answer_here(10)
    world.reviewing.store.close()
    write_deck(world.deck, 100, name="stoics", back="edited")
    filler = fill(small_disk)
    with open_collection(world.profile) as col:
        anki_before = snapshot(col)
    rows_before = store_rows(world.db)
    result = world.sync()
    assert result.code == 1 and result.stdout == ""
    line = one_line(result)
    reason = "database or disk is full" if backups_elsewhere else "No space left on device"
    assert line.startswith(f"error: {world.collection}: the disk is full ({reason}); nothing was written."), line
    assert " Free some space and run sync again; Anki's backups are in " in line
    filler.unlink()
    with open_collection(world.profile) as col:
        assert snapshot(col) == anki_before
    assert store_rows(world.db) == rows_before
    again = world.sync()
    assert again.code == 0, again.stderr
    assert "notes: 0 added, 100 updated in Anki" in again.stdout and "answers: 10 to Anki" in again.stdout
