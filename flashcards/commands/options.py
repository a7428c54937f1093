"""What the command line offers beyond parsing: card filters from options, completions, the config help."""

from __future__ import annotations

from ..model import CardFilter, CardStatus


def card_filter(search: str | None, tags: list[str] | None, state: CardStatus | str | None = None,
                ids: list[str] | None = None) -> CardFilter:
    """The cards --search, --tag, --state and --card choose."""
    return CardFilter(search or "", tuple(tags or ()), CardStatus(state) if state else None, tuple(ids or ()))


def setting_names(incomplete: str) -> list[str]:
    """Completion for a setting's name."""
    from ..settings import names

    return [name for name in names() if name.startswith(incomplete)]


def format_names(incomplete: str) -> list[str]:
    """Completion for --format."""
    from ..importers import ALIASES, FORMATS

    return [name for name in [*FORMATS, *ALIASES] if name.startswith(incomplete)]


def config_help() -> str:
    """`config --help`: what it does, every setting with a line on it, an example."""
    from ..settings import describe

    settings = "\n".join(f"  {line}" for line in describe().splitlines())
    return ("See or change settings: desired retention, FSRS parameters, daily limits, steps, day start.\n\n"
            "Setting `parameters` recomputes every card's memory state from its answers; --reschedule also moves "
            "review cards' due dates (as Anki's \"Reschedule cards on change\").\n\n"
            f"\b\nSettings:\n{settings}\n\nExample:\n\nflashcards config desired_retention 0.85 --reschedule")
