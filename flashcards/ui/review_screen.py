"""What the reviewer draws: the counts header, the card (passage, commentary, source) as a screen whose body
scrolls under a fixed header and key line, the answer buttons with their intervals, messages and the summary.

Card text goes through ui.wrap: control characters are shown, never sent; CJK lines break by their rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.text import Text

from ..model import Rating
from ..review.results import Answered, Counts, Shown, Summary
from .formats import format_interval, format_moment, plural
from .wrap import Wrapped, visible

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
        if schedule.due is not None:  # every answer schedules the card
            text.append(f" {format_interval(schedule.due - shown.shown_at)}")
    return text


MAX_COLUMNS = 100  # wider lines are hard to read: the card keeps to a centred column on wide terminals


@dataclass
class CardScreen:
    """Everything on screen for one card, in three parts: the header (deck, counts, the last message), the
    body (passage, commentary, source; it scrolls) and the footer (answers, keys). `front=False`: only what
    revealing adds, for line mode."""

    shown: Shown
    counts: Counts
    revealed: bool
    message: str | None = None
    front: bool = True

    def header(self) -> list:
        parts: list = [counts_text(visible(self.shown.deck_name), self.counts)]
        if self.message:
            parts.append(Wrapped(self.message, style="italic"))
        return parts

    def body(self, compact: bool = False) -> list:
        padding = (0, 1) if compact else (1, 2)
        parts: list = []
        if self.front:
            parts.append(Panel(Wrapped(self.shown.card.front), title=KIND_LABELS[self.shown.kind],
                               title_align="left", border_style="cyan", padding=padding))
        if self.revealed:
            back = self.shown.card.back
            parts.append(Panel(Wrapped(back or "(no commentary)", style="" if back else "dim"),
                               border_style="magenta", padding=padding))
            if self.shown.card.source:
                parts.append(Wrapped(self.shown.card.source, style="dim"))
        return parts

    def footer(self) -> list:
        if self.revealed:
            return [answer_buttons(self.shown), Text("u undo   b bury   s suspend   e edit   q quit", style="dim")]
        return [Text("space/enter: show the commentary   u undo   b bury   s suspend   e edit   q quit", style="dim")]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Group(*(self.header() if self.front else []), *self.body(), *self.footer())


def card_view(shown: Shown, counts: Counts, revealed: bool, message: str | None = None, *, front: bool = True) -> CardScreen:
    """Everything on screen for one card (`front=False`: only what revealing adds, for line mode)."""
    return CardScreen(shown, counts, revealed, message, front)


@dataclass
class Frame:
    """One screenful: the lines to draw, the scroll position used, where the commentary starts in the body."""

    lines: list[Text]
    scroll: int
    max_scroll: int
    answer_start: int
    body_rows: int


def render_lines(console: Console, parts: list, width: int) -> list[Text]:
    """Renderables as styled lines at `width` cells."""
    lines = console.render_lines(Group(*parts), console.options.update(width=width, height=None), pad=False)
    return [Text.assemble(*((seg.text, seg.style or "") for seg in line if not seg.control), no_wrap=True, end="")
            for line in lines]


def scroll_marker(above: int, below: int) -> Text:
    """The line that says there is more of the card above or below, and how to get there."""
    if above and below:
        return Text(f"▲ {above} above   ▼ {below} more below   (↑↓ j k PgUp PgDn)", style="bold cyan")
    if below:
        return Text(f"▼ {below} more lines below (↓ j PgDn)", style="bold cyan")
    return Text(f"▲ {above} more lines above (↑ k PgUp)", style="bold cyan")


def frame(console: Console, screen: CardScreen, width: int, height: int, scroll: int = 0) -> Frame:
    """The card laid out for a `width` x `height` terminal: header and key line always shown, the body
    scrolled by `scroll` lines, a marker when more is above or below; at most MAX_COLUMNS wide, centred."""
    columns = min(width, MAX_COLUMNS)
    compact = height < 20
    header = render_lines(console, screen.header(), columns)
    body = render_lines(console, screen.body(compact), columns)
    answer_start = len(render_lines(console, screen.body(compact)[:1], columns)) if screen.revealed else len(body)
    footer = render_lines(console, screen.footer(), columns)
    rows = height - len(header) - len(footer)
    scrolls = len(body) > rows
    if scrolls:
        rows = max(1, rows - 1)  # the marker line
    max_scroll = max(0, len(body) - rows)
    scroll = min(max(scroll, 0), max_scroll)
    lines = header + body[scroll:scroll + rows]
    if scrolls:
        lines.append(scroll_marker(scroll, len(body) - rows - scroll))
    lines += footer
    margin = Text(" " * ((width - columns) // 2))
    lines = [Text.assemble(margin, line, no_wrap=True, end="") for line in lines[-height:]]
    return Frame(lines, scroll, max_scroll, answer_start, rows)


def answered_message(answered: Answered, now: datetime) -> str:
    """What the screen says after an answer (the next screen shows it: the answer is saved by then)."""
    due = answered.schedule.due
    message = f"Saved: {answered.rating.name.capitalize()}" + (f", due {format_moment(due, now)}" if due else "")
    if answered.leech:
        message += f". Leech: forgotten {answered.schedule.lapses} times, so it is suspended (edit it, then: flashcards unsuspend --card {answered.card_id})"
    return message


def summary_text(summary: Summary, now: datetime) -> Text:
    """The end of a session in one paragraph."""
    minutes, seconds = divmod(round(summary.duration_ms / 1000), 60)
    text = Text()
    if summary.stopped:
        text.append(f"{summary.stopped} ")
    text.append(f"Answered {plural(summary.answered, 'card')}", style="bold")
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
