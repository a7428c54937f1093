"""`flashcards login` and `flashcards sync --web` against the real thing: Anki's own sync server from the anki
package (`python -m anki.syncserver`, on 127.0.0.1 and a free port, started here and stopped at the end), and a
second anki Collection playing the person's phone, which logs in, syncs and answers with Anki's own scheduler
(FSRS on). The store answers through our Session under a frozen clock; both sides are checked card by card."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from anki_collections import snapshot
from one_memory import assert_every_answer_once, assert_one_memory
from reviewing import Reviewing, write_deck
from sync_server import Phone, SyncServer, free_port

from conftest import Result, fill, run_cli
from flashcards.anki import web
from flashcards.anki.live import open_collection
from flashcards.anki.package_out import note_guid
from flashcards.decks.open_decks import load_through_store
from flashcards.model import Rating
from flashcards.settings import Settings, save_settings, settings_path
from flashcards.store import Store
from flashcards.sync import web as web_sync
from flashcards.sync.credentials import SyncLogin, load_login, login_path, save_login
from flashcards.sync.web import mirror_path, sync_with_server

pytestmark = pytest.mark.slow  # end to end (Anki's own sync server and a phone collection): run by CI, left out of the quick loop

pytest.importorskip("anki")
DAY = timedelta(days=1)
TRIALS = int(os.environ.get("FLASHCARDS_SYNC_KILL_TRIALS", "6"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One sync server for the module (each test takes accounts of its own); stopped at the end."""
    running = SyncServer(tmp_path_factory.mktemp("sync-server")).start()
    yield running
    running.stop()


@pytest.fixture
def own_server(tmp_path):
    """A sync server for one test, which stops, kills or pauses it."""
    running = SyncServer(tmp_path / "own-server", users=2).start()
    yield running
    if running.process is not None and running.process.poll() is None:
        running.resume()  # a paused server would not stop
    running.stop()


@dataclass
class Web:
    """A person's account on the server, their phone, a deck file, a store (with a session under a frozen clock)
    whose data folder holds the login and the mirror."""

    root: Path
    server: SyncServer
    username: str
    password: str
    deck: Path
    ids: list[str]
    reviewing: Reviewing
    phone: Phone
    given: int = 0  # answers given on either side to our cards
    env: dict = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.reviewing.store

    @property
    def db(self) -> Path:
        return self.store.path

    @property
    def login_file(self) -> Path:
        return login_path(self.db)

    @property
    def mirror(self) -> Path:
        login = load_login(self.login_file)
        assert login is not None
        return mirror_path(self.db, login)

    @property
    def guids(self) -> list[str]:
        return [note_guid(card_id) for card_id in self.ids]

    def log_in(self) -> None:
        key = web.login(self.username, self.password, self.server.url)
        save_login(self.login_file, SyncLogin(self.username, self.server.url, key))

    def sync(self, **options):
        login = load_login(self.login_file)
        assert login is not None
        decks = load_through_store(self.store, [self.deck])
        return sync_with_server(self.store, decks, self.reviewing.settings, login, self.login_file,
                                now=self.reviewing.clock.now, tz=UTC, **options)

    def answer_here(self, rating: Rating = Rating.GOOD, count: int = 1) -> None:
        session = self.reviewing.session()
        for _ in range(count):
            shown = session.next_card()
            assert shown is not None
            session.answer(shown, rating, 3000)
            self.given += 1

    def answer_on_phone(self, card_id: str, rating: int, after: timedelta, taken_ms: int = 2000) -> None:
        self.phone.answer(note_guid(card_id), rating, self.reviewing.clock.now + after, taken_ms)
        self.given += 1

    def answer_first_on_phone(self) -> None:
        """Answer the first card the phone's queue shows in our deck, an hour after the store's clock."""
        from anki.scheduler.v3 import CardAnswer

        col = self.phone.col
        col.decks.select(col.decks.id_for_name("stoics"))
        queued = col.sched.get_queued_cards(fetch_limit=1).cards
        assert queued, "the phone shows no card"
        guid = col.get_note(queued[0].card.note_id).guid
        self.phone.answer(guid, CardAnswer.GOOD, self.reviewing.clock.now + timedelta(hours=1), 1500)
        self.given += 1

    def cli(self, *args: str, env: dict | None = None) -> Result:
        return run_cli(*args, "--db", str(self.db), cwd=self.root, env={**self.env, **(env or {})})

    def cli_sync(self, *args: str) -> Result:
        return self.cli("sync", str(self.deck), "--web", *args)

    def check_one_memory(self) -> None:
        """The phone (after a sync) and the mirror hold what the store holds, card by card, each answer once."""
        assert self.phone.sync() == "normal"
        assert_one_memory(self.phone.col, self.store, self.ids, self.reviewing.settings, self.reviewing.clock.now)
        assert_every_answer_once(self.phone.col, self.store, self.given)
        with open_collection(self.mirror) as col:
            assert_every_answer_once(col, self.store, self.given)


def make_web(root: Path, server: SyncServer, cards: int = 4, settings: Settings | None = None) -> Web:
    home = root / "home"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
           "FLASHCARDS_ANKI_BASE": str(home / "no-anki-here")}
    deck = root / "decks" / "stoics.yaml"
    deck.parent.mkdir(parents=True)
    ids = write_deck(deck, cards, name="stoics")
    data = root / "data"
    data.mkdir()
    settings = settings or Settings(fuzz=False)
    save_settings(settings, settings_path(data / "flashcards.db"))
    username, password = server.account()
    phone = Phone(root / "phone" / "collection.anki2", server, username, password)
    store = Store(data / "flashcards.db")
    return Web(root, server, username, password, deck, ids, Reviewing(store, [deck], settings=settings), phone,
               env=env)


@pytest.fixture
def person(tmp_path, server):
    """Someone whose phone already syncs with the server: three notes of its own, one answered."""
    from anki.scheduler.v3 import CardAnswer

    world = make_web(tmp_path, server)
    own = world.phone.add_notes(3)
    world.phone.answer_own(own[0], CardAnswer.GOOD, world.reviewing.clock.now - 3 * DAY)
    assert world.phone.sync() == "upload"  # the phone's first sync: it has cards, the server none
    world.log_in()
    yield world
    world.phone.close()
    world.store.close()


def phone_rows(phone: Phone) -> dict:
    """The phone's notes, cards and review log, row by row (its collection row left out: every sync stamps it)."""
    rows = snapshot(phone.col)
    return {table: [tuple(row) for row in rows[table]] for table in ("notes", "cards", "revlog", "decks", "notetypes")}


def store_dump(store: Store) -> dict:
    tables = ("schedule", "review_log", "deck_cards")
    return {table: store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in tables}


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != ".sync.lock"}


def one_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines[0]


# --- the first sync -------------------------------------------------------------------------------------------


def test_the_first_sync_downloads_the_phones_collection_first_and_its_notes_and_history_survive(person):
    person.answer_here(Rating.GOOD)
    person.reviewing.clock.advance(minutes=10)
    person.answer_here(Rating.EASY)
    phone_before = phone_rows(person.phone)
    report = person.sync()
    assert report.first and report.full_sync == "download" and report.server_notes == 3
    assert report.what.startswith(f"First sync with {person.server.url} as {person.username}: the collection on the "
                                  "server (3 notes) was downloaded first")
    assert (report.sync.notes_added, report.sync.answers_to_anki) == (4, 2)
    assert person.phone.sync() == "normal"  # a normal sync: nothing of the phone's was replaced
    after = phone_rows(person.phone)
    for table in ("notes", "revlog"):
        assert set(phone_before[table]) <= set(after[table]), table  # every row the phone had, unchanged
    own_cards = {row[0] for row in phone_before["cards"]}
    assert {row for row in after["cards"] if row[0] in own_cards} == set(phone_before["cards"])
    assert person.phone.col.note_count() == 7
    with open_collection(person.mirror) as col:
        assert col.note_count() == 7 and col.db.scalar("select count() from revlog") == 3
    person.given = 2
    person.check_one_memory()


def test_a_first_sync_with_a_server_that_has_no_cards_uploads_and_the_phone_then_downloads(tmp_path, server):
    world = make_web(tmp_path, server)
    world.log_in()
    world.answer_here(Rating.GOOD)
    report = world.sync()
    assert report.first and report.full_sync == "upload"
    assert report.what == (f"First sync with {server.url} as {world.username}: the server held no cards, so "
                           "flashcards' collection was uploaded to it (4 notes).")
    assert world.phone.sync() == "download"  # an empty phone takes the server's collection
    assert not world.sync().changed  # and the next sync is a normal one with nothing new
    world.check_one_memory()
    world.phone.close()


# --- answers both ways, one memory ----------------------------------------------------------------------------


def test_answers_cross_both_ways_exactly_once_and_the_phone_and_the_store_hold_one_memory(person):
    from anki.scheduler.v3 import CardAnswer

    a, b, c, _ = person.ids
    person.answer_here(Rating.GOOD, count=2)  # a and b
    person.sync()
    person.reviewing.clock.advance(minutes=15)
    assert person.phone.sync() == "normal"
    person.answer_on_phone(a, CardAnswer.GOOD, 2 * DAY)
    person.answer_on_phone(c, CardAnswer.GOOD, 3 * DAY)
    person.answer_on_phone(b, CardAnswer.AGAIN, 4 * DAY, taken_ms=9000)
    assert person.phone.sync() == "normal"
    person.reviewing.clock.advance(days=5)
    report = person.sync()
    assert (report.sync.answers_to_anki, report.sync.answers_to_store) == (0, 3)
    assert set(report.sync.schedules_moved) == {a, b, c}
    assert report.full_sync is None and report.what == f"Synced with {person.server.url} as {person.username}."
    got = [(answer.card_id, answer.rating, answer.duration_ms) for answer in person.store.answers()][-3:]
    assert got == [(a, 3, 2000), (c, 3, 2000), (b, 1, 9000)]
    person.answer_here(Rating.GOOD)  # and back the other way
    assert person.sync().sync.answers_to_anki == 1
    person.check_one_memory()
    assert person.store.answer_count() == 6
    for _ in range(2):  # more syncs on both sides carry nothing twice
        assert not person.sync().changed
        assert person.phone.sync() == "normal"
    person.check_one_memory()


def test_a_sync_with_nothing_new_changes_nothing_on_the_server(tmp_path, own_server):
    world = make_web(tmp_path, own_server)
    world.phone.add_notes(2)
    assert world.phone.sync() == "upload"
    world.log_in()
    world.answer_here(count=2)
    world.sync()
    world.phone.sync()
    world.sync()  # the phone synced in between: this one catches up with it (Anki's protocol stamps both sides)
    server_file = own_server.base / world.username / "collection.anki2"

    def server_rows() -> dict:
        own_server.stop()  # the server holds its collection locked while it runs
        db = sqlite3.connect(f"{server_file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = {table: db.execute(f"select * from {table} order by 1").fetchall()
                    for table in ("col", "notes", "cards", "revlog")}
        finally:
            db.close()
        own_server.start()
        return rows

    before, mirror_before, store_before = server_rows(), files_of(world.mirror.parent), store_dump(world.store)
    report = world.sync()
    assert not report.changed and report.what.endswith("nothing new on either side.")
    assert server_rows() == before  # not even its usn moved
    assert files_of(world.mirror.parent) == mirror_before and store_dump(world.store) == store_before
    phone_before = phone_rows(world.phone)
    world.phone.sync()
    assert phone_rows(world.phone) == phone_before
    world.phone.close()
    world.store.close()


# --- full syncs the server asks for ---------------------------------------------------------------------------


def test_a_full_sync_the_server_asks_for_later_is_a_download_and_a_merge_never_an_upload(person):
    from anki.scheduler.v3 import CardAnswer

    person.answer_here(count=2)
    person.sync()
    person.phone.sync()
    person.phone.add_notes(1, deck="Later")
    person.phone.force_full_upload()  # a schema change on the phone: its next sync was a full upload
    person.answer_on_phone(person.ids[2], CardAnswer.GOOD, DAY)
    person.phone.sync()
    person.answer_here()  # ours since the last sync
    report = person.sync()
    assert not report.first and report.full_sync == "download" and report.rounds == 1
    assert report.what.startswith(f"{person.server.url} asked for a full sync: its collection (8 notes) was "
                                  "downloaded, the store merged in again and sent up; nothing was uploaded over it")
    assert (report.sync.answers_to_anki, report.sync.answers_to_store) == (1, 1)
    assert person.phone.sync() == "normal"  # the phone's upload stands: no full sync asked of it
    assert person.phone.col.note_count() == 8
    person.check_one_memory()


def test_a_full_sync_asked_for_while_the_sync_sends_is_downloaded_and_merged_again(person, monkeypatch):
    person.answer_here(count=2)
    person.sync()
    person.phone.sync()
    person.answer_here()
    merge = web_sync.sync_with_anki
    calls = []

    def merge_then_phone_forces_a_full_sync(*args, **kwargs):
        report = merge(*args, **kwargs)
        if not calls:
            person.phone.force_full_upload()  # between this sync's pull and its push
        calls.append(report)
        return report

    monkeypatch.setattr(web_sync, "sync_with_anki", merge_then_phone_forces_a_full_sync)
    report = person.sync()
    assert len(calls) == 2 and report.rounds == 2 and report.downloads == 1 and report.full_sync == "download"
    assert report.sync.answers_to_anki == 1
    person.check_one_memory()


# --- a dry run ------------------------------------------------------------------------------------------------


def test_a_dry_run_says_what_would_change_and_writes_nothing_on_the_server_in_the_mirror_or_the_store(person):
    from anki.scheduler.v3 import CardAnswer

    person.answer_here()
    dry = person.sync(dry_run=True)  # before any sync: read from a copy of the server's collection
    assert dry.dry_run and (dry.sync.notes_added, dry.sync.answers_to_anki) == (4, 1)
    assert not person.mirror.exists() and not mirror_path(person.db, load_login(person.login_file)).parent.exists()
    person.sync()
    person.phone.sync()
    person.answer_on_phone(person.ids[1], CardAnswer.GOOD, DAY)
    person.phone.sync()
    mirror_before, store_before, phone_before = files_of(person.mirror.parent), store_dump(person.store), \
        phone_rows(person.phone)
    dry = person.sync(dry_run=True)
    assert dry.what.startswith("Would sync with") and dry.sync.answers_to_store == 1
    assert files_of(person.mirror.parent) == mirror_before and store_dump(person.store) == store_before
    person.phone.sync()
    assert phone_rows(person.phone) == phone_before
    assert person.sync().sync.answers_to_store == 1


# --- the command: login, logout, the key file, failures as one line -------------------------------------------


def login_cli(world: Web, *args: str, password: str | None = None) -> Result:
    return world.cli("login", "--server", world.server.url, "--username", world.username, *args,
                     env={"FLASHCARDS_SYNC_PASSWORD": password or world.password})


def every_file(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*") if path.is_file()]


def test_login_keeps_only_the_key_readable_by_you_alone_and_the_password_is_nowhere(tmp_path, server):
    world = make_web(tmp_path, server)
    world.phone.add_notes(1)
    world.phone.sync()
    done = login_cli(world)
    assert done.code == 0, done.stderr
    assert done.stdout.startswith(f"Logged in to {server.url} as {world.username}; the key it gave is kept in "
                                  f"{world.login_file}")
    assert stat.S_IMODE(world.login_file.stat().st_mode) == 0o600
    kept = json.loads(world.login_file.read_text())
    assert set(kept) == {"username", "server", "key", "endpoint"} and kept["username"] == world.username
    world.answer_here()
    synced = world.cli_sync()
    assert synced.code == 0, synced.stderr
    assert synced.stdout.splitlines()[0].startswith(f"First sync with {server.url} as {world.username}")
    world.store.close()
    secret = world.password.encode()
    for path in every_file(world.root / "data", world.root / "home", world.root / "decks"):
        assert secret not in path.read_bytes(), path
    assert stat.S_IMODE(world.login_file.stat().st_mode) == 0o600
    again = login_cli(world)  # logging in again replaces the key, still mode 600
    assert again.code == 0 and stat.S_IMODE(world.login_file.stat().st_mode) == 0o600
    world.phone.close()


@pytest.mark.slow
def test_login_asks_the_username_and_the_password_on_the_terminal_without_echoing_the_password(tmp_path, server):
    import pexpect

    world = make_web(tmp_path, server)
    world.store.close()
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", **world.env}
    env.pop("FLASHCARDS_SYNC_PASSWORD", None)
    child = pexpect.spawn(sys.executable, ["-m", "flashcards", "login", "--server", server.url, "--db", str(world.db)],
                          env=env, dimensions=(24, 200), encoding="utf-8", timeout=30)
    child.expect(f"{server.url} username: ")
    child.sendline(world.username)
    child.expect(f"Password for {world.username}: ")
    child.sendline(world.password)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert world.password not in child.before and "Logged in to" in child.before
    assert load_login(world.login_file).username == world.username
    world.phone.close()


def test_a_wrong_password_is_one_line_and_keeps_nothing(tmp_path, server):
    world = make_web(tmp_path, server)
    result = login_cli(world, password="not-the-password")
    assert result.code == 1 and result.stdout == ""
    assert one_line(result) == (f"error: {server.url} refused the username {world.username} with this password "
                                "(Email or password was incorrect; please try again.); nothing was saved")
    assert not world.login_file.exists()
    assert {path.name for path in every_file(world.root / "data")} <= {"flashcards.db", "flashcards.db-wal",
                                                                      "flashcards.db-shm", "flashcards.settings.json"}
    world.phone.close()


def test_a_server_that_is_down_is_one_line_within_seconds_and_changes_nothing(tmp_path, server):
    world = make_web(tmp_path, server)
    world.answer_here()
    world.store.close()
    down = f"http://127.0.0.1:{free_port()}/"
    started = time.monotonic()
    result = world.cli("login", "--server", down, "--username", world.username,
                       env={"FLASHCARDS_SYNC_PASSWORD": world.password})
    assert result.code == 1 and time.monotonic() - started < 10
    assert one_line(result).startswith(f"error: {down} cannot be reached (")
    assert not world.login_file.exists()
    save_login(world.login_file, SyncLogin(world.username, down, "a key"))  # logged in, then the server went away
    before = files_of(world.root / "data")
    started = time.monotonic()
    result = world.cli_sync()
    assert result.code == 1 and time.monotonic() - started < 10
    line = one_line(result)
    assert line.startswith(f"error: {down} cannot be reached (") and line.endswith("; nothing was changed"), line
    assert files_of(world.root / "data") == before  # no mirror, no folder for one, the store as it was
    world.phone.close()


@pytest.fixture
def web_page_server():
    """A web server on 127.0.0.1 that is not a sync server (Python's own, serving an empty folder)."""
    port = free_port()
    page = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    page.terminate()
    page.wait(timeout=10)


def test_an_unknown_server_a_bad_address_and_no_login_are_one_line_each(tmp_path, server, web_page_server):
    world = make_web(tmp_path, server)
    world.store.close()
    cases = [
        (("login", "--server", web_page_server, "--username", "u"),
         f"error: {web_page_server} did not answer as an Anki sync server does ("),
        (("login", "--server", "ftp://example.org", "--username", "u"),
         "error: --server ftp://example.org: not a sync server address; give it as http://HOST:PORT/"),
        (("sync", str(world.deck), "--web"), "error: sync --web: not logged in; run flashcards login"),
        (("sync", str(world.deck), "--web", "--anki", str(tmp_path)), "error: sync: --anki and --web name two "),
    ]
    for args, start in cases:
        result = world.cli(*args, env={"FLASHCARDS_SYNC_PASSWORD": "x"})
        assert result.code == 1, (args, result.stderr)
        assert one_line(result).startswith(start), (args, result.stderr)
    world.phone.close()


def test_logout_forgets_the_key_and_a_key_the_server_no_longer_accepts_is_one_line(tmp_path, server):
    world = make_web(tmp_path, server)
    world.store.close()
    assert login_cli(world).code == 0
    kept = load_login(world.login_file)
    save_login(world.login_file, SyncLogin(world.username, server.url, "0" * 40))  # the password changed since
    result = world.cli_sync()
    assert result.code == 1
    assert one_line(result) == (f"error: {server.url} no longer accepts the key kept from your login (was the "
                                "password changed?); run flashcards login again")
    save_login(world.login_file, kept)
    out = world.cli("logout")
    assert out.code == 0 and out.stdout.strip() == f"Logged out {world.username}: the key in {world.login_file} is " \
                                                   "forgotten."
    assert not world.login_file.exists()
    assert world.cli("logout").stdout.startswith("Not logged in")
    assert one_line(world.cli_sync()).startswith("error: sync --web: not logged in")
    world.phone.close()


def test_a_bare_sync_after_a_web_sync_syncs_with_the_server_again_under_the_same_parent(tmp_path, server):
    world = make_web(tmp_path, server)
    world.store.close()
    assert login_cli(world).code == 0
    first = world.cli_sync("--parent", "Reading", "--json")
    assert first.code == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["full_sync"] == "upload" and report["parent"] == "Reading" and report["notes_added"] == 4
    assert report["mirror"] == str(world.mirror)
    again = world.cli("sync", str(world.deck))
    assert again.code == 0, again.stderr
    assert again.stderr.strip() == f"syncing with {server.url} as {world.username} under Reading, as last time"
    assert again.stdout.splitlines()[0] == f"Synced with {server.url} as {world.username}: nothing new on either side."
    assert world.phone.sync() == "download"
    assert sorted(world.phone.col.decks.all_names_and_ids(), key=lambda d: d.name)[-1].name == "Reading::stoics"
    world.phone.close()


# --- faults: killed, the server gone, a full disk -------------------------------------------------------------


# `flashcards sync` in a process of its own, its imports done, started when a line arrives on stdin: so that a
# kill lands in the sync, not in Python's start-up
READY_SYNC = textwrap.dedent("""
    import sys
    import anki.collection
    import flashcards.commands.sync, flashcards.sync.web
    from flashcards.cli import main
    print("ready", flush=True)
    sys.stdin.readline()
    main(sys.argv[1:])
""")


def start_sync(world: Web) -> subprocess.Popen:
    args = ["sync", str(world.deck), "--web", "--db", str(world.db)]
    process = subprocess.Popen([sys.executable, "-c", READY_SYNC, *args], cwd=world.root,
                               env={**os.environ, "NO_COLOR": "1", **world.env}, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()
    return process


def finish(process: subprocess.Popen) -> Result:
    out, err = process.communicate(timeout=120)
    return Result(process.returncode, out, err)


def busy_round(world: Web, trial: int, cards: int) -> None:
    """Answers on both sides and every note edited (a long write, a long push)."""
    world.reviewing.clock.advance(days=1)
    world.answer_here(count=2)
    assert world.phone.sync() == "normal"
    world.answer_first_on_phone()
    assert world.phone.sync() == "normal"
    write_deck(world.deck, cards, name="stoics", back=f"edited {trial}")


def web_world(tmp_path: Path, server: SyncServer, cards: int) -> Web:
    world = make_web(tmp_path, server, cards=cards, settings=Settings(fuzz=False, new_per_day=10_000))
    world.phone.add_notes(2)
    assert world.phone.sync() == "upload"
    assert login_cli(world).code == 0
    world.answer_here(count=20)
    return world


@pytest.mark.slow
def test_a_web_sync_killed_at_any_moment_is_completed_by_the_next_one_and_every_answer_is_there_once(tmp_path,
                                                                                                     server):
    """Each round: answers on both sides, every note edited, a sync started and SIGKILLed after a random time;
    every other round the killed process lingers (stopped, then killed a moment later) while the next sync starts.
    The next sync must simply complete; at the end the phone, the mirror and the store hold every answer once."""
    cards = 300
    world = web_world(tmp_path, server, cards)
    started = time.monotonic()
    first = world.cli_sync()
    took = time.monotonic() - started
    assert first.code == 0, first.stderr
    assert world.phone.sync() == "normal"
    rng = random.Random(20261203)
    for trial in range(TRIALS):
        busy_round(world, trial, cards)
        killed = start_sync(world)
        time.sleep(rng.uniform(0.05, took))
        if trial % 2 == 0:
            killed.kill()
            finish(killed)
            after = world.cli_sync()
        else:
            os.kill(killed.pid, signal.SIGSTOP)
            following = subprocess.Popen(
                [sys.executable, "-m", "flashcards", "sync", str(world.deck), "--web", "--db", str(world.db)],
                cwd=world.root, env={**os.environ, "NO_COLOR": "1", **world.env}, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
            time.sleep(rng.uniform(0.2, 1.5))
            killed.kill()
            finish(killed)
            after = finish(following)
        assert after.code == 0, f"round {trial}: {after.stderr}"
        assert after.stderr.strip() == "", f"round {trial}: {after.stderr}"
    assert world.cli_sync().code == 0
    world.check_one_memory()
    assert not list(world.mirror.parent.glob(".tmp*")) and not list(world.mirror.parent.glob(".new-collection-*"))
    world.phone.close()


@pytest.mark.slow
def test_a_server_stopped_mid_sync_is_one_line_and_the_next_sync_completes(tmp_path, own_server):
    cards = 300
    world = web_world(tmp_path, own_server, cards)
    started = time.monotonic()
    assert world.cli_sync().code == 0
    took = time.monotonic() - started
    assert world.phone.sync() == "normal"
    rng = random.Random(7)
    failed = 0
    for trial in range(6):
        busy_round(world, trial, cards)
        running = start_sync(world)
        time.sleep(rng.uniform(0.02, took * 0.6))
        own_server.kill()
        result = finish(running)
        if result.code != 0:
            failed += 1
            line = one_line(result)
            assert f"{own_server.url} cannot be reached (" in line or "interrupted" in line, line
        own_server.start()
        after = world.cli_sync()
        assert after.code == 0, f"round {trial}: {after.stderr}"
    assert failed, "the server was never stopped in the middle of a sync"
    world.check_one_memory()
    world.phone.close()


@pytest.mark.slow
def test_a_server_that_stops_answering_fails_within_the_timeout_and_the_next_sync_completes(tmp_path, own_server):
    world = web_world(tmp_path, own_server, cards=20)
    assert world.cli_sync().code == 0
    world.answer_here(count=2)
    own_server.pause()
    started = time.monotonic()
    result = world.cli("sync", str(world.deck), "--web", env={"FLASHCARDS_SYNC_TIMEOUT": "2"})
    assert result.code == 1 and time.monotonic() - started < 15
    assert f"{own_server.url} cannot be reached" in one_line(result)
    own_server.resume()
    assert world.cli_sync().code == 0
    world.check_one_memory()
    world.phone.close()


def test_an_upload_over_the_servers_limit_is_one_line_naming_it_and_goes_up_once_the_limit_is_raised(tmp_path):
    """A self-hosted server cuts off an upload over MAX_SYNC_PAYLOAD_MEGS mid-request, which the library reports
    as a network error: the line says what happened, and doing what it says (the limit raised) sends it."""
    import string

    from flashcards.decks.deckfile.writer import save_deck
    from flashcards.model import Card, Deck, card_id

    server = SyncServer(tmp_path / "small-server", users=1, payload_megs=1).start()
    try:
        world = make_web(tmp_path, server, cards=1)
        rng = random.Random(7)  # passages that do not compress below the limit
        save_deck(Deck("stoics", [Card(card_id(f"passage {i}"), "".join(rng.choices(string.ascii_letters, k=1500)),
                                       f"thought {i}") for i in range(3000)]), world.deck)
        world.log_in()
        world.store.close()
        result = world.cli_sync()
        assert result.code == 1
        line = one_line(result)
        # (the server says "collection exceeds size limit", or cuts the request off first: either is this line)
        assert "did not take the upload of flashcards' collection" in line and "MAX_SYNC_PAYLOAD_MEGS" in line, line
        assert line.endswith("with the limit raised, run sync again to send it (nothing is added twice)"), line
        server.stop()
        server.payload_megs = 50
        server.start()
        result = world.cli_sync()
        assert result.code == 0, result.stderr
        assert world.phone.sync() == "download" and world.phone.col.note_count() == 3000
        world.phone.close()
    finally:
        server.stop()


def test_an_upload_the_server_was_silent_on_for_the_whole_timeout_says_to_raise_the_timeout(monkeypatch):
    """Silence as long as the timeout is a server still checking a large upload, not its size limit."""
    slow = web._upload_refused("http://127.0.0.1:9/", 595.4, 30, True, "Connection timed out")
    assert "did not answer the upload of flashcards' collection (595 MB on disk, sent compressed) within 30 s" in str(slow)
    assert f"set {web.TIMEOUT_ENV} to more seconds" in str(slow) and slow.remedy == f"with {web.TIMEOUT_ENV} raised"
    cut = web._upload_refused("http://127.0.0.1:9/", 595.4, 30, False, "error sending request")
    assert "MAX_SYNC_PAYLOAD_MEGS" in str(cut) and cut.remedy == "with the limit raised"


def test_a_full_sync_waits_longer_for_a_larger_collection_unless_the_person_set_a_timeout(monkeypatch):
    """A server checks a whole uploaded collection before it answers: a big one is not given up on at the stall
    timeout of a normal sync, and a timeout the person set is kept as it is."""
    monkeypatch.delenv(web.TIMEOUT_ENV, raising=False)
    assert web.full_sync_timeout(1) == web.FULL_SYNC_TIMEOUT_S > web.io_timeout()
    assert web.full_sync_timeout(600) > web.full_sync_timeout(100) >= web.FULL_SYNC_TIMEOUT_S
    monkeypatch.setenv(web.TIMEOUT_ENV, "7")
    assert web.full_sync_timeout(600) == 7


def test_a_full_disk_under_the_mirror_is_one_line_and_the_next_sync_completes(tmp_path, server, small_disk):
    world = make_web(tmp_path / "w", server, cards=100)
    world.phone.add_notes(2)
    world.phone.sync()
    world.log_in()
    (small_disk / "mirror").mkdir()
    (world.db.parent / "flashcards.mirror").symlink_to(small_disk / "mirror")  # the mirror on the small disk
    world.answer_here(count=10)
    world.store.close()
    assert world.cli_sync().code == 0
    world.phone.sync()
    world.answer_first_on_phone()
    world.phone.sync()
    write_deck(world.deck, 100, name="stoics", back="edited")
    world.reviewing = Reviewing(Store(world.db), [world.deck], settings=world.reviewing.settings)
    world.answer_here(count=5)
    world.store.close()
    filler = fill(small_disk)
    with Store(world.db) as store:
        rows_before = store_dump(store)
    result = world.cli_sync()
    assert result.code == 1 and "disk is full" in one_line(result), result.stderr
    with Store(world.db) as store:
        assert store_dump(store) == rows_before  # the pull failed: the merge never began
    filler.unlink()
    again = world.cli_sync()
    assert again.code == 0, again.stderr
    world.reviewing = Reviewing(Store(world.db), [world.deck], settings=world.reviewing.settings)
    world.check_one_memory()
    world.phone.close()
