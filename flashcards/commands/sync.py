"""`flashcards sync`: the decks' cards, answers and schedules, the same in the store and in Anki's collection.

The collection is opened first: while Anki has it open the sync stops there, before the store is touched (what the
decks were last synced with is read from the store without writing to it). Without --anki the collection synced
with last time is used (else the single profile in Anki's data folder); without --parent, the parent used last
time with that collection; either said in one line.

With --web the collection is the person's on AnkiWeb (or their own Anki sync server), reached through flashcards'
mirror of it (sync/web.py) with the key `flashcards login` kept. A set of decks last synced that way is synced
that way again when neither --anki nor --web is given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FlashcardsError
from .context import deck_paths, open_store, store_settings

if TYPE_CHECKING:
    from ..store.sync_state import SyncTarget


def run(decks: list[Path] | None, anki: Path | None, parent: str | None, dry_run: bool, db: Path | None,
        as_json: bool, move_decks: bool = False, web: bool = False) -> None:
    """Open Anki's collection, then the store and the decks; sync; print the report."""
    from ..anki.live import locate_collection, open_collection
    from ..decks.open_decks import load_streamed
    from ..store import resolve_db_path
    from ..store.sync_state import last_sync_target
    from ..sync import sync_with_anki
    from ..sync.web import is_mirror
    from ..ui.console import err_console, parse_progress
    from ..ui.reports import print_sync, print_sync_target

    if web and anki is not None:
        raise FlashcardsError("sync: --anki and --web name two collections; give one of them")
    paths = deck_paths(decks)
    key = deck_set_key(paths)
    db_path = resolve_db_path(db)
    last = last_sync_target(db_path, key)
    if web or (anki is None and last is not None and is_mirror(db_path, last.collection)):
        _run_web(paths, key, last, parent, dry_run, db, as_json, move_decks, announce=not web)
        return
    if anki is None and last is not None:
        path = Path(last.collection)
        if not path.is_file():
            raise FlashcardsError(f"{path}: the collection these decks were last synced with is gone; pass --anki PATH")
    else:
        path = locate_collection(anki)
    same = last is not None and str(path.resolve()) == last.collection
    from_memory = last is not None and (anki is None or (parent is None and same and last.parent is not None))
    if parent is None and same:
        parent = last.parent if last is not None else None
    if from_memory and last is not None:
        print_sync_target(str(path), parent or None)
    with open_collection(path) as col, open_store(db) as store:
        settings = store_settings(store)
        with parse_progress() as on_parse:
            loaded = load_streamed(store, paths, on_parse)
        with err_console().status("Syncing with Anki…"):
            report = sync_with_anki(store, col, loaded, settings, parent=parent, dry_run=dry_run,
                                    move_decks=move_decks, remember=key)
    report.as_last_time = from_memory
    print_sync(report, as_json)


def _run_web(paths: list[Path], key: str, last: SyncTarget | None, parent: str | None, dry_run: bool,
             db: Path | None, as_json: bool, move_decks: bool, announce: bool) -> None:
    """`sync --web`: the account `flashcards login` logged in to, through its mirror; the parent deck last used
    with that mirror unless --parent is given."""
    from ..anki.live import require_anki
    from ..anki.web import server_name
    from ..decks.open_decks import load_streamed
    from ..store import resolve_db_path
    from ..sync.credentials import load_login, login_path
    from ..sync.web import mirror_path, sync_with_server
    from ..ui.console import err_console, parse_progress
    from ..ui.reports import print_sync_target, print_web_sync

    require_anki()
    db_path = resolve_db_path(db)
    login_file = login_path(db_path)
    login = load_login(login_file)
    if login is None:
        raise FlashcardsError("sync --web: not logged in; run flashcards login (AnkiWeb) or flashcards login "
                              "--server URL (your own sync server) first")
    server = server_name(login.server)
    same = last is not None and last.collection == str(mirror_path(db_path, login).resolve())
    from_memory = announce or (same and parent is None and last is not None and last.parent is not None)
    if parent is None and same and last is not None:
        parent = last.parent
    if from_memory:
        print_sync_target(f"{server} as {login.username}", parent or None)
    with open_store(db) as store:
        settings = store_settings(store)
        with parse_progress() as on_parse:
            loaded = load_streamed(store, paths, on_parse)
        with err_console().status(f"Syncing with {server}…"):
            report = sync_with_server(store, loaded, settings, login, login_file, parent=parent, dry_run=dry_run,
                                      move_decks=move_decks, remember=key)
    report.sync.as_last_time = from_memory
    print_web_sync(report, as_json)


def deck_set_key(paths: list[Path]) -> str:
    """What identifies a set of decks across syncs: the files and folders named, as full paths (a deck file
    added to a named folder keeps the set the same)."""
    return json.dumps(sorted(str(path.expanduser().resolve()) for path in paths), ensure_ascii=False)
