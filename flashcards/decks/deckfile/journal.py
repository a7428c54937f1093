"""Appending to a deck file in place, undone when cut short: only the new bytes are written (adding one card to a
big deck neither copies nor syncs the whole file), yet a kill, a crash or a full disk never leaves half a card in
the person's file for flashcards to read.

Before the first new byte, a journal beside the deck (`.NAME.append`, hidden, there only while an append runs)
records the file's size and identity and a hash of the bytes to come, and is made durable. Then the bytes go at
the end and are synced, and the journal goes. A journal found later (recover(), run before a deck file is read)
tells of an append cut short: when all its bytes are there it is simply removed, else the file is cut back to the
size it had. A file replaced, shortened or written by someone else since is left as it is.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO

from ...errors import FlashcardsError

_MAGIC = b"flashcards append 1"
_PIECE = 1 << 20
_OTHER_WRITER_S = 10  # a deck written this long after its journal was written by someone else, not by the append


def journal_path(path: Path) -> Path:
    """Where the journal of an append to the deck at `path` (its target, for a symlink) is kept."""
    target = path.resolve()
    return target.with_name(f".{target.name}.append")


def append_in_place(path: Path, new: BinaryIO, length: int, expected_state: tuple[int, int]) -> None:
    """Add the `length` bytes of `new` (a file, read from its start) at the end of the deck at `path`, which must
    still be as it was in `expected_state`; a failure leaves the file as it was (or, killed, for recover())."""
    journal = journal_path(path)
    with open(path.resolve(), "r+b") as deck:
        fd = deck.fileno()
        info = os.fstat(fd)
        if (info.st_mtime_ns, info.st_size) != expected_state:
            raise FlashcardsError(f"{path}: changed on disk while flashcards had it open; nothing written, run again")
        size = info.st_size
        _write_journal(path, journal, size, info.st_ino, size + length, _hash_of(new, length))
        try:
            new.seek(0)
            at = size
            while at < size + length and (piece := new.read(min(_PIECE, size + length - at))):
                at += os.pwrite(fd, piece, at)
            if at != size + length:
                raise OSError(errno.EIO, "the new cards could not be read back")
            os.fsync(fd)
            if os.stat(path).st_ino != info.st_ino:  # saved over meanwhile (by an editor's rename): not in it
                raise FlashcardsError(f"{path}: changed on disk while flashcards had it open; nothing written, "
                                      "run again")
        except BaseException as exc:
            try:  # still alive: undo it here and now
                os.ftruncate(fd, size)
                os.fsync(fd)
                journal.unlink()
            except OSError:
                pass  # the journal stays: recover() cuts the file back
            if isinstance(exc, OSError):
                raise FlashcardsError(f"{path}: cannot write ({_reason(exc)})") from None
            raise
    journal.unlink()  # (left by a crash after the sync: every byte is there, recover() just removes it)


def recover(path: Path) -> None:
    """Finish what an append to the deck at `path` that was cut short left: nothing to do (one stat) without
    its journal; else, under the deck's lock (an append still running finishes first), the file is made whole."""
    journal = journal_path(path)
    if not os.path.lexists(journal):
        return
    from ..locks import deck_lock

    with deck_lock(path):
        try:
            record = journal.read_bytes()
            journal_time = journal.stat().st_mtime
        except FileNotFoundError:
            return  # the append finished while we waited
        except OSError as exc:
            raise FlashcardsError(f"{journal}: cannot read ({exc.strerror})") from None
        _undo(path.resolve(), record, journal_time)
        journal.unlink(missing_ok=True)
        _sync_folder(journal.parent)


def _undo(target: Path, record: bytes, journal_time: float) -> None:
    """Cut the deck back to its size before the append the journal `record` tells of, unless that append is
    whole, or the file is no longer what it was left as."""
    fields = record.split()
    if record[:len(_MAGIC)] != _MAGIC or len(fields) != 7:
        return  # not ours, or written half: the deck was not touched before the journal was whole
    old_size, inode, new_size, wanted = int(fields[3]), int(fields[4]), int(fields[5]), fields[6].decode()
    try:
        with open(target, "r+b") as deck:
            info = os.fstat(deck.fileno())
            if (info.st_ino != inode or not old_size <= info.st_size <= new_size
                    or info.st_mtime > journal_time + _OTHER_WRITER_S):
                return  # replaced, shortened, grown or saved since: the person's file now, left as it is
            if info.st_size == old_size or (info.st_size == new_size
                                            and _hash_at(deck.fileno(), old_size, new_size) == wanted):
                return  # not begun, or whole
            os.ftruncate(deck.fileno(), old_size)
            os.fsync(deck.fileno())
    except FileNotFoundError:
        return


def _write_journal(path: Path, journal: Path, old_size: int, inode: int, new_size: int, wanted: str) -> None:
    record = b"%s %d %d %d %s\n" % (_MAGIC, old_size, inode, new_size, wanted.encode())
    try:
        fd = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, record)
            os.fsync(fd)
        finally:
            os.close(fd)
        _sync_folder(journal.parent)  # the journal is on disk before the deck's first new byte
    except OSError as exc:
        journal.unlink(missing_ok=True)
        raise FlashcardsError(f"{path}: cannot write ({_reason(exc)})") from None


def _hash_of(new: BinaryIO, length: int) -> str:
    import hashlib

    digest = hashlib.sha1(usedforsecurity=False)
    new.seek(0)
    left = length
    while left and (piece := new.read(min(_PIECE, left))):
        digest.update(piece)
        left -= len(piece)
    return digest.hexdigest()


def _hash_at(fd: int, start: int, end: int) -> str:
    import hashlib

    digest = hashlib.sha1(usedforsecurity=False)
    while start < end and (piece := os.pread(fd, min(_PIECE, end - start), start)):
        digest.update(piece)
        start += len(piece)
    return digest.hexdigest()


def _sync_folder(folder: Path) -> None:
    if os.name == "nt":
        return  # (no folder handles to sync on Windows)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return "disk full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror or str(exc)
