"""The review session in the terminal: drawing with rich, single keys in cbreak mode, and a line mode.

The only module that touches the tty. On a terminal: space or enter reveals, 1-4 answer, u undo, b bury,
s suspend, q quit. With standard input that is not a terminal, one command a line (see LINE_COMMANDS), so
a session can be scripted; output is then plain text.
"""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TextIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from .model import Rating
from .session import Answered, Counts, Session, Shown, Summary
from .ui.formats import format_interval, format_moment

KEYS: dict[str, str] = {
    " ": "reveal", "\r": "reveal", "\n": "reveal",
    "1": "1", "2": "2", "3": "3", "4": "4",
    "u": "undo", "b": "bury", "s": "suspend", "q": "quit", "\x03": "quit", "\x04": "quit",
}
LINE_COMMANDS: dict[str, str] = {
    "": "reveal", "show": "reveal", " ": "reveal",
    "1": "1", "2": "2", "3": "3", "4": "4", "again": "1", "hard": "2", "good": "3", "easy": "4",
    "u": "undo", "undo": "undo", "b": "bury", "bury": "bury", "s": "suspend", "suspend": "suspend",
    "q": "quit", "quit": "quit",
}
RATING_STYLES = {Rating.AGAIN: "red", Rating.HARD: "yellow", Rating.GOOD: "green", Rating.EASY: "blue"}
KIND_LABELS = {"new": "new", "learning": "learning", "review": "review", "ahead": "studied ahead"}


# ---------------------------------------------------------------- drawing

def counts_text(deck_name: str, counts: Counts) -> Text:
    """The header: deck name and what is left, coloured as Anki colours them."""
    text = Text()
    text.append(deck_name, style="bold")
    text.append("   ")
    text.append(f"New {counts.new}", style="blue")
    text.append("  ")
    text.append(f"Learning {counts.learning}", style="red")
    text.append("  ")
    text.append(f"Review {counts.review}", style="green")
    return text


def answer_buttons(shown: Shown) -> Text:
    """`1 Again 1m   2 Hard 6m   3 Good 10m   4 Easy 8d`: each answer with the interval it would give."""
    text = Text()
    for rating, schedule in shown.previews.items():
        if text:
            text.append("   ")
        text.append(f"{int(rating)} ", style="bold")
        text.append(rating.name.capitalize(), style=RATING_STYLES[rating])
        text.append(f" {format_interval(schedule.due - shown.shown_at)}")
    return text


def card_view(shown: Shown, counts: Counts, revealed: bool, message: str | None = None, *, front: bool = True) -> Group:
    """Everything on screen for one card (`front=False`: only what revealing adds, for line mode)."""
    parts: list = []
    if front:
        parts.append(counts_text(shown.deck_name, counts))
        if message:
            parts.append(Text(message, style="italic"))
        parts.append(Panel(Text(shown.card.front), title=KIND_LABELS[shown.kind], title_align="left",
                           border_style="cyan", padding=(1, 2)))
    if revealed:
        back = Text(shown.card.back or "(no commentary)", style="" if shown.card.back else "dim")
        parts.append(Panel(back, border_style="magenta", padding=(1, 2)))
        if shown.card.source:
            parts.append(Text(shown.card.source, style="dim"))
        parts.append(answer_buttons(shown))
        parts.append(Text("u undo   b bury   s suspend   q quit", style="dim"))
    else:
        parts.append(Text("space/enter: show the commentary   u undo   b bury   s suspend   q quit", style="dim"))
    return Group(*parts)


def answered_message(answered: Answered, now: datetime) -> str:
    """What the screen says after an answer (the next screen shows it: the answer is saved by then)."""
    message = f"Saved: {answered.rating.name.capitalize()}, due {format_moment(answered.schedule.due, now)}"
    if answered.leech:
        message += f". Leech: forgotten {answered.schedule.lapses} times, so it is suspended (edit it, then: flashcards unsuspend --card {answered.card_id})"
    return message


def summary_text(summary: Summary, now: datetime) -> Text:
    """The end of a session in one paragraph."""
    minutes, seconds = divmod(round(summary.duration_ms / 1000), 60)
    text = Text()
    text.append(f"Answered {summary.answered} card{'s' if summary.answered != 1 else ''}", style="bold")
    text.append(f" in {minutes}m {seconds:02d}s")
    if summary.again_rate is not None:
        text.append(f", again {summary.again_rate:.0%}")
    text.append(". ")
    if summary.next_due is not None:
        text.append(f"Next card due {format_moment(summary.next_due, now)}.")
    else:
        text.append("No studied card is scheduled yet.")
    return text


def nothing_due_text(counts: Counts, now: datetime) -> Text:
    """What to say when a session starts with nothing to study."""
    text = Text("Nothing is due now. ")
    if counts.next_due is not None:
        text.append(f"Next card due {format_moment(counts.next_due, now)}. ")
    text.append("Use --ahead to study the cards due soonest anyway.", style="dim")
    return text


# ---------------------------------------------------------------- the loop

def run(session: Session, commands: Iterator[str | None], show: Callable[[object], None], *, interactive: bool) -> Summary:
    """Drive a session with commands (None: a timeout tick while waiting) and draw with `show`.

    Interactive: the answer is hidden until revealed and a learning card not yet due is waited for;
    line mode: answering reveals implicitly and a wait ends the session.
    """
    message: str | None = None
    first = True
    while True:
        shown = session.next_card()
        if shown is None:
            due = session.next_learning_due()
            now = session.clock()
            if first and due is None:
                show(nothing_due_text(session.counts(), now))
                break
            if due is None:
                break
            wait = f"Next card due {format_moment(due, now)}."
            if not interactive:
                show(Text(wait))
                break
            show(Group(Text(message or ""), Text(f"{wait} Waiting for it (u undo, q quit).")))
            command = next(commands, "quit")
            if command == "quit":
                break
            if command == "undo":
                message = _undo_message(session)
            continue
        first = False
        outcome = _one_card(session, shown, commands, show, interactive, message)
        if outcome is None:
            break
        message = outcome
    summary = session.finish()
    show(summary_text(summary, session.clock()))
    return summary


def _one_card(session: Session, shown: Shown, commands: Iterator[str | None], show: Callable[[object], None],
              interactive: bool, message: str | None) -> str | None:
    """Show a card until it is answered, buried, suspended or undone; returns the next message, None to quit."""
    revealed = False
    counts = session.counts()  # what is left does not change while this card is on screen
    show(card_view(shown, counts, revealed, message))
    for command in commands:
        if command is None:
            continue
        if command == "quit":
            return None
        if command == "reveal" and not revealed:
            revealed = True
            show(card_view(shown, counts, revealed, message, front=interactive))
        elif command in ("1", "2", "3", "4") and (revealed or not interactive):
            answered = session.answer(shown, Rating(int(command)))
            return answered_message(answered, session.clock())
        elif command == "bury":
            session.bury(shown)
            return "Buried until tomorrow."
        elif command == "suspend":
            session.suspend(shown)
            return "Suspended."
        elif command == "undo":
            return _undo_message(session) if session.can_undo() else "Nothing to undo."
    return None


def _undo_message(session: Session) -> str:
    return "Undone: the card is back as it was." if session.undo() else "Nothing to undo."


# ---------------------------------------------------------------- terminal and lines

def run_terminal(session: Session, console: Console | None = None) -> Summary:
    """An interactive session on the terminal: single keys, the screen redrawn per card."""
    console = console or Console(highlight=False, emoji=False)  # wrapping on: long and wide text folds

    def show(renderable: object) -> None:
        console.clear()
        console.print(renderable)

    with _cbreak(sys.stdin) as keys:
        return run(session, keys, show, interactive=True)


def run_lines(session: Session, lines: Iterable[str], out: TextIO) -> Summary:
    """A scripted session: one command a line; plain text out."""
    console = Console(file=out, color_system=None, highlight=False, emoji=False, width=_width(out), soft_wrap=False)

    def show(renderable: object) -> None:
        console.print(renderable)
        console.print()
        out.flush()

    def commands() -> Iterator[str | None]:
        for line in lines:
            word = line.strip().lower()
            command = LINE_COMMANDS.get(word)
            if command is None:
                sys.stderr.write(f"unknown command {line.strip()!r} (use: show, 1-4, again/hard/good/easy, u, b, s, q)\n")
                continue
            yield command

    return run(session, commands(), show, interactive=False)


def _width(out: TextIO) -> int:
    try:
        return os.get_terminal_size(out.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return int(os.environ.get("COLUMNS", "80"))


@contextmanager
def _cbreak(stream: TextIO) -> Iterator[Iterator[str | None]]:
    """Single keypresses from a terminal (cbreak mode, restored on exit); None each second without a key."""
    import termios
    import tty

    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)

    def keys() -> Iterator[str | None]:
        while True:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                yield None
                continue
            data = os.read(fd, 32)
            if not data:  # the terminal went away
                yield "quit"
                return
            for char in data.decode("utf-8", "replace"):
                yield KEYS.get(char.lower(), "")

    try:
        yield keys()
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


__all__ = ["run", "run_lines", "run_terminal"]
