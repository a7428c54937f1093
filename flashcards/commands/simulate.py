"""`flashcards simulate`: the workload a deck would bring, per desired retention."""

from __future__ import annotations

from pathlib import Path

from .history_context import open_history


def run(deck_size: int, days: int, retentions: list[float] | None, optimal: bool, seed: int, db: Path | None,
        as_json: bool) -> None:
    """Simulate with the person's parameters and, when their log holds enough, their own costs and odds."""
    from ..scheduling.workload import DEFAULT_RETENTIONS, simulate_workload
    from ..ui.console import err_console
    from ..ui.reports import print_simulation

    with open_history(db, None) as inputs, err_console().status("Simulating…"):
        answers = inputs.store.answers() if inputs.store is not None else None
        result = simulate_workload(inputs.settings, deck_size, days, retentions or DEFAULT_RETENTIONS, seed, optimal,
                                   answers)
    print_simulation(result, as_json)
