"""Printing what a command did, for people (rich) or for machines (--json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .console import out_console
from .formats import plural, sparkline

if TYPE_CHECKING:
    from collections.abc import Sequence

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
        + (f"{report.already} already in the deck, " if report.already else "")
        + f"{plural(len(report.warnings), 'warning')}; {plural(report.total_cards, 'card')} in the deck"
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
            f"Not enough history to fit FSRS yet: {plural(result.reviews, 'review')} on a later day than the card's previous "
            f"answer, {result.needed} more needed. Nothing was changed; FSRS's defaults stay in use.", markup=False,
        )
        return
    from rich.table import Table

    c = result.comparison
    table = Table(title=f"Prediction of {plural(c.held_out, 'held-out review')} (of {c.reviews}; lower is better)")
    table.add_column("parameters")
    table.add_column("log loss", justify="right")
    table.add_column("RMSE (bins)", justify="right")
    table.add_row("FSRS defaults", f"{c.defaults.log_loss:.4f}", f"{c.defaults.rmse_bins:.4f}")
    table.add_row("fitted to you", f"{c.fitted.log_loss:.4f}", f"{c.fitted.rmse_bins:.4f}")
    for number, fold in enumerate(c.folds, 1):
        table.caption = "fold rows: defaults / fitted, each fitted on the reviews before the fold"
        table.add_row(f"  fold {number} ({plural(fold.reviews, 'review')})",
                      f"{fold.defaults.log_loss:.4f} / {fold.fitted.log_loss:.4f}",
                      f"{fold.defaults.rmse_bins:.4f} / {fold.fitted.rmse_bins:.4f}")
    console.print(table)
    since = f", answers since {result.since}" if result.since else ""
    console.print(f"Used {plural(result.cards, 'card')} and {plural(result.reviews, 'long-term review')}{since}; the fit "
                  f"won {c.folds_won} of {plural(len(c.folds), 'fold')}.", markup=False)
    if result.saved:
        console.print("Fitted parameters saved: your reviews are now scheduled with them.", markup=False)
        if result.recomputed is not None:
            r = result.recomputed
            moved = f", {plural(r.rescheduled, 'due date')} moved" if r.rescheduled else ""
            console.print(f"Memory states recomputed from the log: {r.changed} of {plural(r.cards, 'card')} changed{moved}.",
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
    table = Table(title=f"{plural(result.deck_size, 'new card')} over {plural(result.days, 'day')}, {source}")
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
                  f"(yours once your log holds enough answers). Averaged over {plural(result.seeds, 'run')}; total minutes ranged:",
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


def _config_value(name: str, value) -> str:
    """A setting's value as `config` shows it (and takes it back)."""
    if name == "parameters":
        return "FSRS defaults" if not value else " ".join(f"{v:.4g}" for v in value)
    if isinstance(value, list):
        return " ".join(f"{v:g}" for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def print_config(settings, path, key: str | None, as_json: bool, deck: str | None = None,
                 own: Sequence[str] = ()) -> None:
    """Every setting (or one) with its value; with `deck`, as that deck's (`own`: the keys it sets itself, the
    rest marked as the store's)."""
    from dataclasses import asdict

    values = asdict(settings)
    if key is not None:
        values = {key: values[key]}
    if as_json:
        print(json.dumps(values if key is None else values[key]))
        return
    console = out_console()
    for name, value in values.items():
        if name == "decks":  # each deck's own settings, one line each, under the store's
            for deck_name, deck_own in sorted(value.items()):
                for own_key, own_value in deck_own.items():
                    console.print(f"[deck {deck_name}] {own_key} = {_config_value(own_key, own_value)}", markup=False)
            continue
        if name == "fitted":
            if not value:
                continue
            shown = f"on {value.get('date')} from {plural(value.get('reviews') or 0, 'review')}"
        else:
            shown = _config_value(name, value)
        if deck is not None:
            whose = "" if name in own else " (the store's)"
            console.print(f"[deck {deck}] {name} = {shown}{whose}", markup=False)
            continue
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
    if report.repair is not None:  # check --repair
        if report.repair.refused:
            sys.stderr.write(f"{report.repair.refused}\n")
        else:
            console.print(report.repair.describe(), markup=False)
    if report.ok:
        console.print(f"{report.path}: ok ({plural(report.cards, 'card')}, {plural(report.answers, 'answer')})",
                      markup=False)
    if report.backups:
        console.print(f"backups ({len(report.backups)}): newest {report.backups[-1]}", markup=False)
    else:
        console.print("no backups yet (one is made each day you review)", markup=False)


def restore_plan_line(plan) -> str:
    """What `restore` will do, in one line, before anything does."""
    moving = f"; move {', '.join(p.name for p in plan.moving)} to {plan.aside}" if plan.moving else ""
    holds = ", and its settings" if plan.backup.settings is not None else "; it holds no settings file"
    return f"Restore {plan.backup.path} ({plural(plan.backup.answers, 'answer')}{holds}) into {plan.store}{moving}"


def print_restored(report) -> None:
    """What `restore` did: the store and the settings put back, where the files it replaced went, the check."""
    plan = report.plan
    lines = [f"Restored {plan.backup.path} into {plan.store}: {plural(report.cards, 'card')}, "
             f"{plural(report.answers, 'answer')}"]
    if plan.backup.settings is not None:
        lines.append(f"Settings: {plan.settings_file} restored from the backup")
    elif plan.settings_file in report.moved:
        lines.append("Settings: the backup holds none (the defaults were in use), so the defaults apply; yours are "
                     f"in {plan.aside / plan.settings_file.name}")
    else:
        lines.append("Settings: none in the backup and none here, so the defaults apply")
    if report.moved:
        lines.append(f"The files it replaced were moved, untouched, to {plan.aside}: "
                     + ", ".join(path.name for path in report.moved))
    lines.append("The deck cache refills from your deck files on the next command."
                 if report.check_ok else "Warning: `flashcards check` finds problems in the restored store.")
    console = out_console()
    for line in lines:
        console.print(line, markup=False)


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
    lines = [f"{verb} with {report.collection}:", *_sync_lines(report)]
    if not report.dry_run and report.changed:
        backups = ", ".join(b for b in (report.anki_backup, report.store_backup) if b)
        if backups:
            lines.append(f"Backups taken first: {backups}")
        lines.append("Sync Anki with AnkiWeb as usual to take this to your other devices.")
    console.print("\n".join(lines), markup=False)


def _sync_lines(report) -> list[str]:
    """What a sync changed on each side, one line a kind, and what it refused or left out."""
    lines = [
        f"  notes: {report.notes_added} added, {report.notes_updated} updated in Anki",
        f"  answers: {report.answers_to_anki} to Anki, {report.answers_to_store} from Anki",
        f"  schedules moved: {plural(len(report.schedules_moved), 'card')}",
    ]
    if report.left_in_anki:
        lines.append(f"  left in Anki: {plural(len(report.left_in_anki), 'note')} no longer in these decks "
                     "(delete them in Anki if you want them gone)")
    for move in report.deck_moves:  # every move of cards from one Anki deck to another, named
        lines.append(f"  {'would move' if report.dry_run else 'moved'} in Anki: {move['from']} -> {move['to']} "
                     f"({plural(move['cards'], 'card')})")
    if report.moves_refused:
        lines.append(f"A sync would refuse these moves: {report.moves_refused}.")
    if report.dry_run:
        lines.append("Nothing was written (--dry-run).")
    elif not report.changed:
        lines.append("Nothing to do: both sides already agree.")
    return lines


def print_web_sync(report, as_json: bool) -> None:
    """What `sync --web` did (or would do): one line saying how the server and flashcards' copy of the collection
    met, then what changed on each side, as `sync` says it; or all of it as JSON."""
    console = out_console()
    if as_json:
        console.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    lines = [report.what]
    if report.server_message:
        lines.append(f"  {report.server} says: {' '.join(report.server_message.split())}")
    lines += _sync_lines(report.sync)
    sync = report.sync
    if not report.dry_run and sync.changed:
        backups = ", ".join(b for b in (sync.anki_backup, sync.store_backup) if b)
        if backups:
            lines.append(f"Backups taken first: {backups}")
    console.print("\n".join(lines), markup=False)


def print_logged_in(server: str, username: str, key_file: str) -> None:
    """The login worked: where its key is kept (never the password)."""
    out_console().print(f"Logged in to {server} as {username}; the key it gave is kept in {key_file} (readable by "
                        "you alone; your password is not kept). Sync with: flashcards sync DECKS --web", markup=False)


def print_logged_out(username: str | None, key_file: str, forgotten: bool) -> None:
    """The key is gone (or there was none)."""
    if not forgotten:
        out_console().print(f"Not logged in (no key in {key_file}); nothing to forget.", markup=False)
        return
    who = f" {username}" if username else ""
    out_console().print(f"Logged out{who}: the key in {key_file} is forgotten.", markup=False)


def print_sync_target(collection: str, parent: str | None) -> None:
    """The one line saying a sync repeats the last one's collection and parent deck (on stderr: --json stays
    clean)."""
    from .console import err_console

    under = f"under {parent}" if parent else "with no parent deck"
    err_console().print(f"syncing with {collection} {under}, as last time", markup=False)


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

    from .formats import format_interval, format_moment

    now = datetime.now(UTC)
    rows = []
    for item in found:
        interval = "" if item.interval_days is None else format_interval(timedelta(days=item.interval_days))
        stability = "" if item.row.schedule.stability is None else f"{item.row.schedule.stability:.1f}d"
        due = "" if item.due is None else format_moment(item.due, now)
        passage = " ".join(item.card.front.split())
        rows.append({"id": item.card.id, "deck": item.deck, "state": item.status.value, "due": due,
                     "interval": interval, "stability": stability, "passage": passage})
    console = out_console()
    if rows:
        console.print(cards_table(rows, console.width))
    console.print(plural(len(rows), "card"), markup=False, style="dim")


CARD_COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("id", "left"), ("deck", "left"), ("state", "left"), ("due", "left"), ("interval", "right"),
    ("stability", "right"), ("passage", "left"))
CARD_COLUMNS_KEPT = ("id", "state", "due", "passage")  # at any width: `--card` needs the whole id
CARD_COLUMNS_OPTIONAL = ("deck", "interval", "stability")  # shown in this order while the passage keeps room
PASSAGE_ROOM = 30  # the passage's least width before an optional column is shown (cells)


def cards_table(rows: list[dict[str, str]], width: int):
    """The `cards` table for a terminal `width` wide: whole ids, state and due always; deck, interval and
    stability (those with something to show) while the passage keeps PASSAGE_ROOM cells; the passage cut with an
    ellipsis to what is left."""
    from rich.cells import cell_len
    from rich.table import Table

    widths = {name: max(cell_len(name), *(cell_len(row[name]) for row in rows)) for name, _ in CARD_COLUMNS}
    room = min(PASSAGE_ROOM, widths["passage"])
    shown = [name for name in CARD_COLUMNS_KEPT if name != "passage"]

    def left(names: list[str]) -> int:  # what the passage gets beside these columns, two cells between columns
        return width - sum(widths[name] for name in names) - 2 * len(names)

    for name in CARD_COLUMNS_OPTIONAL:
        if not any(row[name] for row in rows):  # an empty column would only take the passage's room
            continue
        if left([*shown, name]) < room:
            break
        shown.append(name)
    table = Table(box=None, pad_edge=False, expand=False)
    for name, justify in CARD_COLUMNS:
        if name == "passage":
            table.add_column(name, justify=justify, no_wrap=True, overflow="ellipsis",
                             max_width=max(left(shown), 1))
        elif name in shown:
            table.add_column(name, justify=justify, no_wrap=True, min_width=widths[name])
    for row in rows:
        table.add_row(*(row[name] for name, _ in CARD_COLUMNS if name in shown or name == "passage"))
    return table


def print_recomputed(report, rescheduled: bool) -> None:
    """What a recomputation of memory states changed (on stderr: the settings stay the output)."""
    from .console import err_console

    moved = f", {plural(report.rescheduled, 'due date')} moved" if rescheduled else ""
    err_console().print(f"Memory states recomputed: {report.changed} of {plural(report.cards, 'card')} changed{moved}.",
                        markup=False)
