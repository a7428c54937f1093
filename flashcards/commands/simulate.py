"""`flashcards simulate`: the workload a deck would bring, per desired retention."""

from __future__ import annotations

from pathlib import Path

from .context import settings_file


def run(deck_size: int, days: int, retentions: list[float] | None, optimal: bool, seed: int, db: Path | None,
        as_json: bool) -> None:
    """Simulate with the person's parameters (or the defaults) and print the table."""
    from ..insights import DEFAULT_RETENTIONS, simulate_workload
    from ..settings import load_settings
    from ..ui.console import err_console
    from ..ui.reports import print_simulation

    settings = load_settings(settings_file(db))
    with err_console().status("Simulating…"):
        result = simulate_workload(settings, deck_size, days, retentions or DEFAULT_RETENTIONS, seed, optimal)
    print_simulation(result, as_json)
