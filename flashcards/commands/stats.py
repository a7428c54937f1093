"""`flashcards stats`: how memory is doing, in the terminal, as JSON, or as an HTML page."""

from __future__ import annotations

from pathlib import Path

from .history_context import open_history


def run(decks: list[Path] | None, db: Path | None, html: Path | None, as_json: bool) -> None:
    """Compute the statistics of the decks (every card by default) and print or write them."""
    from ..stats.source import settings_summary, store_stats
    from ..ui.reports import print_stats

    if html is not None:
        from ..files.atomic import refuse_to_replace_a_deck

        refuse_to_replace_a_deck(html, "a web page")
    from .context import deck_names_of, settings_in_use

    with open_history(db, decks) as inputs:
        settings, label = settings_in_use(inputs.settings, deck_names_of(inputs.store, inputs.keys))
        result = store_stats(inputs.store, inputs.keys, settings)
    print_stats(result, {**settings_summary(settings), "settings": label}, html, as_json)
