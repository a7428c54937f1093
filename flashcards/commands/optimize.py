"""`flashcards optimize`: fit FSRS to the person's history; saved only when it predicts better."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ..errors import FlashcardsError
from .history_context import open_history


def run(decks: list[Path] | None, db: Path | None, as_json: bool, *, since: str | None = None,
        reschedule: bool = False, for_deck: bool = False) -> None:
    """Fit, compare with the defaults fold by fold, save when better (states recomputed), print what happened;
    `for_deck`: the parameters are saved as the named decks' own (Anki: optimizing their preset)."""
    from ..scheduling.optimize import optimize
    from ..ui.console import err_console, out_console
    from ..ui.reports import print_optimize
    from .context import deck_names_of

    start = parse_day(since)
    if for_deck and not decks:
        raise FlashcardsError("--for-deck: name the decks whose own parameters to fit (deck files or folders)")
    with open_history(db, decks) as inputs, err_console().status("Fitting FSRS to your reviews…"):
        names = deck_names_of(inputs.store, inputs.keys) if for_deck and inputs.store is not None else []
        if for_deck and not names:
            raise FlashcardsError("--for-deck: no deck of these has been reviewed yet; nothing to fit")
        result = optimize(inputs.store, inputs.keys, inputs.settings, inputs.save, since=start, reschedule=reschedule,
                          for_decks=names)
    print_optimize(result, as_json)
    if result.saved and names and not as_json:
        out_console().print(f"Saved as the own parameters of {', '.join(names)} (the other decks keep theirs).",
                            markup=False)


def parse_day(text: str | None) -> datetime | None:
    """A YYYY-MM-DD date as the UTC moment its local day begins (None stays None)."""
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").astimezone().astimezone(UTC)
    except ValueError:
        raise FlashcardsError(f"--since: expected a date like 2025-01-31, not {text!r}") from None
