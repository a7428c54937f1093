"""`flashcards optimize`: fit FSRS to the person's history; saved only when it predicts better."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ..errors import FlashcardsError
from .history_context import open_history


def run(decks: list[Path] | None, db: Path | None, as_json: bool, *, since: str | None = None,
        reschedule: bool = False) -> None:
    """Fit, compare with the defaults fold by fold, save when better (states recomputed), print what happened."""
    from ..scheduling.optimize import optimize
    from ..ui.console import err_console
    from ..ui.reports import print_optimize

    start = parse_day(since)
    with open_history(db, decks) as inputs, err_console().status("Fitting FSRS to your reviews…"):
        result = optimize(inputs.store, inputs.keys, inputs.settings, inputs.save, since=start, reschedule=reschedule)
    print_optimize(result, as_json)


def parse_day(text: str | None) -> datetime | None:
    """A YYYY-MM-DD date as the UTC moment its local day begins (None stays None)."""
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").astimezone().astimezone(UTC)
    except ValueError:
        raise FlashcardsError(f"--since: expected a date like 2025-01-31, not {text!r}") from None
