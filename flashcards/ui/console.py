"""Output for people: a stderr console for messages and progress bars (rich respects NO_COLOR)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


@cache
def err_console():
    """The console for messages and progress: stderr, so stdout stays clean for data."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@cache
def out_console():
    """The console for results on stdout."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def error_line(message: str) -> None:
    """Print one error line on stderr."""
    err_console().print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True, emoji=False) if not _plain() \
        else sys.stderr.write(f"error: {message}\n")


def usage_error_line(message: str, command: str) -> None:
    """Print a usage error as one plain line on stderr, pointing at the command's help:
    `flashcards: error: Missing option '-o' / '--output'. See 'flashcards convert --help'.`"""
    text = " ".join(message.split())
    end = "" if text.endswith((".", "?", "!")) else "."
    sys.stderr.write(f"flashcards: error: {text}{end} See '{command} --help'.\n")


def warning_line(message: str) -> None:
    """Print one warning line on stderr (something went wrong, but the command did its job)."""
    sys.stderr.write(f"warning: {message}\n")


def _plain() -> bool:
    return not sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[..., None]]:
    """A transient rich progress bar on stderr (shown only on a terminal); yields advance(n=1, label=None,
    total=None). With a total, `n` is how much of that step is done; a new `label` starts the bar over as
    another step (writing after reading)."""
    console = err_console()
    if not console.is_terminal:
        yield lambda *args, **kwargs: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)

        step = [description]

        def advance(steps: int = 1, label: str | None = None, total: int | None = None) -> None:
            if total is not None:  # a step of its own: `label` its whole description, `steps` done of `total`
                if label != step[0]:
                    step[0] = label or description
                    progress.reset(task, total=total, completed=0, description=step[0])
                progress.update(task, completed=steps)
                return
            if label is not None:
                progress.update(task, description=f"{description} {label}")
            progress.advance(task, steps)

        yield advance


@contextmanager
def parse_progress() -> Iterator[Callable[[Path], Callable[[float], None]]]:
    """For open_decks(): a progress bar per deck file being parsed, shown only on a terminal and only when a
    deck is parsed at all (rich.progress is not even imported otherwise)."""
    bars: list[Progress] = []

    def on_parse(path: Path) -> Callable[[float], None]:
        console = err_console()
        if not console.is_terminal:
            return lambda share: None
        if not bars:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            bars.append(Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(),
                                 console=console, transient=True))
            bars[0].start()
        task = bars[0].add_task(f"Reading {path} (changed since the last run)", total=1.0)
        return lambda share: bars[0].update(task, completed=share)

    try:
        yield on_parse
    finally:
        for bar in bars:
            bar.stop()
