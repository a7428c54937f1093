"""The reviewer: a session driven by single keys on a terminal (ui.keys) or by one command a line, drawn by
ui.review_screen.

On a terminal: space or enter reveals, 1-4 answer, u undo, b bury, s suspend, q quit; a card taller than the
screen scrolls under a fixed header and key line (arrows, j/k, PgUp/PgDn). With standard input that is not a
terminal, one command a line (see LINE_COMMANDS), so a session can be scripted; output is then plain text.
Card text is drawn through ui.wrap: control characters shown, never sent; CJK lines broken by their rules.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.control import Control
from rich.padding import Padding
from rich.segment import ControlType
from rich.text import Text

from ..model import Rating
from ..review.results import Shown, Summary
from ..review.session import Session
from .formats import format_moment
from .keys import KeyReader, KeysUnavailable, single_keys
from .review_screen import (
    MAX_COLUMNS,
    CardScreen,
    answered_message,
    card_view,
    frame,
    nothing_due_text,
    summary_text,
)
from .wrap import visible

# ---------------------------------------------------------------- commands

class Command(Enum):
    """What the reviewer loop is told to do: KEYS and LINE_COMMANDS map what a person types to these."""

    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"
    REVEAL = "reveal"
    UNDO = "undo"
    BURY = "bury"
    SUSPEND = "suspend"
    EDIT = "edit"
    QUIT = "quit"

    @property
    def rating(self) -> Rating | None:
        """The answer this command gives (AGAIN to EASY), None for the others."""
        return Rating.__members__.get(self.name)


KEYS: dict[str, Command] = {  # any other key (esc included) does nothing
    " ": Command.REVEAL, "\r": Command.REVEAL, "\n": Command.REVEAL,
    "1": Command.AGAIN, "2": Command.HARD, "3": Command.GOOD, "4": Command.EASY,
    "u": Command.UNDO, "b": Command.BURY, "s": Command.SUSPEND, "e": Command.EDIT,
    "q": Command.QUIT, "\x03": Command.QUIT, "\x04": Command.QUIT,
}
SCROLL_KEYS: dict[str, str] = {"down": "down", "j": "down", "up": "up", "k": "up", "pgdn": "pgdn", "pgup": "pgup",
                               "home": "home", "end": "end"}
LINE_COMMANDS: dict[str, Command] = {
    "": Command.REVEAL, "show": Command.REVEAL, " ": Command.REVEAL,
    "1": Command.AGAIN, "2": Command.HARD, "3": Command.GOOD, "4": Command.EASY,
    "again": Command.AGAIN, "hard": Command.HARD, "good": Command.GOOD, "easy": Command.EASY,
    "u": Command.UNDO, "undo": Command.UNDO, "b": Command.BURY, "bury": Command.BURY,
    "s": Command.SUSPEND, "suspend": Command.SUSPEND, "e": Command.EDIT, "edit": Command.EDIT,
    "q": Command.QUIT, "quit": Command.QUIT,
}

# ---------------------------------------------------------------- the loop

Editor = Callable[[str], str | None]  # a card document in, the edited document out (None: not saved)
Screen = CardScreen | RenderableType  # what the loop hands its view to draw


def run(session: Session, commands: Iterator[Command | None], show: Callable[[Screen], None], *, interactive: bool,
        editor: Editor | None = None) -> Summary:
    """Drive a session with commands (None: nothing to do, as a timeout tick while waiting) and draw with `show`.

    Interactive: the answer is hidden until revealed and a learning card not yet due is waited for;
    line mode: answering reveals implicitly and a wait ends the session.
    """
    message: str | None = None
    first = True
    waited = False  # a wait screen was shown: the last "Saved: ..." belongs to no card on screen any more
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
            show(Waiting(Text(message or ""), Text(f"{wait} Waiting for it (u undo, q quit).")))
            command = next(commands, Command.QUIT)
            waited = True
            if command is Command.QUIT:
                break
            if command is Command.UNDO:
                message = _undo_message(session)
                waited = False
            continue
        if waited:
            message, waited = None, False
        first = False
        outcome = _one_card(session, shown, commands, show, interactive, message, editor)
        if outcome is None:
            break
        message = outcome
    summary = session.finish()
    show(summary_text(summary, session.clock()))
    return summary


def _one_card(session: Session, shown: Shown, commands: Iterator[Command | None], show: Callable[[Screen], None],
              interactive: bool, message: str | None, editor: Editor | None = None) -> str | None:
    """Show a card until it is answered, buried, suspended or undone; returns the next message, None to quit."""
    revealed = False
    counts = session.counts()  # what is left does not change while this card is on screen
    show(card_view(shown, counts, revealed, message))
    on_screen = session.clock()  # the answer's time counts from here: drawing a huge card is not thinking time
    for command in commands:
        if command is None:
            continue
        if command is Command.QUIT:
            return None
        if command is Command.REVEAL and not revealed:
            revealed = True
            show(card_view(shown, counts, revealed, message, front=interactive))
        elif command.rating is not None and (revealed or not interactive):
            thought = int((session.clock() - on_screen).total_seconds() * 1000)
            answered = session.answer(shown, command.rating, duration_ms=thought)
            return answered_message(answered, session.clock())
        elif command is Command.BURY:
            session.bury(shown)
            return "Buried until tomorrow."
        elif command is Command.SUSPEND:
            session.suspend(shown)
            return "Suspended."
        elif command is Command.UNDO:
            return _undo_message(session) if session.can_undo() else "Nothing to undo."
        elif command is Command.EDIT:
            shown, message = _edit(session, shown, editor)
            show(card_view(shown, counts, revealed, message, front=interactive))
    return None


def _edit(session: Session, shown: Shown, editor: Editor | None) -> tuple[Shown, str]:
    """Open the card in the person's editor and save what comes back; the card to show and a message."""
    if editor is None:
        return shown, "Editing needs a terminal: press e in the interactive reviewer."
    from ..decks.deckfile.edit import card_document
    from ..errors import FlashcardsError

    text = editor(card_document(shown.card))
    if text is None:
        return shown, "The editor did not exit cleanly: nothing changed."
    try:
        edited = session.edit(shown, text)
    except FlashcardsError as error:
        return shown, f"Not saved: {error}"
    return edited, "Saved your edit to the deck." if edited.card != shown.card else "No change."


def _undo_message(session: Session) -> str:
    return "Undone: the card is back as it was." if session.undo() else "Nothing to undo."


# ---------------------------------------------------------------- terminal and lines

class Waiting(Group):
    """The screen shown while waiting for a learning card to fall due."""

    @property
    def text(self) -> list[str]:
        return [str(part) for part in self.renderables]


class TerminalView:
    """Draws on a terminal: a card as a full screen (its body scrolls), anything else from the top."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.current: Screen = ""  # nothing shown yet
        self.scroll = 0
        self.max_scroll = 0
        self.rows = 1
        self.append = False  # the next text goes below the current one (the end of a session)

    def show(self, renderable: Screen) -> None:
        """Show a new screen (revealing a card keeps its scroll position, and brings the commentary up)."""
        previous, self.current = self.current, renderable
        if isinstance(renderable, CardScreen):
            same = isinstance(previous, CardScreen) and previous.shown is renderable.shown
            self.scroll = self.scroll if same else 0
            if isinstance(previous, CardScreen) and same and renderable.revealed and not previous.revealed:  # the first lines of the commentary in view
                width, height = self.console.size
                laid_out = frame(self.console, renderable, width, height, self.scroll)
                self.scroll = max(self.scroll, laid_out.answer_start + 3 - laid_out.body_rows)
            self.draw()
            self.append = False
            return
        if isinstance(renderable, Waiting) and isinstance(previous, Waiting) and renderable.text == previous.text:
            return  # the same words as a second ago: no redraw, no flicker
        if self.append and not isinstance(renderable, Waiting):
            self.console.print(renderable)
            return
        self.draw()
        self.append = not isinstance(renderable, Waiting)

    def draw(self) -> None:
        """Draw the current screen for the terminal's present size."""
        width, height = self.console.size
        if not isinstance(self.current, CardScreen):
            margin = (width - min(width, MAX_COLUMNS)) // 2
            self.console.clear()
            self.console.print(Padding(self.current, (0, 0, 0, margin)), width=margin + min(width, MAX_COLUMNS))
            return
        shown = frame(self.console, self.current, width, height, self.scroll)
        self.scroll, self.max_scroll, self.rows = shown.scroll, shown.max_scroll, shown.body_rows
        with self.console:  # one write per screen
            for row in range(height):
                self.console.control(Control.move_to(0, row), Control((ControlType.ERASE_IN_LINE, 2)))
                if row < len(shown.lines):
                    self.console.print(shown.lines[row], end="", no_wrap=True, overflow="crop", crop=True)

    def scroll_by(self, lines: int) -> None:
        new = min(max(self.scroll + lines, 0), self.max_scroll)
        if new != self.scroll:
            self.scroll = new
            self.draw()

    def key(self, key: str) -> bool:
        """Handle a scrolling key; False when the key is not one."""
        action = SCROLL_KEYS.get(key) if isinstance(self.current, CardScreen) else None
        if action is None:
            return False
        page = max(1, self.rows - 1)
        self.scroll_by({"down": 1, "up": -1, "pgdn": page, "pgup": -page,
                        "home": -self.scroll, "end": self.max_scroll}[action])
        return True

    def commands(self, reader: KeyReader) -> Iterator[Command | None]:
        """Session commands from keys: scrolling and redraws are handled here; None each second idle and for a
        key that is no command."""
        while True:
            key = reader.read(1.0)
            if key is None:
                yield None
            elif key == "resize":
                self.draw()
            elif not self.key(key):
                yield KEYS.get(key.lower() if len(key) == 1 else key)

    def suspend(self) -> None:
        self.console.show_cursor(True)
        self.console.line()

    def resume(self) -> None:
        self.console.show_cursor(False)


def run_terminal(session: Session, console: Console | None = None) -> Summary:
    """An interactive session on the terminal: single keys, a card per screen, redrawn when resized.

    Where single keys cannot be read (no termios), it falls back to one command a line."""
    console = console or Console(highlight=False, emoji=False)
    view = TerminalView(console)
    try:
        with single_keys(sys.stdin, on_stop=view.suspend, on_continue=view.resume) as reader:
            console.show_cursor(False)
            def editor(text: str) -> str | None:
                from .editor import edit_text

                with reader.paused():
                    view.suspend()
                    try:
                        return edit_text(text)
                    finally:
                        view.resume()

            try:
                return run(session, view.commands(reader), view.show, interactive=True, editor=editor)
            finally:
                console.show_cursor(True)
    except KeysUnavailable as error:
        sys.stderr.write(f"Single keys are not available here ({error}): type a command and Enter "
                         "(show, 1-4, u, b, s, q).\n")
        return run_lines(session, sys.stdin, sys.stdout)


def run_lines(session: Session, lines: Iterable[str], out: TextIO) -> Summary:
    """A scripted session: one command a line; plain text out (card text with control characters shown)."""
    console = Console(file=out, color_system=None, highlight=False, emoji=False, width=_width(out), soft_wrap=False)

    def show(renderable: Screen) -> None:
        console.print(renderable)
        console.print()
        out.flush()

    def commands() -> Iterator[Command | None]:
        for line in lines:
            word = line.strip().lower()
            command = LINE_COMMANDS.get(word)
            if command is None:
                sys.stderr.write(f"unknown command {visible(line.strip())!r} (use: show, 1-4, again/hard/good/easy, u, b, s, q)\n")
                continue
            yield command

    return run(session, commands(), show, interactive=False)


def _width(out: TextIO) -> int:
    try:
        return os.get_terminal_size(out.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return int(os.environ.get("COLUMNS", "80"))


__all__ = ["CardScreen", "Command", "card_view", "frame", "run", "run_lines", "run_terminal"]
