"""Atomic file replacement: a temporary file beside the target, flushed to disk, then renamed over it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import FlashcardsError


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`; a failure at any point leaves the old file byte-identical."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            handle.write(data)

    write_atomic_via(path, write)


def write_atomic_via(path: Path, writer: Callable[[Path], None]) -> None:
    """Let `writer` fill a temporary path, then move it over `path` in one rename."""
    path = Path(path)
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
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise FlashcardsError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
