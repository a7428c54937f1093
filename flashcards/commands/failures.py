"""Every failure as one line on stderr and an exit code: ours, the store's, and our own bugs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import FlashcardsError
from ..store import damaged_store_error, resolve_db_path
from ..ui.console import error_line, usage_error_line


def report_failure(exc: Exception, argv: list[str]) -> int:
    """Print one line for a failure that escaped a command; returns the exit code."""
    if isinstance(exc, FlashcardsError):
        error_line(str(exc))
        return exc.exit_code
    if isinstance(exc, sqlite3.OperationalError):  # locked past the busy timeout, disk full, read-only, ...
        error_line(f"{resolve_db_path(_db_argument(argv))}: {exc}")
        return 1
    if isinstance(exc, sqlite3.DatabaseError):  # damage found after the store opened: never replaced
        error_line(str(damaged_store_error(resolve_db_path(_db_argument(argv)), exc)))
        return 1
    # a bug of ours: one line for the person, the traceback on request
    error_line(f"internal error: {type(exc).__name__}: {exc} (run with FLASHCARDS_DEBUG=1 for details)")
    return 2


def report_usage_error(exc) -> int:
    """A usage error the parser found (a missing option, a bad value, an unknown option or command) as one line
    naming the command's help; returns its exit code (2). With no arguments at all the help was shown already."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        return exc.exit_code
    ctx = getattr(exc, "ctx", None)
    usage_error_line(exc.format_message(), ctx.command_path if ctx is not None else "flashcards")
    return exc.exit_code


def _db_argument(args: list[str]) -> Path | None:
    """The --db given on the command line, to name the store in a damage message."""
    for index, arg in enumerate(args):
        if arg == "--db" and index + 1 < len(args):
            return Path(args[index + 1])
        if arg.startswith("--db="):
            return Path(arg[5:])
    return None
