"""Where the review store lives: --db, else $FLASHCARDS_DB, else the platform's data directory."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "FLASHCARDS_DB"


def default_db_path() -> Path:
    """Where the store lives unless --db or FLASHCARDS_DB say otherwise: the platform's data directory."""
    from platformdirs import user_data_path

    return user_data_path("flashcards", appauthor=False) / "flashcards.db"


def resolve_db_path(option: Path | None = None) -> Path:
    """The store path: the --db option, else $FLASHCARDS_DB, else the default."""
    if option is not None:
        return option
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else default_db_path()
