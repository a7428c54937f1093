"""Writing outputs safely: a regular file is replaced atomically (a temporary file beside it, flushed, renamed
over it); a symlink is followed, so its target gets the new content; anything that is not a regular file
(/dev/stdout, a pipe, /dev/full) is written straight into, never replaced."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import FlashcardsError

DECK_SUFFIXES = (".yaml", ".yml")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`; a failure at any point leaves the old file byte-identical."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            handle.write(data)

    write_atomic_via(path, write)


def write_atomic_via(path: Path, writer: Callable[[Path], None],
                     before_replace: Callable[[Path], None] | None = None) -> None:
    """Let `writer` fill a temporary path, then move it over `path` in one rename.

    `before_replace(path)` runs just before the rename (to re-check the file); raising there leaves it as it was.
    A symlink is followed; a path that is not a regular file is handed to `writer` itself.
    """
    path = Path(path)
    if (path.exists() and not path.is_file()) or str(path).startswith(("/dev/", "/proc/")):
        _write_straight(path, writer)
        return
    if path.is_symlink():
        path = path.resolve()
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        os.close(fd)
    except OSError as exc:
        raise FlashcardsError(f"{path}: cannot write ({exc.strerror})") from None
    tmp = Path(tmp_name)
    try:
        writer(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        if before_replace is not None:
            before_replace(path)
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise FlashcardsError(f"{path}: cannot write ({_reason(exc)})") from None
        raise


def _write_straight(path: Path, writer: Callable[[Path], None]) -> None:
    """A device, a pipe, a terminal: write into it; it is never replaced."""
    try:
        kind = os.stat(path).st_mode
        if stat.S_ISDIR(kind):
            raise FlashcardsError(f"{path}: is a folder")
        writer(path)
    except OSError as exc:
        raise FlashcardsError(f"{path}: cannot write ({_reason(exc)})") from None


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk full"
    return exc.strerror or str(exc)


def refuse_to_replace_a_deck(path: Path, what: str) -> None:
    """Refuse to overwrite a deck (any .yaml/.yml file, or a file that reads as our deck YAML) with `what`."""
    path = Path(path)
    target = path.resolve() if path.is_symlink() else path
    if not target.is_file():
        return
    looks_like_deck = target.suffix.lower() in DECK_SUFFIXES
    if not looks_like_deck:
        try:
            with open(target, "rb") as handle:
                head = handle.read(4096)
        except OSError:
            return
        looks_like_deck = head.lstrip(b"\xef\xbb\xbf").startswith(b"name:") and b"\ncards:" in head
    if looks_like_deck:
        raise FlashcardsError(f"{path}: is a deck file; refusing to overwrite it with {what} (choose another -o)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
