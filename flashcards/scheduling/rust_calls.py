"""Calls into fsrs-rs: a Rust panic (pyo3's PanicException, a BaseException) becomes our one-line error, and
the panic's message and backtrace, which Rust writes straight to file descriptor 2, are kept off the screen."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import FlashcardsError


@contextmanager
def into_fsrs_rs(what: str) -> Iterator[None]:
    """Run a call into fsrs-rs; a panic (or its refusal of the parameters) is one line naming `what`."""
    with _quiet_fd2():
        try:
            yield
        except BaseException as exc:
            if type(exc).__name__ != "PanicException" and not isinstance(exc, ValueError):
                raise
            detail = " ".join(str(exc).split())[:200]
            raise FlashcardsError(f"{what}: fsrs-rs could not compute it ({detail}); check the FSRS parameters "
                                  "with `flashcards config parameters`") from None


@contextmanager
def _quiet_fd2() -> Iterator[None]:
    """Send what is written to file descriptor 2 meanwhile to a scratch file (Rust's panic hook writes there)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
