"""`flashcards optimize`: fit FSRS to the person's history; saved only when it predicts better."""

from __future__ import annotations

from pathlib import Path

from .insights_context import open_history


def run(decks: list[Path] | None, db: Path | None, as_json: bool) -> None:
    """Fit, compare with the defaults, save when better, print what happened."""
    from ..insights import optimize
    from ..ui.console import err_console
    from ..ui.reports import print_optimize

    with open_history(db, decks) as inputs, err_console().status("Fitting FSRS to your reviews…"):
        result = optimize(inputs.store, inputs.keys, inputs.settings, inputs.save)
    print_optimize(result, as_json)
