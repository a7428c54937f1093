"""Advisory locks on an open file, held by the process (a killed process lets go as it dies): flock on POSIX,
msvcrt's byte lock on Windows; and the bounded wait every lock of ours makes before it refuses."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from ..errors import FlashcardsError

POLL_S = 0.05


def wait_for_lock(fd: int, wait_s: float, refusal: Callable[[], FlashcardsError]) -> None:
    """Take the lock on `fd`, waiting up to `wait_s` for its holder; then raise `refusal()` (one line)."""
    deadline = time.monotonic() + wait_s
    while not try_lock(fd):
        if time.monotonic() >= deadline:
            raise refusal()
        time.sleep(POLL_S)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def try_lock(fd: int) -> bool:
        """Take the lock if it is free; False when another holds it."""
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def unlock(fd: int) -> None:
        """Let go of the lock."""
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def try_lock(fd: int) -> bool:
        """Take the lock if it is free; False when another holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(fd: int) -> None:
        """Let go of the lock."""
        fcntl.flock(fd, fcntl.LOCK_UN)
