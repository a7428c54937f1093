"""What goes wrong with a person's Anki collection, said in one line: what is wrong, that nothing was written,
and where Anki's backups are.

Anki's backend reports a damaged file, a full disk and a collection held open by another program as `DBError`s
(the SQLite error inside, e.g. `DatabaseCorrupt ... "database disk image is malformed"`) or `BackendIOError`s
(`No space left on device (os error 28)`); our own file work raises OSError. Every one of them happens before
Anki's single write transaction commits (or is that transaction failing, which Anki rolls back), and the store's
transaction is rolled back around it, so "nothing was written" holds on both sides.

Anki desktop keeps its backups in the profile folder's `backups` folder (aqt's ProfileManager.backupFolder()),
beside the collection; that is where `make_backup` puts ours too.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from ..errors import FlashcardsError

LOCKED = "Anki already has this collection open; close Anki first"
BACKUPS = "backups"  # the profile's folder of Anki's backups, beside collection.anki2
_ANKI_LOCKED = "already open"  # Anki's DbErrorKind::Locked: "Anki already open, or media currently syncing."
_FULL = ("DiskFull", "database or disk is full", "No space left on device", "os error 28", "Disk quota exceeded",
         "os error 122")
_CORRUPT = ("DatabaseCorrupt", "database disk image is malformed", "NotADatabase", "file is not a database",
            "corrupt")
_REASON = re.compile(r'Some\(\\?"(?P<reason>[^"\\]+)\\?"\)')


def backups_folder(collection: Path) -> Path:
    """Where Anki (desktop and the anki package's backups made by sync) keeps this collection's backups."""
    return collection.parent / BACKUPS


def is_locked(error: BaseException) -> bool:
    """True for Anki's "already open" error: another process holds the collection (or is still letting go)."""
    return _ANKI_LOCKED in str(error)


def kind_of(error: BaseException) -> str:
    """"full", "corrupt", "too new", "locked" or "other"."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "full"
    text = str(error)
    if any(sign in text for sign in _FULL):
        return "full"
    if any(sign in text for sign in _CORRUPT):
        return "corrupt"
    if "FileTooNew" in text:
        return "too new"
    if is_locked(error):
        return "locked"
    return "other"


def reason(error: BaseException) -> str:
    """The words that say what failed: SQLite's own message inside Anki's DbError, else the error's text."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error)
    found = _REASON.search(text)
    return found.group("reason") if found else (text.strip() or type(error).__name__)


def where_backups_are(collection: Path) -> str:
    """"Anki's backups are in FOLDER (newest: NAME)", or that there are none there yet."""
    folder = backups_folder(collection)
    try:
        names = sorted(path.name for path in folder.glob("backup-*.colpkg"))  # Anki's names sort by time
    except OSError:
        names = []
    if not names:
        return f"Anki keeps its backups in {folder} (none there yet)"
    return f"Anki's backups are in {folder} (newest: {names[-1]}; in Anki: File > Switch Profile > Open Backup)"


def collection_failure(collection: Path, error: BaseException) -> FlashcardsError:
    """One line for a failure of Anki's backend (or of our own file work) on this collection."""
    kind = kind_of(error)
    backups = where_backups_are(collection)
    if kind == "locked":
        return FlashcardsError(f"{collection}: {LOCKED}")
    if kind == "full":
        return FlashcardsError(f"{collection}: the disk is full ({reason(error)}); nothing was written. Free some "
                               f"space and run sync again; {backups}")
    if kind == "corrupt":
        return FlashcardsError(f"{collection}: the collection is damaged ({reason(error)}); nothing was written. "
                               f"Anki's Tools > Check Database may repair it; {backups}")
    if kind == "too new":
        return FlashcardsError(f"{collection}: made by a newer Anki than the anki package here; nothing was written "
                               "(pip install -U 'flashcards[anki]')")
    return FlashcardsError(f"{collection}: Anki could not use the collection ({reason(error)}); nothing was written; "
                           f"{backups}")
