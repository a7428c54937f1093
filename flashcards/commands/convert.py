"""`flashcards convert`: highlight exports into a deck file."""

from __future__ import annotations

from pathlib import Path


def run(inputs: list[Path], output: Path, name: str | None, tags: tuple[str, ...], fmt: str | None,
        front_col: str | None, back_col: str | None, as_json: bool) -> None:
    """Convert the inputs into the deck and print the report."""
    from ..decks.merge import convert
    from ..decks.open_decks import known_deck_via_store
    from ..importers import ImportOptions
    from ..ui.console import progress_bar
    from ..ui.reports import print_convert_report

    # the deck's ids from the store's cache when there is a store: adding to a big deck parses nothing
    with progress_bar("Reading", None) as advance, known_deck_via_store(output) as known:
        report = convert(inputs, output, name, tags, fmt, ImportOptions(front_col, back_col),
                         progress=lambda source: advance(1, source), known=known,
                         writing=lambda done, total: advance(done, f"Writing {output.name}", total))
    print_convert_report(report, as_json)
