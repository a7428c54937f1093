"""`flashcards config`: see or change settings."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError
from .context import settings_file


def run(key: str | None, value: str | None, db: Path | None, as_json: bool) -> None:
    """Show every setting, one, or set one (validated) and show it."""
    from ..settings import load_settings, names, save_settings, set_from_text
    from ..ui.reports import print_config

    path = settings_file(db)
    settings = load_settings(path)
    if key is not None and key not in names():
        raise FlashcardsError(f"unknown setting {key!r} (known: {', '.join(names())})")
    if key is not None and value is not None:
        set_from_text(settings, key, value)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_settings(settings, path)
    print_config(settings, path, key, as_json)
