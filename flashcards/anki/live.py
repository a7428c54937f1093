"""Live access to a person's Anki collection through the `anki` package (Anki desktop's own Rust backend).

Contract for the sync command (plain dataclasses in and out; nothing here knows our store):

    path = locate_collection(option_or_None)          # a collection.anki2 file, or one clear FlashcardsError
    with open_collection(path) as col:                # waits a moment, then refuses while another process has it
                                                      # open; never creates one; held locked until the block ends
        have = read_our_cards(col, guids)             # {guid: AnkiCard}; guids from package_out.note_guid
        log = read_reviews(col, [c.card_id for c in have.values()])   # [AnkiReview], oldest first
        result = write_changes(col, notes=[NoteWrite...], reviews=[ReviewWrite...],
                               schedules=[ScheduleWrite...], dry_run=False)
        moves = deck_moves(col, notes)                # (live_decks) [(guid, from deck, to deck)] a write would make

- Identity: notes use our note type (note_type.MODEL_ID, FIELDS, templates), the GUID of the card id and
  the deck names of `anki_deck_names`, so exported and synced notes are the same notes. Fields are Anki HTML
  (`field_html`), tags in Anki form (`anki_tag`); an update keeps Anki's own `leech` and `marked` tags.
  Only notes of our note type are read; a GUID on a note of another type is refused.
- Answers: a revlog id is the answer's moment in ms (`AnkiReview.answered_at`). Rows with ease 0 (`manual`)
  record rescheduling, not answers: skip them when merging. Writing skips ids already in the log, so the
  same answer never lands twice; answers need a GUID whose note exists (or is added in the same write).
- Scheduling: due dates are UTC moments; review and day-learning dues are Anki study days (numbered under
  the collection's day cutoff, in this machine's local time, as Anki counts them) and read back as the
  moment the day starts, so a card due any time on day D is written as due on D. Intraday learning keeps
  its exact second. A new card has `position` instead of a due. Writing a schedule takes a card out of a
  filtered deck. Memory state, desired retention and decay are stored as Anki stores them: 32-bit floats rounded to
  4 places (stability), 3 (difficulty, decay) and 2 (desired retention).
- Safety: `write_changes` first runs everything in a transaction it rolls back (that is the dry run and the
  check that anything changes at all; a write that adds a note changes something for certain and skips it).
  Only then does it make a backup as Anki makes its own (a .colpkg in the profile's `backups` folder, made of a
  snapshot so that the collection stays locked: see live_write) and run the same writes in one SQLite transaction: any error leaves the collection exactly as it was. A damaged collection or
  a full disk is one line saying so, that nothing was written and where the backups are (live_errors). Unchanged notes and cards are not touched (their mod/usn stay), so a
  second write of the same data is a no-op. Everything written is marked for upload (usn -1, mod now);
  the person syncs Anki with AnkiWeb as usual afterwards. Anki's undo history lives in the memory of the
  process that made a change, so Anki desktop cannot undo a sync: the backup is the way back.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import FlashcardsError
from .live_errors import (
    LOCKED,
    backups_folder,
    collection_failure,
    is_locked,
    kind_of,
    reason,
    where_backups_are,
)
from .live_model import AnkiCard, AnkiDays, AnkiReview, NoteWrite, ReviewWrite, ScheduleWrite, WriteResult
from .live_read import read_our_cards, read_reviews
from .live_write import clear_leftovers, make_backup, release_file, write_changes

__all__ = [
    "AnkiCard", "AnkiDays", "AnkiReview", "NoteWrite", "ReviewWrite", "ScheduleWrite", "WriteResult",
    "anki_base", "locate_collection", "make_backup", "open_collection", "read_our_cards", "read_reviews",
    "write_changes",
]

BASE_ENV = "FLASHCARDS_ANKI_BASE"  # overrides Anki's data folder (tests, unusual installs)
COLLECTION = "collection.anki2"
EXTRA_HINT = "pip install 'flashcards[anki]'"
SQLITE_HEADER = b"SQLite format 3\x00"
OPEN_WAIT_S = 5.0  # how long a collection another process holds is waited for before refusing
OPEN_POLL_S = 0.1


def require_anki() -> None:
    """The `anki` package, or one line naming the extra that brings it."""
    try:
        import anki.collection  # noqa: F401
    except ImportError as error:
        raise FlashcardsError(f"syncing with Anki needs the anki package: {EXTRA_HINT}") from error


def anki_base() -> Path:
    """Anki's data folder (holding one folder per profile) on this system, or $FLASHCARDS_ANKI_BASE."""
    if os.environ.get(BASE_ENV):
        return Path(os.environ[BASE_ENV]).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "Anki2"


def _profiles(base: Path) -> list[Path]:
    if not base.is_dir():
        return []
    return sorted(folder for folder in base.iterdir() if (folder / COLLECTION).is_file())


def locate_collection(path: Path | None) -> Path:
    """The collection file to sync with: PATH itself (a collection file), PATH/collection.anki2 (a profile
    folder), or without PATH the single profile in Anki's data folder; else one line saying what was found."""
    require_anki()
    if path is not None:
        path = path.expanduser()
        if path.is_file():
            return path
        if (path / COLLECTION).is_file():
            return path / COLLECTION
        if not path.exists():
            raise FlashcardsError(f"{path}: no such file or folder")
        profiles = _profiles(path)
        if profiles:
            names = ", ".join(profile.name for profile in profiles)
            raise FlashcardsError(f"{path}: an Anki data folder with profiles {names}; pass one profile folder")
        raise FlashcardsError(f"{path}: no {COLLECTION} in this folder (pass an Anki profile folder or the file)")
    base = anki_base()
    profiles = _profiles(base)
    if len(profiles) == 1:
        return profiles[0] / COLLECTION
    if not profiles:
        raise FlashcardsError(f"no Anki profile found in {base}; pass the collection with --anki PATH")
    names = ", ".join(profile.name for profile in profiles)
    raise FlashcardsError(f"several Anki profiles in {base}: {names}; pass one with --anki {base / '<profile>'}")


def _locked(path: Path) -> bool:
    """True if another process holds the collection: Anki's backend opens SQLite in WAL mode with
    `locking_mode=exclusive` and no busy wait, so while it has the file open every other reader is locked out.
    Only asked before the collection is open here: closing this probe's descriptor drops every POSIX lock this
    process holds on the file (see live_write.make_backup)."""
    probe = None
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0)
        probe.execute("select count(*) from sqlite_master").fetchall()
    except sqlite3.OperationalError as error:
        return "locked" in str(error) or "busy" in str(error)
    except sqlite3.Error:  # damaged, or not a database: not held by anyone (and never the store's damage)
        return False
    finally:
        if probe is not None:
            probe.close()
    return False


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(16) == SQLITE_HEADER


def _open(path: Path) -> Any:
    """Anki's Collection at `path`, waiting up to OPEN_WAIT_S while another process holds it: a sync killed a
    moment ago may still be letting go of the file (a SIGKILLed process keeps its locks until the write or
    fsync it is inside returns); Anki desktop holds it for longer, and is refused with one line."""
    from anki.collection import Collection
    from anki.errors import BackendError

    deadline = time.monotonic() + OPEN_WAIT_S
    cwd = os.getcwd()  # Anki's media code may change the working folder
    try:
        while True:
            try:
                return Collection(str(path))
            except BackendError as error:
                locked = is_locked(error) or (kind_of(error) == "other" and _locked(path))
                if locked and time.monotonic() < deadline:
                    time.sleep(OPEN_POLL_S)
                    continue
                if locked:
                    raise FlashcardsError(f"{path}: {LOCKED}") from error
                if kind_of(error) == "other":
                    raise FlashcardsError(f"{path}: not an Anki collection Anki can open ({reason(error)})") from error
                raise collection_failure(path, error) from error
    finally:
        os.chdir(cwd)


@contextmanager
def open_collection(path: Path) -> Iterator[Any]:
    """The collection at `path` (a file or a profile folder), open for the block and closed after it.

    Refuses, with one line and without writing, a collection that another process (Anki) holds open, a path
    that does not exist (Anki would create an empty collection there) and a file that is not a collection.
    A failure of Anki's backend inside the block (a damaged collection, a full disk) is one line too (see
    live_errors): it happens before Anki's one write transaction commits, so nothing was written."""
    require_anki()
    from anki.errors import BackendError

    path = locate_collection(path)
    if not _is_sqlite(path):  # Anki would turn an empty or foreign file into a new, empty collection
        damaged = ""
        if any(backups_folder(path).glob("backup-*.colpkg")):  # Anki kept backups of it: it was one
            damaged = f"; if it was one, it is damaged: nothing was written; {where_backups_are(path)}"
        raise FlashcardsError(f"{path}: not an Anki collection (not an SQLite database){damaged}")
    cwd = os.getcwd()
    col = _open(path)
    try:
        clear_leftovers(backups_folder(path))
        yield col
    except BackendError as error:
        raise collection_failure(path, error) from error
    finally:
        try:
            col.close()
        finally:
            release_file(col)  # only now: closing it while the collection was open would drop Anki's lock
            os.chdir(cwd)
