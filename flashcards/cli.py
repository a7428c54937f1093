"""The command line: each command parses its arguments and calls the library (kept thin on purpose)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .commands import options
from .errors import FlashcardsError
from .model import CardStatus, PackageFormat

app = typer.Typer(
    name="flashcards",
    help="Spaced repetition for the passages you highlighted: convert exports to decks, review, export to Anki.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _plain_required_metavar() -> None:
    """Usage lines as people read them (`convert [OPTIONS] EXPORT...`): typer wraps required arguments in braces."""
    from typer.core import TyperArgument

    braced = TyperArgument.make_metavar

    def make_metavar(self, ctx, *, usage: bool = False) -> str:
        var = braced(self, ctx, usage=usage)
        return var[1:-1] if usage and self.required and var.startswith("{") and var.endswith("}") else var

    TyperArgument.make_metavar = make_metavar  # type: ignore[method-assign]


_plain_required_metavar()

DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="FLASHCARDS_DB", help="The review store (SQLite). Default: your data directory.",
                 dir_okay=False, show_default=False),
]


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
    inputs: Annotated[list[Path], typer.Argument(help="Highlight exports: files or folders; - reads standard input.", metavar="EXPORT...", show_default=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="The deck file to create or add to.", dir_okay=False)],
    name: Annotated[str | None, typer.Option(help="Deck name (default: the output file's name).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag for every new card; repeatable.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Input format; detected from the content if omitted.",
                                            autocompletion=options.format_names)] = None,
    front_col: Annotated[str | None, typer.Option(help="For tables: the column holding the passage.")] = None,
    back_col: Annotated[str | None, typer.Option(help="For tables: the column holding the commentary.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Turn highlight exports into a YAML deck; converting into an existing deck adds only new cards.

    Example:

    flashcards convert seeds/ -o decks/seeds.yaml --tag reading
    """
    from .commands import convert as command

    command.run(inputs, output, name, tuple(tag or ()), fmt, front_col, back_col, as_json)


@app.command()
def export(
    decks: Annotated[list[Path], typer.Argument(help="Deck files (or folders of them).", metavar="DECK...", show_default=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .apkg file to write.", dir_okay=False)],
    parent: Annotated[
        str | None, typer.Option(help="Parent deck name when exporting several decks (default: flashcards).")
    ] = None,
    no_scheduling: Annotated[
        bool, typer.Option("--no-scheduling", help="Notes only: leave out each card's schedule and answers.")
    ] = False,
    package_format: Annotated[
        PackageFormat, typer.Option("--format", help="legacy (collection.anki2: every Anki since 2.1) or current "
                                    "(collection.anki21b, zstd: Anki 2.1.50 and later).")
    ] = PackageFormat.LEGACY,
    db: DbOption = None,
) -> None:
    """Export decks to an Anki package; importing a newer export updates notes instead of duplicating them.

    Each card's schedule, memory state and every answer go along (import in Anki with "Import any learning progress"); decks are read through the review store's copy, so an unchanged deck is not parsed again.

    Example:

    flashcards export decks/seeds.yaml -o seeds.apkg
    """
    from .commands import export as command

    command.run(decks, output, parent, db, scheduling=not no_scheduling, package_format=PackageFormat(package_format).value)


@app.command("import-anki")
def import_anki(
    package: Annotated[Path, typer.Argument(help="An .apkg (exported with scheduling) or .colpkg from Anki.",
                                            dir_okay=False, show_default=False)],
    deck: Annotated[Path | None, typer.Option("--deck", help="The YAML deck to add notes made in Anki to.",
                                               dir_okay=False)] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Bring Anki's answers home: answers on your cards join the review log once, memory states are recomputed.

    Notes made in Anki become cards of --deck (first field the front, second the back), with their history.

    Example:

    flashcards import-anki ~/Desktop/reading.apkg --deck decks/from-anki.yaml
    """
    from .commands import import_anki as command

    command.run(package, deck, db, as_json)


DeckArgs = Annotated[
    list[Path] | None,
    typer.Argument(help="Deck files or folders of them (default: ./decks).", metavar="[DECK]...", show_default=False),
]





SearchOption = Annotated[str | None, typer.Option("--search", help="Only cards whose passage, commentary or source holds this text.")]
TagFilterOption = Annotated[list[str] | None, typer.Option("--tag", help="Only cards with this tag; repeatable (any of them).")]




@app.command()
def review(
    decks: DeckArgs = None,
    db: DbOption = None,
    ahead: Annotated[bool, typer.Option(help="When nothing is due, study the cards due soonest anyway.")] = False,
    tag: TagFilterOption = None,
    search: SearchOption = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Stop after this many cards.", show_default=False)] = None,
    minutes: Annotated[float | None, typer.Option(min=0.1, help="Stop once this many minutes have passed.", show_default=False)] = None,
) -> None:
    """Review the cards that are due, in the terminal; every answer is saved at once.

    Keys: space or enter shows the commentary, 1-4 answer Again / Hard / Good / Easy, u undoes, b buries until tomorrow, s suspends, e edits the card, q quits; ↑/↓ or j/k and PgUp/PgDn scroll a long card.

    With standard input that is not a terminal: one command a line (show, 1-4 or again/hard/good/easy, u, b, s, q), for scripts.

    Example:

    flashcards review decks/ --tag chapter-3 --minutes 15
    """
    from .commands import review as command

    only = options.card_filter(search, tag) if tag or search else None
    command.run(decks, db, ahead, only=only, limit_cards=limit, limit_minutes=minutes)


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
    from .commands import due as command

    command.run(decks, db, as_json)



@app.command()
def cards(
    decks: DeckArgs = None,
    search: SearchOption = None,
    tag: TagFilterOption = None,
    state: Annotated[CardStatus | None, typer.Option(help="Only cards in this state: new, learning, review, suspended "
                                                     "or leech.", metavar="<state>", show_default=False)] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the cards as JSON.")] = False,
) -> None:
    """Find cards by text, tag and state: id, deck, state, due, interval and stability of each.

    Example:

    flashcards cards decks/ --search Montaigne --state review
    """
    from .commands import cards as command

    command.run(decks, options.card_filter(search, tag, state), db, as_json)


@app.command()
def unsuspend(
    decks: DeckArgs = None,
    card: Annotated[list[str] | None, typer.Option("--card", help="Only this card: its id, or the start of it "
                                                    "when no other id starts so; repeatable.")] = None,
    search: SearchOption = None,
    tag: TagFilterOption = None,
    leeches: Annotated[bool, typer.Option("--leeches", help="Only cards suspended as leeches.")] = False,
    db: DbOption = None,
) -> None:
    """Bring suspended cards (and leeches) back into review; filters as in `flashcards cards`.

    Example:

    flashcards unsuspend decks/seeds.yaml --tag chapter-3
    """
    from .commands import unsuspend as command

    command.run(decks, options.card_filter(search, tag, "leech" if leeches else None, card), db)


@app.command()
def sync(
    decks: DeckArgs = None,
    anki: Annotated[Path | None, typer.Option(help="Anki's collection.anki2 or a profile folder (default: the one "
                                                   "these decks were last synced with, else the single profile in "
                                                   "Anki's data folder).", show_default=False)] = None,
    parent: Annotated[str | None, typer.Option(help="Parent deck name, as given to `export` (default: the one last "
                                                    "used with this collection, else flashcards; '' for none).",
                                               show_default=False)] = None,
    move_decks: Annotated[bool, typer.Option("--move-decks", help="Move cards Anki has to the decks another "
                                                                  "--parent gives them.")] = False,
    web: Annotated[bool, typer.Option("--web", help="Sync with your collection on AnkiWeb or your own sync server "
                                                    "(after `flashcards login`) instead of a collection file.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Keep your Anki collection and the store as one memory: notes, answers both ways, one schedule.

    Cards are added to or updated in Anki as `export` makes them; answers join the other side once.

    Each card's memory state, due date and interval come from the merged answers and your parameters.

    Close Anki first; both sides are backed up before writing. Then sync Anki with AnkiWeb as usual.

    With --web: with AnkiWeb or your own sync server (after `flashcards login`), never uploading over it.

    Example:

    flashcards sync decks --anki "~/.local/share/Anki2/User 1" --dry-run

    flashcards login && flashcards sync decks --web
    """
    from .commands import sync as command

    command.run(decks, anki, parent, dry_run, db, as_json, move_decks, web)


@app.command()
def login(
    server: Annotated[str | None, typer.Option(help="Your own Anki sync server, as http://HOST:PORT/ (default: "
                                                    "AnkiWeb).", show_default=False)] = None,
    username: Annotated[str | None, typer.Option(help="Your AnkiWeb email or the server's username (default: "
                                                      "asked).", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """Log in to AnkiWeb or your own Anki sync server, for `sync --web`.

    The password is asked without echo, or read from FLASHCARDS_SYNC_PASSWORD; it is never kept.

    Only the key the server gives is kept, beside the store, readable by you alone.

    Example:

    flashcards login --username me@example.com
    """
    from .commands import login as command

    command.run(server, username, db)


@app.command()
def logout(db: DbOption = None) -> None:
    """Forget the key `flashcards login` kept.

    Example:

    flashcards logout
    """
    from .commands import logout as command

    command.run(db)


@app.command()
def stats(
    decks: Annotated[list[Path] | None, typer.Argument(help="Deck files or folders (default: every card).", metavar="[DECK]...", show_default=False)] = None,
    db: DbOption = None,
    html: Annotated[Path | None, typer.Option(help="Also write the charts to this self-contained HTML page (no scripts; fits a phone).", dir_okay=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """How your memory is doing: cards by state, forecast, a year's heatmap, true retention, reviews by kind, answer
    buttons, hours of the day, cards added, intervals, stability, difficulty and retrievability.

    The page (--html) has a range picker (1 month, 3 months, 1 year, all) that works without scripts; the
    terminal shows the last 30 days and a table of every range; --json has them all.

    Example:

    flashcards stats decks/seeds.yaml --html stats.html
    """
    from .commands import stats as command

    command.run(decks, db, html, as_json)


@app.command()
def optimize(
    decks: Annotated[list[Path] | None, typer.Argument(help="Deck files or folders (default: every card).", metavar="[DECK]...", show_default=False)] = None,
    since: Annotated[str | None, typer.Option(help="Ignore cards first answered before this date (YYYY-MM-DD).", show_default=False)] = None,
    reschedule: Annotated[bool, typer.Option(help="Also move review cards' due dates to what the new parameters give.")] = False,
    for_deck: Annotated[bool, typer.Option("--for-deck", help="Save the parameters as the named decks' own, not for "
                                           "every deck (Anki: optimize their preset).")] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Fit FSRS to your own review history; the parameters are saved only if they predict your reviews better.

    Saving recomputes every card's memory state from its answers with them (as Anki does); --reschedule also moves due dates.

    Example:

    flashcards optimize --since 2025-01-01 --reschedule
    """
    from .commands import optimize as command

    command.run(decks, db, as_json, since=since, reschedule=reschedule, for_deck=for_deck)


@app.command()
def simulate(
    deck_size: Annotated[int, typer.Option(min=1, max=1_000_000, help="New cards to learn.")] = 1000,
    days: Annotated[int, typer.Option(min=1, max=36500, help="Days to simulate.")] = 365,
    retention: Annotated[list[float] | None, typer.Option(min=0.7, max=0.99, help="Desired retention to try; repeatable (default 0.80 0.85 0.90 0.95).")] = None,
    optimal: Annotated[bool, typer.Option(help="Find the retention that costs least per card memorized.")] = False,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same result).")] = 42,
    deck: Annotated[str | None, typer.Option("--deck", help="Simulate with this deck's own settings (its name or deck "
                                             "file; default: the store's).", show_default=False)] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Simulate your workload: reviews and minutes per day, cards memorized, per desired retention.

    Uses your fitted parameters when `flashcards optimize` saved some, else FSRS's defaults.

    Once your log holds enough answers, your own review costs and button odds; three runs averaged, spread shown.

    Example:

    flashcards simulate --deck-size 2000 --retention 0.85 --optimal
    """
    from .commands import simulate as command

    command.run(deck_size, days, retention, optimal, seed, db, as_json, deck)








@app.command(help=options.config_help(), context_settings={"ignore_unknown_options": True})  # `-1` is a value
def config(
    key: Annotated[str | None, typer.Argument(help="A setting's name (omit to list them all).", show_default=False,
                                              autocompletion=options.setting_names)] = None,
    value: Annotated[str | None, typer.Argument(help="A new value, or `default`.", show_default=False)] = None,
    reschedule: Annotated[bool, typer.Option(help="Also move review cards' due dates to what the new settings give.")] = False,
    deck: Annotated[str | None, typer.Option("--deck", help="A deck's own settings (its name or deck file), over the "
                                             "store's: Anki's presets.", show_default=False)] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
) -> None:
    from .commands import config as command

    command.run(key, value, db, as_json, reschedule=reschedule, deck=deck)




@app.command()
def check(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    repair: Annotated[bool, typer.Option("--repair", help="Recount answer counts that disagree with the review log "
                                         "from it (a copy of the store is taken first); never for a damaged store.")] = False,
) -> None:
    """Check the review store: SQLite's integrity check and our own, each problem with a fix; lists backups.

    Exits 1 when something is wrong. Never changes the store, unless --repair is given.

    Example:

    flashcards check
    """
    from .commands import check as command

    if not command.run(db, as_json, repair):
        raise typer.Exit(1)


@app.command()
def restore(
    backup: Annotated[Path | None, typer.Argument(help="The backup file (default: the newest good one).",
                                                  show_default=False, dir_okay=False)] = None,
    db: DbOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Put a backup in the store's place; the current store (with its -wal and -shm) is moved, untouched, into a new dated folder beside it, never overwritten.

    Example:

    flashcards restore --yes
    """
    from .commands import restore as command

    command.run(backup, db, yes)


def main(argv: list[str] | None = None) -> None:
    """Run the app; a FlashcardsError becomes one line on stderr and a non-zero exit, never a traceback; so does a
    usage error (`flashcards: error: Missing option '-o' / '--output'. See 'flashcards convert --help'.`, exit 2)."""
    from typer._click.exceptions import ClickException

    try:
        code = app(args=argv, prog_name="flashcards", standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except (typer.Abort, EOFError):  # standard input ended while a question waited for its answer
        sys.stderr.write("flashcards: aborted\n")
        sys.exit(1)
    except ClickException as exc:
        from .commands.failures import report_usage_error

        sys.exit(report_usage_error(exc))
    except Exception as exc:
        from .commands.failures import report_failure

        if os.environ.get("FLASHCARDS_DEBUG") and not isinstance(exc, FlashcardsError):
            raise
        sys.exit(report_failure(exc, sys.argv[1:] if argv is None else argv))
    if isinstance(code, int) and code:
        sys.exit(code)
