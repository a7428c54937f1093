"""Printing what a command did, for people (rich) or for machines (--json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .console import out_console

if TYPE_CHECKING:
    from .convert import ConvertReport


def convert_report_dict(report: ConvertReport) -> dict:
    """The convert report as plain data."""
    return {
        "deck": str(report.deck_path),
        "cards_added": report.added,
        "duplicates_merged": report.merged,
        "already_in_deck": report.already,
        "deck_written": report.written,
        "cards_in_deck": report.total_cards,
        "warnings": report.warnings,
        "files": [
            {
                "file": item.source, "format": item.format, "highlights": item.found, "added": item.added,
                "merged": item.merged, "already_in_deck": item.already, "skipped": dict(item.skipped),
            }
            for item in report.files
        ],
    }


def print_convert_report(report: ConvertReport, as_json: bool = False) -> None:
    """One line per file, the warnings, then the totals."""
    if as_json:
        print(json.dumps(convert_report_dict(report), ensure_ascii=False, indent=2))
        return
    console = out_console()
    for item in report.files:
        skipped = ", ".join(f"{count} {reason}" for reason, count in sorted(item.skipped.items()))
        line = f"{item.source}: {item.format}, {_n(item.added, 'card')} added, {_n(item.merged, 'duplicate')} merged"
        if item.already:
            line += f", {item.already} already in the deck"
        console.print(line + (f", skipped {skipped}" if skipped else ""), markup=False)
    for warning in report.warnings:
        console.print(f"warning: {warning}", style="yellow", markup=False)
    summary = (
        f"{report.deck_path}: {_n(report.added, 'card')} added, {_n(report.merged, 'duplicate')} merged, "
        f"{_n(len(report.warnings), 'warning')}; {_n(report.total_cards, 'card')} in the deck"
    )
    console.print(summary + ("" if report.written else " (unchanged)"), markup=False, style="bold")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def print_due(counts, now, as_json: bool) -> None:
    """What is due now: for people, or as JSON."""
    if as_json:
        print(json.dumps(counts.to_dict()))
        return
    from .clock import format_moment

    line = f"New {counts.new}   Learning {counts.learning}   Review {counts.review}"
    if counts.next_due is not None:
        line += f"   (next studied card due {format_moment(counts.next_due, now)})"
    out_console().print(line, markup=False)
