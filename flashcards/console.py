"""Output for people: a stderr console for messages and progress bars (rich respects NO_COLOR)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache


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


def _plain() -> bool:
    return not sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[..., None]]:
    """A transient rich progress bar on stderr (shown only on a terminal); yields advance(n=1, label=None)."""
    console = err_console()
    if not console.is_terminal:
        yield lambda *args, **kwargs: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)

        def advance(steps: int = 1, label: str | None = None) -> None:
            if label is not None:
                progress.update(task, description=f"{description} {label}")
            progress.advance(task, steps)

        yield advance


@contextmanager
def lazy_status() -> Iterator[Callable[[str], None]]:
    """A spinner on stderr that appears only once something is said (rich is loaded only then); yields say(text)."""
    shown = []

    def say(text: str) -> None:
        if not shown:
            status = err_console().status(text)
            status.start()
            shown.append(status)
        else:
            shown[0].update(text)

    try:
        yield say
    finally:
        for status in shown:
            status.stop()
