"""`flashcards logout`: forget the key `flashcards login` kept. The mirror collection stays (a copy of what the
server holds, used again at the next login to the same account); delete its folder to remove it too."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError


def run(db: Path | None) -> None:
    from ..store import resolve_db_path
    from ..sync.credentials import forget_login, load_login, login_path
    from ..ui.reports import print_logged_out

    path = login_path(resolve_db_path(db))
    try:
        login = load_login(path)
    except FlashcardsError:  # a damaged login file is forgotten all the same
        login = None
    forgotten = forget_login(path)
    print_logged_out(login.username if login else None, str(path), forgotten)
