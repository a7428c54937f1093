"""`flashcards login`: log in to AnkiWeb (or Anki's self-hosted sync server) for `sync --web`.

The password comes from a prompt that does not echo it, or from $FLASHCARDS_SYNC_PASSWORD (for scripts); never
from an argument, where other users could read it in the process list. The anki library logs in with it; only the
key the server returns is kept (sync/credentials.py), in a file beside the store that only its owner can read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import FlashcardsError

PASSWORD_ENV = "FLASHCARDS_SYNC_PASSWORD"


def run(server: str | None, username: str | None, db: Path | None) -> None:
    """Ask what is missing, log in, keep the key, say where."""
    from ..anki.live import require_anki
    from ..anki.web import login, server_address, server_name
    from ..store import resolve_db_path
    from ..sync.credentials import SyncLogin, login_path, save_login
    from ..ui.reports import print_logged_in

    require_anki()
    endpoint = server_address(server) if server else None
    name = (username or "").strip() or _ask_username(server_name(endpoint))
    password = _password(name)
    key = login(name, password, endpoint)
    path = login_path(resolve_db_path(db))
    save_login(path, SyncLogin(name, endpoint, key))
    print_logged_in(server_name(endpoint), name, str(path))


def _ask_username(server: str) -> str:
    if not sys.stdin.isatty():
        raise FlashcardsError("login: pass --username NAME (standard input is not a terminal)")
    from ..ui.console import err_console

    name = err_console().input(f"{server} username: ").strip()
    if not name:
        raise FlashcardsError("login: no username given; nothing was saved")
    return name


def _password(username: str) -> str:
    """From $FLASHCARDS_SYNC_PASSWORD, else a prompt on the terminal that does not echo."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    import getpass

    if not (sys.stdin.isatty() or _has_terminal()):
        raise FlashcardsError(f"login: no terminal to ask the password on; set {PASSWORD_ENV} (never pass it as an "
                              "argument)")
    password = getpass.getpass(f"Password for {username}: ")
    if not password:
        raise FlashcardsError("login: no password given; nothing was saved")
    return password


def _has_terminal() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True
