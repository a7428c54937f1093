"""A lock on a deck file, held across read-merge-write so two writers never lose each other's cards.

On POSIX the lock is flock() on the folder holding the deck (no file is left beside your decks; writers to
decks of one folder take turns); on Windows, msvcrt on a `.NAME.lock` file beside the deck. The lock goes
with the process, so a crash never leaves it held.
A second writer waits (bounded), then fails with one line. Re-entrant within a process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import FlashcardsError
from ..files.flock import unlock, wait_for_lock

WAIT_S = 60.0  # how long a second writer waits for the first
_held: dict[str, int] = {}
_held_lock = threading.Lock()


def lock_path(deck: Path) -> Path:
    """What is locked for a deck (for the file a symlink points to): its folder, or a lock file on Windows."""
    target = deck.resolve()
    return target.with_name(f".{target.name}.lock") if os.name == "nt" else target.parent


@contextmanager
def deck_lock(deck: Path, wait_s: float = WAIT_S) -> Iterator[None]:
    """Hold the deck's lock; waits up to `wait_s` for another writer, then fails with one line."""
    if deck.exists() and not deck.is_file():  # a device or a pipe: nothing on disk to protect
        yield
        return
    path = lock_path(deck)
    key = str(path)
    with _held_lock:
        if key in _held:
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_lock:
                _held[key] -= 1
        return
    try:
        deck.resolve().parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666) if os.name == "nt" else os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise FlashcardsError(f"{deck}: cannot lock the deck for writing ({exc.strerror or exc})") from None
    try:
        _acquire(fd, deck, wait_s)
        with _held_lock:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_lock:
                del _held[key]
            unlock(fd)
    finally:
        os.close(fd)


def _acquire(fd: int, deck: Path, wait_s: float) -> None:
    wait_for_lock(fd, wait_s, lambda: FlashcardsError(
        f"{deck}: another flashcards is writing this deck (waited {wait_s:.0f} s); nothing written, run again when "
        "it is done"))
