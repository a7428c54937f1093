"""The login `sync --web` uses: the key AnkiWeb or a self-hosted Anki sync server gave for the person's username
and password, kept in one small file beside the store, readable by its owner alone (mode 600). The password is
never kept anywhere: `flashcards login` hands it to the server once and keeps what comes back.

`NAME.sync-login.json` beside `NAME.db` (so --db and $FLASHCARDS_DB move it with the store), holding the
username, the server logged in to (null: AnkiWeb), where to sync now (AnkiWeb may move an account to another
host) and the key. Written atomically: a temporary file made with mode 600, flushed, renamed over the old one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import FlashcardsError

MAX_BYTES = 64 * 1024
MODE = 0o600


@dataclass(frozen=True, slots=True)
class SyncLogin:
    """Who is logged in where, and the key the server gave (never the password)."""

    username: str
    server: str | None  # the address logged in to; None: AnkiWeb
    key: str
    endpoint: str | None = None  # where to sync now, when the server moved the account (else `server`)

    @property
    def sync_endpoint(self) -> str | None:
        return self.endpoint or self.server


def login_path(db_path: Path) -> Path:
    """Where the login of a store is kept: `NAME.sync-login.json` beside `NAME.db`."""
    return db_path.with_name(f"{db_path.stem}.sync-login.json")


def save_login(path: Path, login: SyncLogin) -> None:
    """Write the login, readable by its owner alone, replacing any other in one rename."""
    data = json.dumps(asdict(login), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 600 from birth
    except OSError as error:
        raise FlashcardsError(f"{path}: cannot write the login ({error.strerror or error})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, MODE)
        os.replace(name, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise FlashcardsError(f"{path}: cannot write the login ({error.strerror or error})") from None


def load_login(path: Path) -> SyncLogin | None:
    """The login kept at `path`, None when there is none; a damaged file is one line."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise FlashcardsError(f"{path}: cannot read the login ({error.strerror or error})") from None
    try:
        if len(data) > MAX_BYTES:
            raise ValueError("too large")
        raw = json.loads(data.decode("utf-8"))
        login = SyncLogin(str(raw["username"]), _text(raw.get("server")), str(raw["key"]), _text(raw.get("endpoint")))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise FlashcardsError(f"{path}: not a login file flashcards can read; run flashcards login again") from None
    if not login.key or not login.username:
        raise FlashcardsError(f"{path}: the login has no key; run flashcards login again")
    return login


def forget_login(path: Path) -> bool:
    """Remove the kept login; False when there was none."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise FlashcardsError(f"{path}: cannot remove the login ({error.strerror or error})") from None
    return True


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(value)
    return value or None
