"""`flashcards simulate`: the workload a deck would bring, per desired retention."""

from __future__ import annotations

from pathlib import Path

from .history_context import open_history


def run(deck_size: int, days: int, retentions: list[float] | None, optimal: bool, seed: int, db: Path | None,
        as_json: bool, deck: str | None = None) -> None:
    """Simulate with the person's parameters (a deck's own with `deck`) and, when their log holds enough, their own
    costs and odds; say which settings were simulated."""
    from ..scheduling.workload import DEFAULT_RETENTIONS, simulate_workload
    from ..ui.console import err_console, out_console
    from ..ui.reports import print_simulation
    from .context import settings_in_use
    from .deck_settings import deck_name

    with open_history(db, None) as inputs:
        names = [deck_name(deck, db)] if deck is not None else []
        settings, label = settings_in_use(inputs.settings, names)
        if deck is not None and not inputs.settings.decks.get(names[0]):
            label = f"the store's settings (deck {names[0]} has none of its own)"
        with err_console().status("Simulating…"):
            answers = inputs.store.answers() if inputs.store is not None else None
            result = simulate_workload(settings, deck_size, days, retentions or DEFAULT_RETENTIONS, seed, optimal,
                                       answers, settings_label=label)
    print_simulation(result, as_json)
    if not as_json:
        out_console().print(f"Simulated with {label}.", markup=False)
