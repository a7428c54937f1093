"""The anki library's sync calls: logging in to AnkiWeb or to a self-hosted Anki sync server, syncing a collection
with it, and the full upload or download the server may ask for; each failure as one line.

The calls are Anki desktop's own (aqt/sync.py drives them in this order): `Collection.sync_collection` first (a
normal sync: both sides' changes cross, row by row, in one transaction on each side); when it answers that a full
sync is needed (the two collections' schemas differ: a first sync, a note type changed with a full sync forced,
a collection reset on the server), `full_upload_or_download` replaces one side with the other. Which one is the
caller's choice (see sync/web.py: never an upload over a server that holds cards). Media are never synced: our
cards have none, and the person's media stay where their devices keep them (`sync_media=False`, and
`server_usn=None` on a full sync, which skips media).

`Collection.sync_login` takes the username and password and returns the key the server gives for them (the
`hkey`); only that key is kept (sync/credentials.py), never the password. Without a server address the library
talks to AnkiWeb (https://sync.ankiweb.net/). AnkiWeb may move an account to another host: a sync then answers
with `new_endpoint`, which the caller keeps for the next sync.

Timeouts: a server that refuses the connection (none there, or stopped) fails at once; one that stops answering
fails after IO_TIMEOUT_S without a byte moving (the library's stall timeout; $FLASHCARDS_SYNC_TIMEOUT sets another
number of seconds). A full upload waits longer by default (full_sync_timeout): once the last byte is sent, the server
checks the whole collection before it answers, and no byte moves while it does (longer the larger the collection).
Logging in always uses the library's own 30 s.

A full download writes the server's collection to a temporary file beside ours and renames it over ours once
its integrity check passes, so a kill or a failure leaves either the old collection or the new one, never half
of one. The collection is closed by the library during a full sync and opened again by it; `reopen` here gives
the Python side its handle back in every case.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import FlashcardsError
from .live_errors import collection_failure
from .live_write import release_file

ANKIWEB = "https://sync.ankiweb.net/"  # where the library syncs when no server is given
IO_TIMEOUT_S = 20
FULL_SYNC_TIMEOUT_S = 60  # the least silence a full sync waits through
TIMEOUT_ENV = "FLASHCARDS_SYNC_TIMEOUT"
_ISOLATION = re.compile("[\u2066-\u2069]")  # Fluent's bidi isolation marks around interpolated text


class KeyRefused(FlashcardsError):
    """The server no longer accepts the key (the password was changed, or the account removed)."""


class Unreachable(FlashcardsError):
    """No answer from the server: no network, no server at the address, a server stopped or not answering."""


class UploadRefused(FlashcardsError):
    """The server answered the sync, then did not take the upload of the whole collection: it cut it off (over
    its size limit) or stayed silent past the timeout (checking a large collection); `remedy` is what to change
    before the next sync."""

    def __init__(self, message: str, remedy: str = "") -> None:
        super().__init__(message)
        self.remedy = remedy


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What a normal sync ended with: done (`full` False), or the server asks for a full sync first."""

    full: bool = False
    server_empty: bool = False  # with `full`: the server holds no cards (an upload overwrites nothing)
    new_endpoint: str | None = None  # AnkiWeb moved the account here: sync with this from now on
    server_message: str = ""


def server_address(url: str) -> str:
    """A self-hosted server's address as the library wants it (http(s)://host[:port]/path/), or one line."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FlashcardsError(f"--server {url}: not a sync server address; give it as http://HOST:PORT/ "
                              "(Anki's sync server) or https://HOST/")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        raise FlashcardsError(f"--server {url}: {error}") from None
    return text if text.endswith("/") else text + "/"


def server_name(endpoint: str | None) -> str:
    """How a server is named to people: AnkiWeb, or its address."""
    return "AnkiWeb" if endpoint is None or endpoint.rstrip("/") == ANKIWEB.rstrip("/") else endpoint


def io_timeout() -> int:
    """Seconds without a byte moving before a sync gives up on the server."""
    try:
        return max(1, int(os.environ.get(TIMEOUT_ENV, IO_TIMEOUT_S)))
    except ValueError:
        return IO_TIMEOUT_S


def full_sync_timeout(size_mb: float) -> int:
    """Seconds of silence a full sync of a collection of `size_mb` waits through: $FLASHCARDS_SYNC_TIMEOUT when set,
    else at least FULL_SYNC_TIMEOUT_S and a second more for every 5 MB (the server's check grows with the size)."""
    if os.environ.get(TIMEOUT_ENV):
        return io_timeout()
    return max(FULL_SYNC_TIMEOUT_S, IO_TIMEOUT_S + int(size_mb / 5))


def _auth(hkey: str, endpoint: str | None, timeout: int | None = None) -> Any:
    from anki.sync import SyncAuth

    return SyncAuth(hkey=hkey, endpoint=endpoint, io_timeout_secs=timeout or io_timeout())


def login(username: str, password: str, endpoint: str | None) -> str:
    """The key the server gives for this username and password (`Collection.sync_login`, through a collection of
    its own in a temporary folder: the call needs one, and nothing of the person's is opened for it)."""
    from anki.collection import Collection
    from anki.errors import BackendError

    cwd = os.getcwd()  # Anki's media code may change the working folder
    with tempfile.TemporaryDirectory(prefix="flashcards-login-") as folder:
        col = Collection(str(Path(folder) / "login.anki2"))
        try:
            return col.sync_login(username=username, password=password, endpoint=endpoint).hkey
        except BackendError as error:
            raise server_failure(error, endpoint, login=username) from None
        finally:
            col.close()
            os.chdir(cwd)


def sync(col: Any, hkey: str, endpoint: str | None) -> SyncOutcome:
    """A normal sync of the open collection with the server (no media). Done when it returns with `full` False;
    with `full` True nothing was exchanged and the server wants one side to replace the other."""
    from anki.errors import BackendError
    from anki.sync import SyncOutput

    empty_here = col.card_count() == 0
    try:
        out = col.sync_collection(_auth(hkey, endpoint), False)
    except BackendError as error:
        raise server_failure(error, endpoint, collection=Path(col.path)) from None
    finally:
        col.models._clear_cache()  # the sync may have brought note types the Python-side cache does not know
    required = out.required
    moved = out.new_endpoint or None
    if required in (SyncOutput.NO_CHANGES, SyncOutput.NORMAL_SYNC):
        return SyncOutcome(False, False, moved, out.server_message)
    # FULL_UPLOAD: the server has no cards; FULL_DOWNLOAD: we have none; FULL_SYNC: both have cards, or neither
    server_empty = required == SyncOutput.FULL_UPLOAD or (required == SyncOutput.FULL_SYNC and empty_here)
    return SyncOutcome(True, server_empty, moved, out.server_message)


def full_download(col: Any, hkey: str, endpoint: str | None) -> None:
    """Replace the open collection with the server's (the library writes it beside ours, checks it, renames it
    over ours); the collection is open again afterwards, whatever happened."""
    _full(col, hkey, endpoint, upload=False)


def full_upload(col: Any, hkey: str, endpoint: str | None) -> None:
    """Replace the server's collection with the open one. Only for a server that holds no cards (sync/web.py)."""
    _full(col, hkey, endpoint, upload=True)


def _full(col: Any, hkey: str, endpoint: str | None, upload: bool) -> None:
    from anki.errors import BackendError

    col.close_for_full_sync()
    # the descriptor live_write keeps on the file for backups would read the old file after a download; it is let
    # go now, while the library still holds the collection (it closes and reopens it itself)
    release_file(col)
    size_mb = Path(col.path).stat().st_size / 1e6
    timeout = full_sync_timeout(size_mb)
    started = time.monotonic()
    try:
        col.full_upload_or_download(auth=_auth(hkey, endpoint, timeout), server_usn=None, upload=upload)
    except BackendError as error:
        from anki.errors import NetworkError

        detail = _clean(str(error))
        if upload and isinstance(error, NetworkError):  # it answered the steps before this one
            raise _upload_refused(endpoint, size_mb, timeout, time.monotonic() - started >= timeout, detail) from None
        if upload and "exceeds size limit" in detail:  # the server said so before it cut the upload off
            raise _upload_refused(endpoint, size_mb, timeout, False, detail) from None
        raise server_failure(error, endpoint, collection=Path(col.path)) from None
    finally:
        col.reopen(after_full_sync=True)
        col.models._clear_cache()


def create_collection(path: Path) -> None:
    """A new, empty collection at `path`, made beside it under another name and renamed into place: a kill
    leaves no half-made collection there."""
    from anki.collection import Collection
    from anki.errors import BackendError

    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".new-collection-", dir=path.parent))
    cwd = os.getcwd()
    try:
        made = work / path.name
        try:
            Collection(str(made)).close()
        except BackendError as error:
            raise collection_failure(path, error) from None
        os.replace(made, path)
    except OSError as error:
        raise collection_failure(path, error) from None
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)


def clear_leftovers(folder: Path) -> None:
    """What a killed sync left beside a collection it alone uses: the library's half-downloaded `.tmp*` file (and
    its -wal), our `.new-collection-*` folder. Call only while holding that collection's lock (sync/web.py)."""
    try:
        leftovers = [*folder.glob(".tmp*"), *folder.glob(".new-collection-*")] if folder.is_dir() else []
    except OSError:
        return
    for leftover in leftovers:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def never_synced(col: Any) -> bool:
    """True for a collection that has never finished a sync (its last-sync time is unset)."""
    return not col.db.scalar("select ls from col")


def changed_since_sync(col: Any) -> bool:
    """True when the collection changed since its last sync (Anki stamps every change in `col.mod`)."""
    return bool(col.db.scalar("select mod > ls from col"))


def up_to_date(col: Any, hkey: str, endpoint: str | None) -> bool:
    """True when neither the collection nor the server changed since their last sync (the library's status
    check: the collection's stamps, then one request to the server, which changes nothing there)."""
    from anki.errors import BackendError
    from anki.sync import SyncStatus

    if changed_since_sync(col):
        return False
    try:
        return col.sync_status(_auth(hkey, endpoint)).required == SyncStatus.NO_CHANGES
    except BackendError as error:
        raise server_failure(error, endpoint, collection=Path(col.path)) from None


def _upload_refused(endpoint: str | None, size_mb: float, timeout: int, timed_out: bool, detail: str) -> UploadRefused:
    """Why the upload was not taken: silence as long as the timeout (the server checking a large collection), or
    a cut-off before it (over the server's size limit)."""
    what = f"the upload of flashcards' collection ({size_mb:.0f} MB on disk, sent compressed)"
    if timed_out:
        return UploadRefused(f"{server_name(endpoint)} did not answer {what} within {timeout} s: a server takes "
                             f"longer to check a large collection; set {TIMEOUT_ENV} to more seconds ({detail})",
                             f"with {TIMEOUT_ENV} raised")
    return UploadRefused(f"{server_name(endpoint)} did not take {what}, as a server does with an upload over its limit: a "
                         "self-hosted server takes at most MAX_SYNC_PAYLOAD_MEGS (100 MB unless its admin sets more), "
                         f"AnkiWeb has a limit of its own ({detail})", "with the limit raised")


def server_failure(error: BaseException, endpoint: str | None, *, collection: Path | None = None,
                   login: str | None = None) -> FlashcardsError:
    """One line for a failure of the library's sync calls."""
    from anki.errors import Interrupted, InvalidInput, NetworkError, SyncError, SyncErrorKind

    name = server_name(endpoint)
    detail = _clean(str(error))
    if isinstance(error, SyncError) and error.kind is SyncErrorKind.AUTH:
        if login is not None:
            return KeyRefused(f"{name} refused the username {login} with this password ({detail}); "
                              "nothing was saved")
        return KeyRefused(f"{name} no longer accepts the key kept from your login (was the password changed?); "
                          "run flashcards login again")
    if isinstance(error, NetworkError):
        return Unreachable(f"{name} cannot be reached ({detail}): no network, no sync server at that address, "
                           "or it is not answering")
    if isinstance(error, InvalidInput) and endpoint is not None:
        return FlashcardsError(f"{name}: not a sync server address the anki library can use ({detail})")
    if isinstance(error, Interrupted):
        return Unreachable(f"the sync with {name} was interrupted")
    if isinstance(error, SyncError) and login is not None:
        return FlashcardsError(f"{name} did not answer as an Anki sync server does ({detail}); check the address; "
                               "nothing was saved")
    if isinstance(error, SyncError):
        return FlashcardsError(f"{name} stopped the sync: {detail}")
    if collection is not None:
        return collection_failure(collection, error)
    return FlashcardsError(f"{name}: {detail}")


def _clean(text: str) -> str:
    """The library's message on one line, without its bidi isolation marks."""
    return " ".join(_ISOLATION.sub("", text).split()) or "no details"
