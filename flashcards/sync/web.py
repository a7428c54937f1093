"""`flashcards sync --web`: the store and the person's collection on AnkiWeb (or Anki's self-hosted sync server),
through a collection of flashcards' own, the *mirror*.

The mirror is an Anki collection kept for the account beside the store (`NAME.mirror/ACCOUNT/collection.anki2`,
never the person's desktop collection). Each sync, in Anki desktop's order:

1. *pull*: a normal sync of the mirror with the server (`anki/web.sync`), so the mirror holds everything the
   person's devices sent since (and sends up anything a killed sync left in the mirror);
2. *merge*: `sync_with_anki` with the mirror, exactly as `sync --anki` does with a desktop collection (the same
   notes, GUIDs, answers once each way, one schedule; the store backed up before its first write; the store
   committed last);
3. *push*: when the merge changed the mirror, a normal sync again, which sends it up.

A full sync, when the server asks for one, never uploads over the server's data: a server that holds cards is
downloaded into the mirror (at the first sync, or whenever its schema no longer matches: a note type changed and
a full sync forced on another device, a collection restored from a backup) and the store merged in again (the
store holds every answer, so nothing flashcards sent before is lost), then sent up as a normal sync. The mirror
is uploaded whole only to a server that holds no cards (a new account, a new self-hosted server). When the push
itself is answered with a full sync (another device forced one in between), the mirror is downloaded again and
merged again, at most MAX_ROUNDS times.

Faults: every step is a transaction on the side it writes, or an atomic rename (a full download), so a kill or a
failure at any moment leaves each side whole, and the next sync completes it: a mirror the server has not seen
is sent at the next pull, and answers are matched by card and moment, never added twice. One sync per account
at a time (a lock file in the account's folder, let go when the process ends however it ends).

A dry run writes nothing anywhere: it merges against the mirror when neither it nor the server changed since
their last sync, else against a copy of the server's collection downloaded for it and deleted after.

Media are not synced (our cards have none; the person's media are left to their devices).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..anki import web
from ..anki.live import open_collection
from ..decks.open_decks import OpenDeck
from ..errors import FlashcardsError
from ..files.flock import unlock, wait_for_lock
from ..settings import Settings
from ..store import Store
from .credentials import SyncLogin, save_login
from .report import SyncReport
from .run import sync_with_anki

COLLECTION = "collection.anki2"
MAX_ROUNDS = 3  # downloads and merges again when the server keeps asking for a full sync
KEEP_BACKUPS = 5  # the mirror's own backups (Anki's .colpkg before each write) kept, newest first
LOCK_WAIT_S = 10.0
LOCK_FILE = ".sync.lock"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


def mirror_root(db_path: Path) -> Path:
    """The folder of the store's mirrors: `NAME.mirror` beside `NAME.db`."""
    return db_path.with_name(f"{db_path.stem}.mirror")


def mirror_path(db_path: Path, login: SyncLogin) -> Path:
    """The mirror collection of this account: `NAME.mirror/USER@HOST/collection.anki2` (one per account)."""
    parts = urlsplit(login.server or web.ANKIWEB)
    host = parts.netloc + parts.path.rstrip("/")
    account = f"{login.username.casefold()}@{host}"
    return mirror_root(db_path) / _UNSAFE.sub("_", account).strip("._") / COLLECTION


def is_mirror(db_path: Path, collection: str) -> bool:
    """True when a remembered collection is one of this store's mirrors (so a bare `sync DECKS` is a web sync)."""
    root = mirror_root(db_path).resolve()
    return Path(collection).parent.parent == root


@dataclass
class WebSyncReport:
    """What `sync --web` did: the merge's report (as `sync --anki` gives it, against the mirror), and how the
    mirror and the server met."""

    server: str  # AnkiWeb, or the server's address
    username: str
    mirror: str
    sync: SyncReport
    dry_run: bool = False
    first: bool = False  # the mirror had never finished a sync with the server
    full_sync: str | None = None  # "download": the server's collection downloaded first; "upload": it had no cards
    rounds: int = 1  # merges made (more than one: the server asked for a full sync while this sync sent)
    downloads: int = 0  # full downloads of the server's collection into the mirror
    server_notes: int | None = None  # notes in the server's collection when it was downloaded, or uploaded
    server_message: str = ""
    rounds_reports: list[SyncReport] = field(default_factory=list, repr=False)

    @property
    def changed(self) -> bool:
        return self.sync.changed or self.full_sync is not None

    @property
    def what(self) -> str:
        """What happened, in one line."""
        who = f"{self.server} as {self.username}"
        if self.dry_run:
            return (f"Would sync with {who} (a dry run: nothing was written on the server, in flashcards' copy of "
                    "the collection or in the store).")
        if self.full_sync == "upload":
            start = "First sync" if self.first else "Synced"
            return (f"{start} with {who}: the server held no cards, so flashcards' collection was uploaded to it "
                    f"({_notes(self.server_notes or 0)}).")
        if self.full_sync == "download":
            held = f" ({_notes(self.server_notes or 0)})" if self.server_notes is not None else ""
            if self.first:
                return (f"First sync with {who}: the collection on the server{held} was downloaded first, then "
                        "flashcards' notes and answers were merged in and sent up.")
            again = f" ({self.downloads} times: it asked again while this sync sent)" if self.downloads > 1 else ""
            return (f"{self.server} asked for a full sync: its collection{held} was downloaded{again}, the store "
                    "merged in again and sent up; nothing was uploaded over it.")
        if not self.sync.changed:
            return f"Synced with {who}: nothing new on either side."
        return f"Synced with {who}."

    def to_dict(self) -> dict:
        return {**self.sync.to_dict(), "server": self.server, "username": self.username, "mirror": self.mirror,
                "first_sync": self.first, "full_sync": self.full_sync, "rounds": self.rounds, "downloads": self.downloads,
                "server_notes": self.server_notes, "server_message": self.server_message, "what": self.what}


def _notes(count: int) -> str:
    return f"{count} note{'' if count == 1 else 's'}"


def sync_with_server(store: Store, decks: list[OpenDeck], settings: Settings, login: SyncLogin, login_file: Path, *,
                     parent: str | None = None, dry_run: bool = False, now: datetime | None = None,
                     tz: tzinfo | None = None, move_decks: bool = False, remember: str | None = None) -> WebSyncReport:
    """Sync the decks' cards with the account's collection on the server, through the mirror (see the module's
    docstring). `login_file` is where the login is kept (a server that moves the account is remembered there)."""
    mirror = mirror_path(store.path, login)
    syncer = _Syncer(store, decks, settings, login, login_file, mirror,
                     dict(parent=parent, now=now, tz=tz, move_decks=move_decks, remember=remember))
    kept = mirror.parent.exists()
    try:
        with account_lock(mirror.parent):
            web.clear_leftovers(mirror.parent)
            return syncer.dry_run() if dry_run else syncer.run()
    finally:
        if not kept and not mirror.exists():  # nothing of the account kept: no empty folders left either
            _remove_mirror(mirror)


class _Syncer:
    """One web sync: pull, merge, push, with the full syncs the server asks for."""

    def __init__(self, store: Store, decks: list[OpenDeck], settings: Settings, login: SyncLogin, login_file: Path,
                 mirror: Path, options: dict[str, Any]) -> None:
        self.store, self.decks, self.settings = store, decks, settings
        self.login, self.login_file, self.mirror, self.options = login, login_file, mirror, options
        self.report = WebSyncReport(web.server_name(login.server), login.username, str(mirror), SyncReport(str(mirror)))

    # --- the server's calls, with what they leave said in their failure ---------------------------------------

    def _call(self, step: str, call: Any, *args: Any) -> Any:
        try:
            return call(*args, self.login.key, self.login.sync_endpoint)
        except FlashcardsError as error:
            if isinstance(error, web.KeyRefused):
                raise
            if isinstance(error, web.UploadRefused) and error.remedy:  # running sync again alone would end the same way
                step = step.replace("run sync again", f"{error.remedy}, run sync again")
            raise type(error)(f"{error}; {step}") from None

    def _sync(self, col: Any, step: str) -> web.SyncOutcome:
        outcome: web.SyncOutcome = self._call(step, web.sync, col)
        if outcome.new_endpoint and outcome.new_endpoint != self.login.sync_endpoint:
            self.login = replace(self.login, endpoint=outcome.new_endpoint)
            save_login(self.login_file, self.login)
        if outcome.server_message:
            self.report.server_message = outcome.server_message
        return outcome

    # --- the sync ---------------------------------------------------------------------------------------------

    def run(self) -> WebSyncReport:
        created = not self.mirror.exists()
        if created:
            web.create_collection(self.mirror)
        reached = False
        try:
            with open_collection(self.mirror) as col:
                self.report.first = web.never_synced(col)
                for _ in range(MAX_ROUNDS):
                    pulled = self._sync(col, "nothing was changed")
                    reached = True
                    if pulled.full and not pulled.server_empty:
                        self._call("nothing was changed", web.full_download, col)
                        self.report.full_sync = "download"
                        self.report.downloads += 1
                        self.report.server_notes = col.note_count()
                    self.report.rounds_reports.append(self._merge(col, dry_run=False))
                    if self._push(col, must=pulled.full and pulled.server_empty):
                        break
                else:
                    raise FlashcardsError(f"{self.report.server} asked for a full sync {MAX_ROUNDS} times in a row; the "
                                          "store holds everything merged so far: run sync again later")
        except BaseException as error:
            if created and not reached:  # the server was never reached: leave no empty mirror behind
                _remove_mirror(self.mirror)
            if isinstance(error, FlashcardsError) and str(error).startswith(f"{self.mirror}: ") and \
                    "damaged" in str(error):
                raise FlashcardsError(f"{error} (it is flashcards' copy of your collection on the server: delete "
                                      f"{self.mirror.parent} and sync again to download it afresh)") from error
            raise
        self._finish()
        return self.report

    def _push(self, col: Any, must: bool) -> bool:
        """Send the merged mirror up; False when the server answers with a full sync (download and merge again)."""
        if not must and not web.changed_since_sync(col):
            return True
        step = ("the store and flashcards' copy of the collection are merged, but it was not sent; run sync again "
                "to send it (nothing is added twice)")
        pushed = self._sync(col, step)
        if not pushed.full:
            return True
        if not pushed.server_empty:
            return False
        if col.card_count():  # a server with no cards: the mirror goes up whole (it overwrites nothing)
            self.report.server_notes = col.note_count()
            self._call(step, web.full_upload, col)
            self.report.full_sync = "upload"
        return True

    def _finish(self) -> None:
        rounds = self.report.rounds_reports
        last = replace(rounds[-1])
        last.answers_to_store = sum(report.answers_to_store for report in rounds)
        last.schedules_moved = sorted({card for report in rounds for card in report.schedules_moved})
        last.store_backup = next((report.store_backup for report in rounds if report.store_backup), None)
        last.anki_backup = next((report.anki_backup for report in reversed(rounds) if report.anki_backup), None)
        last.collection = str(self.mirror)
        self.report.sync = last
        self.report.rounds = len(rounds)
        _thin_backups(self.mirror.parent / "backups")

    def dry_run(self) -> WebSyncReport:
        """What a sync would do, written nowhere: against the mirror when it and the server agree, else against a
        copy of the server's collection downloaded for it."""
        self.report.dry_run = True
        self.report.first = True
        if self.mirror.exists():
            with open_collection(self.mirror) as col:
                self.report.first = web.never_synced(col)
                if not self.report.first and self._call("nothing was changed", web.up_to_date, col):
                    self.report.sync = self._merge(col, dry_run=True)
                    return self.report
        work = Path(tempfile.mkdtemp(prefix=".new-collection-", dir=self.mirror.parent))
        try:
            copy = work / COLLECTION
            web.create_collection(copy)
            with open_collection(copy) as col:
                self._call("nothing was changed", web.full_download, col)
                self.report.server_notes = col.note_count()
                self.report.sync = self._merge(col, dry_run=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.report.sync.collection = str(self.mirror)
        return self.report

    def _merge(self, col: Any, dry_run: bool) -> SyncReport:
        """`sync --anki`'s merge, with the mirror as the collection (its backups in the account's folder)."""
        return sync_with_anki(self.store, col, self.decks, self.settings, dry_run=dry_run,
                              backup_folder=self.mirror.parent / "backups", **self.options)


def _remove_mirror(mirror: Path) -> None:
    """Remove a mirror this sync made and never synced, and the folders it made for it when they are left empty."""
    try:
        for path in (mirror, Path(f"{mirror}-wal"), Path(f"{mirror}-shm")):
            path.unlink(missing_ok=True)
        for folder in (mirror.parent / "backups", mirror.parent, mirror.parent.parent):
            if not folder.is_dir():
                continue
            if any(path.name != LOCK_FILE for path in folder.iterdir()):
                return
            (folder / LOCK_FILE).unlink(missing_ok=True)
            folder.rmdir()
    except OSError:
        return


def _thin_backups(folder: Path) -> None:
    """Keep the newest KEEP_BACKUPS of the mirror's backups (Anki's names sort by time)."""
    try:
        backups = sorted(folder.glob("backup-*.colpkg"))
    except OSError:
        return
    for old in backups[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)


@contextmanager
def account_lock(folder: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """One web sync per account at a time: a lock on `folder/.sync.lock`, held by the process (a killed one lets go
    of it as it dies); a second sync waits `wait_s`, then refuses with one line."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise FlashcardsError(f"{folder}: cannot use the mirror's folder ({error.strerror or error})") from None
    try:
        wait_for_lock(fd, wait_s, lambda: FlashcardsError(
            f"another flashcards sync --web is syncing this account ({folder}); nothing was done: run it again when "
            "that one is done"))
        try:
            yield
        finally:
            unlock(fd)
    finally:
        os.close(fd)
