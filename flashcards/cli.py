"""The command line: each command parses its arguments and calls the library (kept thin on purpose)."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import FlashcardsError

app = typer.Typer(
    name="flashcards",
    help="Spaced repetition for the passages you highlighted: convert exports to decks, review, export to Anki.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="FLASHCARDS_DB", help="The review store (SQLite). Default: your data directory.",
                 dir_okay=False, show_default=False),
]


def open_store(db: Path | None, *, create: bool = True, backup: bool = False):
    """The review store named by --db / FLASHCARDS_DB / the default; `backup` takes today's backup first."""
    from .store import Store, resolve_db_path

    store = Store(resolve_db_path(db), create=create)
    if backup:
        store.backup_daily()
    return store


def store_settings(store):
    """The settings kept beside a store."""
    from .settings import load_settings, settings_path

    return load_settings(settings_path(store.path))


def settings_file(db: Path | None) -> Path:
    """Where the settings of the store named by --db / FLASHCARDS_DB / the default live."""
    from .settings import settings_path
    from .store import resolve_db_path

    return settings_path(resolve_db_path(db))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"flashcards {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Spaced repetition for the passages you highlighted."""


@app.command()
def convert(
    inputs: Annotated[list[Path], typer.Argument(help="Highlight exports: files or folders.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The deck file to create or add to.", dir_okay=False)],
    name: Annotated[str | None, typer.Option(help="Deck name (default: the output file's name).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag for every new card; repeatable.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Input format; detected from the content if omitted.")] = None,
    front_col: Annotated[str | None, typer.Option(help="For tables: the column holding the passage.")] = None,
    back_col: Annotated[str | None, typer.Option(help="For tables: the column holding the commentary.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Turn highlight exports into a YAML deck; converting into an existing deck adds only new cards.

    Example:

        flashcards convert seeds/ -o decks/seeds.yaml --tag reading
    """
    from .decks import known_deck_via_store
    from .importers import ImportOptions
    from .merge import convert as run_convert
    from .ui.console import progress_bar
    from .ui.reports import print_convert_report

    with progress_bar("Reading", None) as advance, known_deck_via_store(output) as known:
        report = run_convert(
            inputs, output, name, tuple(tag or ()), fmt, ImportOptions(front_col, back_col),
            progress=lambda source: advance(1, source), known=known,
        )
    print_convert_report(report, as_json)


@app.command()
def export(
    decks: Annotated[list[Path], typer.Argument(help="Deck files (or folders of them).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .apkg file to write.", dir_okay=False)],
    parent: Annotated[
        str | None, typer.Option(help="Parent deck name when exporting several decks (default: flashcards).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export decks to an Anki package; importing a newer export updates notes instead of duplicating them.

    Decks are read through the review store's copy, so an unchanged deck is not parsed again.

    Example:

        flashcards export decks/seeds.yaml -o seeds.apkg
    """
    from .anki.package_out import export_decks
    from .decks import load_through_store, note_times
    from .ui.console import parse_progress, progress_bar

    with open_store(db) as store:
        with parse_progress() as on_parse:
            loaded = load_through_store(store, decks, on_parse)
        times = note_times(store, loaded, parent)
        with progress_bar("Exporting", sum(len(deck.cards) for deck in loaded)) as advance:
            count = export_decks(loaded, output, parent, progress=advance, note_times=times)
    typer.echo(f"Exported {count} notes from {len(loaded)} deck{'s' if len(loaded) != 1 else ''} to {output}")


DeckArgs = Annotated[
    list[Path] | None,
    typer.Argument(help="Deck files or folders of them (default: ./decks).", show_default=False),
]


def _deck_paths(decks: list[Path] | None) -> list[Path]:
    if decks:
        return decks
    if Path("decks").is_dir():
        return [Path("decks")]
    raise FlashcardsError("no deck given and no ./decks folder here; name a deck file or folder")


def _open_session(db: Path | None, decks: list[Path] | None, *, ahead: bool = False, backup: bool = False):
    from .decks import open_decks
    from .scheduler import FSRSScheduler
    from .session import Session
    from .ui.console import parse_progress

    store = open_store(db, backup=backup)
    settings = store_settings(store)
    with parse_progress() as on_parse:
        opened = open_decks(store, _deck_paths(decks), on_parse)
    return Session(store, opened, FSRSScheduler.from_settings(settings), settings, ahead=ahead)


@app.command()
def review(
    decks: DeckArgs = None,
    db: DbOption = None,
    ahead: Annotated[bool, typer.Option(help="When nothing is due, study the cards due soonest anyway.")] = False,
) -> None:
    """Review the cards that are due, in the terminal; every answer is saved at once.

    Keys: space or enter shows the commentary, 1-4 answer Again / Hard / Good / Easy, u undoes,
    b buries until tomorrow, s suspends, q quits. With standard input that is not a terminal, one
    command a line (show, 1-4 or again/hard/good/easy, u, b, s, q), for scripts.

    Example:

        flashcards review decks/seeds.yaml
    """
    from .tui import run_lines, run_terminal

    session = _open_session(db, decks, ahead=ahead, backup=True)
    with session.store:
        if sys.stdin.isatty() and sys.stdout.isatty():
            run_terminal(session)
        else:
            run_lines(session, sys.stdin, sys.stdout)


@app.command()
def due(
    decks: DeckArgs = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Show what is due now (new / learning / review, within today's limits) without starting a session.

    Example:

        flashcards due decks/ --json
    """
    from .ui.reports import print_due

    session = _open_session(db, decks)
    with session.store:
        print_due(session.counts(), session.clock(), as_json)


def _insight_inputs(db: Path | None, decks: list[Path] | None):
    """(store or None when there is none yet, deck keys or None for all cards, settings, a saver)."""
    from .decks import open_decks
    from .settings import load_settings, save_settings
    from .store import resolve_db_path

    store = open_store(db) if decks or resolve_db_path(db).exists() else None
    keys = [deck.key for deck in open_decks(store, decks)] if decks else None
    where = settings_file(db)
    return store, keys, load_settings(where), lambda settings: save_settings(settings, where)


@app.command()
def unsuspend(
    decks: DeckArgs = None,
    card: Annotated[list[str] | None, typer.Option("--card", help="Only this card id; repeatable.")] = None,
    db: DbOption = None,
) -> None:
    """Bring suspended cards (and leeches) back into review.

    Example:

        flashcards unsuspend decks/seeds.yaml --card 1e30125dbbdc0777
    """
    from .decks import open_decks

    with open_store(db) as store:
        keys = [deck.key for deck in open_decks(store, _deck_paths(decks))]
        count = store.unsuspend(keys, card or ())
    typer.echo(f"Unsuspended {count} card{'s' if count != 1 else ''}.")


@app.command()
def stats(
    decks: Annotated[list[Path] | None, typer.Argument(help="Deck files or folders (default: every card).", show_default=False)] = None,
    db: DbOption = None,
    html: Annotated[Path | None, typer.Option(help="Also write the charts to this self-contained HTML page.", dir_okay=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """How your memory is doing: cards by state, a 30-day forecast, a year's heatmap, true retention.

    Example:

        flashcards stats decks/seeds.yaml --html stats.html
    """
    from .insights import settings_summary, store_stats

    store, keys, settings, _ = _insight_inputs(db, decks)
    result = store_stats(store, keys, settings)
    if store is not None:
        store.close()
    if html is not None:
        from .atomic import write_atomic
        from .ui.stats_html import render_html

        write_atomic(html, render_html(result, settings_summary(settings)).encode("utf-8"))
    if as_json:
        import json

        typer.echo(json.dumps({**result.to_dict(), "settings": settings_summary(settings)}, ensure_ascii=False))
    else:
        from rich.console import Console

        from .ui.stats_terminal import render_terminal

        render_terminal(result, Console(highlight=False), settings_summary(settings))
        if html is not None:
            typer.echo(f"Wrote {html}")


@app.command()
def optimize(
    decks: Annotated[list[Path] | None, typer.Argument(help="Deck files or folders (default: every card).", show_default=False)] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Fit FSRS to your own review history; the parameters are saved only if they predict your reviews better.

    Example:

        flashcards optimize
    """
    from .insights import optimize as run_optimize
    from .ui.console import err_console
    from .ui.reports import print_optimize

    store, keys, settings, save = _insight_inputs(db, decks)
    with err_console().status("Fitting FSRS to your reviews…"):
        result = run_optimize(store, keys, settings, save)
    if store is not None:
        store.close()
    print_optimize(result, as_json)


@app.command()
def simulate(
    deck_size: Annotated[int, typer.Option(min=1, max=1_000_000, help="New cards to learn.")] = 1000,
    days: Annotated[int, typer.Option(min=1, max=36500, help="Days to simulate.")] = 365,
    retention: Annotated[list[float] | None, typer.Option(min=0.7, max=0.99, help="Desired retention to try; repeatable (default 0.80 0.85 0.90 0.95).")] = None,
    optimal: Annotated[bool, typer.Option(help="Find the retention that costs least per card memorized.")] = False,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same result).")] = 42,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Simulate your workload: reviews and minutes per day, cards memorized, per desired retention.

    Uses your fitted parameters when `flashcards optimize` saved some, else FSRS's defaults.

    Example:

        flashcards simulate --deck-size 2000 --days 365 --retention 0.85 --retention 0.9 --optimal
    """
    from .insights import DEFAULT_RETENTIONS, simulate_workload
    from .settings import load_settings
    from .ui.console import err_console
    from .ui.reports import print_simulation

    settings = load_settings(settings_file(db))
    with err_console().status("Simulating…"):
        result = simulate_workload(settings, deck_size, days, retention or DEFAULT_RETENTIONS, seed, optimal)
    print_simulation(result, as_json)


@app.command()
def config(
    key: Annotated[str | None, typer.Argument(help="A setting's name (omit to list them all).", show_default=False)] = None,
    value: Annotated[str | None, typer.Argument(help="A new value, or `default`.", show_default=False)] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
) -> None:
    """See or change settings: desired retention, FSRS parameters, daily limits, steps, day start.

    Example:

        flashcards config desired_retention 0.85
    """
    from .settings import load_settings, names, save_settings, set_from_text
    from .ui.reports import print_config

    path = settings_file(db)
    settings = load_settings(path)
    if key is not None and key not in names():
        raise FlashcardsError(f"unknown setting {key!r} (known: {', '.join(names())})")
    if value is not None:
        set_from_text(settings, key, value)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_settings(settings, path)
    print_config(settings, path, key, as_json)


@app.command()
def check(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check the review store: SQLite's integrity check and our own, each problem with a fix; lists backups.

    Exits 1 when something is wrong. Never changes the store.

    Example:

        flashcards check
    """
    from .store import resolve_db_path
    from .store.checks import check_store
    from .ui.reports import print_check

    report = check_store(resolve_db_path(db))
    print_check(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


def main(argv: list[str] | None = None) -> None:
    """Run the app; a FlashcardsError becomes one line on stderr and a non-zero exit, never a traceback."""
    from .ui.console import error_line

    try:
        app(args=argv, prog_name="flashcards", standalone_mode=True)
    except FlashcardsError as exc:
        error_line(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except sqlite3.OperationalError as exc:  # locked past the busy timeout, disk full, read-only, ...
        from .store import resolve_db_path

        error_line(f"{resolve_db_path(_db_argument(argv))}: {exc}")
        sys.exit(1)
    except sqlite3.DatabaseError as exc:  # damage found after the store opened: never a traceback, never replaced
        from .store import damaged_store_error, resolve_db_path

        error_line(str(damaged_store_error(resolve_db_path(_db_argument(argv)), exc)))
        sys.exit(1)
    except Exception as exc:  # a bug of ours: one line for the person, the traceback on request
        if os.environ.get("FLASHCARDS_DEBUG"):
            raise
        error_line(f"internal error: {type(exc).__name__}: {exc} (run with FLASHCARDS_DEBUG=1 for details)")
        sys.exit(2)


def _db_argument(argv: list[str] | None) -> Path | None:
    """The --db given on the command line, to name the store in a damage message."""
    args = sys.argv[1:] if argv is None else argv
    for index, arg in enumerate(args):
        if arg == "--db" and index + 1 < len(args):
            return Path(args[index + 1])
        if arg.startswith("--db="):
            return Path(arg[5:])
    return None
