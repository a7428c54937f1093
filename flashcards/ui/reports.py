"""Printing what a command did, for people (rich) or for machines (--json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .console import out_console
from .formats import plural, sparkline

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from ..decks.merge import ConvertReport


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
        line = f"{item.source}: {item.format}, {plural(item.added, 'card')} added, {plural(item.merged, 'duplicate')} merged"
        if item.already:
            line += f", {item.already} already in the deck"
        console.print(line + (f", skipped {skipped}" if skipped else ""), markup=False)
    for warning in report.warnings:
        console.print(f"warning: {warning}", style="yellow", markup=False)
    summary = (
        f"{report.deck_path}: {plural(report.added, 'card')} added, {plural(report.merged, 'duplicate')} merged, "
        f"{plural(len(report.warnings), 'warning')}; {plural(report.total_cards, 'card')} in the deck"
    )
    console.print(summary + ("" if report.written else " (unchanged)"), markup=False, style="bold")


def print_due(counts, now, as_json: bool) -> None:
    """What is due now: for people, or as JSON."""
    if as_json:
        print(json.dumps(counts.to_dict()))
        return
    from .formats import format_moment

    line = f"New {counts.new}   Learning {counts.learning}   Review {counts.review}"
    if counts.next_due is not None:
        line += f"   (next studied card due {format_moment(counts.next_due, now)})"
    out_console().print(line, markup=False)


def print_optimize(result, as_json: bool) -> None:
    """What `optimize` found and did."""
    if as_json:
        print(json.dumps(result.to_dict()))
        return
    console = out_console()
    if result.comparison is None:
        console.print(
            f"Not enough history to fit FSRS yet: {result.reviews} reviews on a later day than the card's previous "
            f"answer, {result.needed} more needed. Nothing was changed; FSRS's defaults stay in use.", markup=False,
        )
        return
    from rich.table import Table

    c = result.comparison
    table = Table(title=f"Prediction of {c.held_out} held-out reviews (of {c.reviews}; lower is better)")
    table.add_column("parameters")
    table.add_column("log loss", justify="right")
    table.add_column("RMSE (bins)", justify="right")
    table.add_row("FSRS defaults", f"{c.defaults.log_loss:.4f}", f"{c.defaults.rmse_bins:.4f}")
    table.add_row("fitted to you", f"{c.fitted.log_loss:.4f}", f"{c.fitted.rmse_bins:.4f}")
    for number, fold in enumerate(c.folds, 1):
        table.caption = "fold rows: defaults / fitted, each fitted on the reviews before the fold"
        table.add_row(f"  fold {number} ({fold.reviews} reviews)",
                      f"{fold.defaults.log_loss:.4f} / {fold.fitted.log_loss:.4f}",
                      f"{fold.defaults.rmse_bins:.4f} / {fold.fitted.rmse_bins:.4f}")
    console.print(table)
    since = f", answers since {result.since}" if result.since else ""
    console.print(f"Used {result.cards} cards and {result.reviews} long-term reviews{since}; the fit won "
                  f"{c.folds_won} of {len(c.folds)} folds.", markup=False)
    if result.saved:
        console.print("Fitted parameters saved: your reviews are now scheduled with them.", markup=False)
        if result.recomputed is not None:
            r = result.recomputed
            moved = f", {r.rescheduled} due dates moved" if r.rescheduled else ""
            console.print(f"Memory states recomputed from the log: {r.changed} of {r.cards} cards changed{moved}.",
                          markup=False)
    else:
        console.print("The fitted parameters do not win on a majority of the folds and in total; nothing was "
                      "changed.", markup=False)


def print_simulation(result, as_json: bool) -> None:
    """The simulated workload: a table per retention and a chart of cards memorized over time."""
    if as_json:
        print(json.dumps(result.to_dict()))
        return
    from rich.table import Table

    console = out_console()
    source = "your fitted parameters" if result.parameters_source == "fitted" else "FSRS's default parameters"
    table = Table(title=f"{result.deck_size} new cards over {result.days} days, {source}")
    for name in ("retention", "reviews/day", "minutes/day", "memorized at end", "minutes per card memorized"):
        table.add_column(name, justify="right")
    for row in result.rows:
        mark = " ◀" if result.optimal is not None and row.retention == result.optimal and not result.optimal_at_floor else ""
        table.add_row(
            f"{row.retention:.1%}{mark}",
            f"{sum(row.reviews_per_day) / max(len(row.reviews_per_day), 1):.1f}",
            f"{row.total_minutes / max(len(row.minutes_per_day), 1):.1f}",
            f"{row.memorized:.0f}",
            f"{row.minutes_per_memorized_card:.2f}",
        )
    console.print(table)
    console.print("Cards memorized over time:", markup=False)
    for row in result.rows:
        console.print(f"  {row.retention:>6.1%} {sparkline(row.memorized_per_day, 48)} {row.memorized:.0f}", markup=False)
    sources = result.sources
    console.print(f"Review costs: {sources.get('costs', 'defaults')}; button odds for new cards: "
                  f"{sources.get('first_rating_odds', 'defaults')}, for reviews: {sources.get('review_rating_odds', 'defaults')} "
                  f"(yours once your log holds enough answers). Averaged over {result.seeds} runs; total minutes ranged:",
                  markup=False)
    for row in result.rows:
        low, high = row.spread.get("total_minutes", [row.total_minutes] * 2)
        console.print(f"  {row.retention:>6.1%} {low:.0f}–{high:.0f} minutes", markup=False)
    if result.optimal is not None and result.optimal_at_floor:
        console.print(f"The search stopped at its floor ({result.optimal:.0%}): the cheapest retention may be lower "
                      "still, and so low a retention is not recommended; keep yours or choose from the table.",
                      markup=False)
    elif result.optimal is not None:
        console.print(f"◀ The desired retention that costs least per card memorized: {result.optimal:.1%} "
                      f"(set it with: flashcards config desired_retention {result.optimal})", markup=False)


def print_config(settings, path, key: str | None, as_json: bool) -> None:
    """Every setting (or one) with its value."""
    from dataclasses import asdict

    values = asdict(settings)
    if key is not None:
        values = {key: values[key]}
    if as_json:
        print(json.dumps(values if key is None else values[key]))
        return
    console = out_console()
    for name, value in values.items():
        if name == "parameters":
            shown = "FSRS defaults" if not value else " ".join(f"{v:.4g}" for v in value)
        elif name == "fitted":
            if not value:
                continue
            shown = f"on {value.get('date')} from {value.get('reviews')} reviews"
        elif isinstance(value, list):
            shown = " ".join(f"{v:g}" for v in value)
        else:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
        console.print(f"{name} = {shown}", markup=False)
    if key is None:
        console.print(f"(settings file: {path})", markup=False, style="dim")


def print_check(report, as_json: bool) -> None:
    """The store check: problems with fixes (on stderr), the backups, a verdict."""
    if as_json:
        print(json.dumps(report.to_dict()))
        return
    import sys

    for problem in report.problems:
        sys.stderr.write(f"problem: {problem.message}\n  fix: {problem.fix}\n")
    console = out_console()
    if report.ok:
        console.print(f"{report.path}: ok ({report.cards} cards, {report.answers} answers)", markup=False)
    if report.backups:
        console.print(f"backups ({len(report.backups)}): newest {report.backups[-1]}", markup=False)
    else:
        console.print("no backups yet (one is made each day you review)", markup=False)


def print_export(notes: int, decks: int, output) -> None:
    """What an export wrote."""
    out_console().print(f"Exported {plural(notes, 'note')} from {plural(decks, 'deck')} to {output}", markup=False)


def print_sync(report, as_json: bool) -> None:
    """What `sync` did (or would do): on the terminal, or as JSON."""
    console = out_console()
    if as_json:
        console.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    verb = "Would sync" if report.dry_run else "Synced"
    lines = [
        f"{verb} with {report.collection}:",
        f"  notes: {report.notes_added} added, {report.notes_updated} updated in Anki",
        f"  answers: {report.answers_to_anki} to Anki, {report.answers_to_store} from Anki",
        f"  schedules moved: {plural(len(report.schedules_moved), 'card')}",
    ]
    if report.left_in_anki:
        lines.append(f"  left in Anki: {plural(len(report.left_in_anki), 'note')} no longer in these decks "
                     "(delete them in Anki if you want them gone)")
    if report.dry_run:
        lines.append("Nothing was written (--dry-run).")
    elif not report.changed:
        lines.append("Nothing to do: both sides already agree.")
    else:
        backups = ", ".join(b for b in (report.anki_backup, report.store_backup) if b)
        if backups:
            lines.append(f"Backups taken first: {backups}")
        lines.append("Sync Anki with AnkiWeb as usual to take this to your other devices.")
    console.print("\n".join(lines), markup=False)


def print_unsuspended(count: int) -> None:
    """How many cards came back."""
    out_console().print(f"Unsuspended {plural(count, 'card')}.", markup=False)


def print_stats(stats, settings: dict[str, str], html, as_json: bool) -> None:
    """The statistics: on the terminal or as JSON, and also as a page when `html` names a file."""
    if html is not None:
        from ..files.atomic import write_atomic
        from .stats_html import render_html

        write_atomic(html, render_html(stats, settings).encode("utf-8"))
    if as_json:
        print(json.dumps({**stats.to_dict(), "settings": settings}, ensure_ascii=False))
        return
    from .stats_terminal import render_terminal

    console = out_console()
    render_terminal(stats, console, settings)
    if html is not None:
        console.print(f"Wrote {html}", markup=False)


def print_cards(found, as_json: bool) -> None:
    """The cards found: a table for people (the passage cut to one line), or one JSON list."""
    if as_json:
        print(json.dumps([item.to_dict() for item in found], ensure_ascii=False))
        return
    from datetime import UTC, datetime, timedelta

    from rich.table import Table

    from .formats import format_interval, format_moment

    now = datetime.now(UTC)
    table = Table(box=None, pad_edge=False)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("id", "left"), ("deck", "left"), ("state", "left"), ("due", "left"), ("interval", "right"),
        ("stability", "right"), ("passage", "left"))
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=True, overflow="ellipsis")
    count = 0
    for item in found:
        count += 1
        interval = "" if item.interval_days is None else format_interval(timedelta(days=item.interval_days))
        stability = "" if item.row.schedule.stability is None else f"{item.row.schedule.stability:.1f}d"
        due = "" if item.due is None else format_moment(item.due, now)
        passage = " ".join(item.card.front.split())
        table.add_row(item.card.id, item.deck, item.status.value, due, interval, stability, passage)
    console = out_console()
    if count:
        console.print(table)
    console.print(f"{plural(count, 'card')}", markup=False, style="dim")


def print_recomputed(report, rescheduled: bool) -> None:
    """What a recomputation of memory states changed (on stderr: the settings stay the output)."""
    from .console import err_console

    moved = f", {plural(report.rescheduled, 'due date')} moved" if rescheduled else ""
    err_console().print(f"Memory states recomputed: {report.changed} of {plural(report.cards, 'card')} changed{moved}.",
                        markup=False)
