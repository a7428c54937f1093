"""Anki's own sync server for the tests of `sync --web`: `python -m anki.syncserver` from the anki package, on
127.0.0.1 and a free port (never another address), with its data in a temporary folder and a few accounts; and a
*phone*: a second anki Collection that logs in, syncs and answers with Anki's own scheduler (FSRS on), as
AnkiDroid or AnkiMobile would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import anki.collection  # noqa: F401 - first: anki.scheduler alone is a circular import
from anki_collections import answer_in_anki

HOST = "127.0.0.1"
USERS = 30  # accounts a server knows by default: each test takes fresh ones (each costs the server's start-up)
START_WAIT_S = 30.0


def password_of(index: int) -> str:
    """A password no file would hold by chance (tests grep for it)."""
    return f"pw{index}-Quixotic-Zebra-{index * 7919}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class SyncServer:
    """`python -m anki.syncserver` in a process of its own; start, stop (as an admin would), kill or pause it."""

    def __init__(self, base: Path, port: int | None = None, users: int = USERS, payload_megs: int | None = None) -> None:
        self.base = base
        self.port = port or free_port()
        self.users = users
        self.payload_megs = payload_megs  # MAX_SYNC_PAYLOAD_MEGS (None: the server's default, 100)
        self.process: subprocess.Popen | None = None
        self._next = 1

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def env(self) -> dict[str, str]:
        users = {f"SYNC_USER{i}": f"{'user' if i == 1 else f'user{i}'}:{password_of(i)}" for i in range(1, self.users + 1)}
        limit = {} if self.payload_megs is None else {"MAX_SYNC_PAYLOAD_MEGS": str(self.payload_megs)}
        return {**os.environ, "SYNC_HOST": HOST, "SYNC_PORT": str(self.port), "SYNC_BASE": str(self.base),
                "RUST_LOG": "anki=warn", **users, **limit}

    def account(self) -> tuple[str, str]:
        """A username and password no test used before on this server."""
        index, self._next = self._next, self._next + 1
        assert index <= self.users, "the test server has no more accounts"
        return ("user" if index == 1 else f"user{index}"), password_of(index)

    def start(self) -> SyncServer:
        self.base.mkdir(parents=True, exist_ok=True)
        log = (self.base / "server.log").open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "anki.syncserver"], env=self.env(), stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + START_WAIT_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the sync server stopped: {(self.base / 'server.log').read_text()[-2000:]}")
            try:
                socket.create_connection((HOST, self.port), timeout=0.2).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the sync server did not open {self.url} in {START_WAIT_S:.0f} s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL if it lingers) and wait until it is gone."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def kill(self) -> None:
        """Gone at once, mid-request if it is in one (SIGKILL)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


class Phone:
    """The person's phone: an anki Collection of its own, logged in to the server, FSRS on."""

    def __init__(self, path: Path, server: SyncServer, username: str, password: str) -> None:
        from anki.collection import Collection

        path.parent.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(path))
        self.col.set_config("fsrs", True)
        self.auth = self.col.sync_login(username=username, password=password, endpoint=server.url)

    def sync(self, on_full: str | None = None) -> str:
        """Sync as AnkiDroid does: a normal sync; when a full one is needed, the side that has cards wins (an empty
        phone downloads, an empty server is uploaded to); both full, `on_full` ("upload" / "download") decides.
        Returns what happened: "normal", "upload" or "download"."""
        out = self.col.sync_collection(self.auth, False)
        if out.required in (out.NO_CHANGES, out.NORMAL_SYNC):
            return "normal"
        choice = {out.FULL_DOWNLOAD: "download", out.FULL_UPLOAD: "upload"}.get(out.required, on_full)
        assert choice in ("upload", "download"), "the server asks the phone for a full sync"
        self.col.close_for_full_sync()
        try:
            self.col.full_upload_or_download(auth=self.auth, server_usn=None, upload=choice == "upload")
        finally:
            self.col.reopen(after_full_sync=True)
        return choice

    def force_full_upload(self) -> None:
        """What Anki does after a change it cannot send in a normal sync (a note type's fields edited, "Check
        Database" repairs, a restored backup): the next sync is a full one, and this phone uploads."""
        self.col.mod_schema(check=False)
        assert self.sync(on_full="upload") == "upload"

    def add_notes(self, count: int, deck: str = "Phone") -> list[int]:
        """Notes of Anki's Basic type, made on the phone."""
        deck_id = self.col.decks.id(deck, create=True)
        ids = []
        for index in range(count):
            note = self.col.new_note(self.col.models.by_name("Basic"))
            note["Front"], note["Back"] = f"phone question {index}", f"phone answer {index}"
            self.col.add_note(note, deck_id)
            ids.append(note.id)
        return ids

    def answer(self, guid: str, rating: int, at: datetime, taken_ms: int = 2000) -> None:
        """Answer our card (by its note's GUID) through Anki's scheduler, as the phone's reviewer does."""
        answer_in_anki(self.col, guid, rating, at, taken_ms)

    def answer_own(self, note_id: int, rating: int, at: datetime, taken_ms: int = 1500) -> None:
        """Answer one of the phone's own notes through Anki's scheduler."""
        from anki.cards import Card

        card_id = self.col.get_note(note_id).card_ids()[0]
        self.col.decks.select(self.col.get_card(card_id).did)
        queued = next(q for q in self.col.sched.get_queued_cards(fetch_limit=50).cards if q.card.id == card_id)
        card = Card(self.col, backend_card=queued.card)
        card.start_timer()
        answer = self.col.sched.build_answer(card=card, states=queued.states, rating=rating)
        answer.answered_at_millis = round(at.timestamp() * 1000)
        answer.milliseconds_taken = taken_ms
        self.col.sched.answer_card(answer)

    def meta(self) -> tuple:
        """The collection's modification time, update sequence number and last sync: unchanged by a sync in which
        the server had nothing new."""
        return tuple(self.col.db.first("select mod, usn, ls from col"))

    def close(self) -> None:
        self.col.close()
