"""The import-anki report, as text or JSON."""

from __future__ import annotations

import json

from .formats import plural


def print_anki_import(report, as_json: bool = False) -> None:
    """What came home from Anki: notes recognised, answers added, schedules taken, and what was left out."""
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    from .console import out_console

    console = out_console()
    lines = [
        f"{report.package}: {report.format} package, {plural(report.notes, 'note')} "
        f"({report.ours} made by flashcards, {report.from_anki} made in Anki)",
        f"answers: {report.answers_added} added, {report.answers_already} already in the review log",
        "schedules taken from Anki (its answer was the latest, or the card was new here): "
        f"{report.schedules_from_anki}",
    ]
    if report.deck:
        lines.append(f"{report.deck}: {plural(report.added_to_deck, 'card')} added, {report.already_in_deck} already there"
                     + (f", {report.skipped_empty} with an empty first field skipped" if report.skipped_empty else ""))
    for line in lines:
        console.print(line, markup=False)
    for hint in report.hints:
        console.print(hint, markup=False, style="yellow")
