"""What stats, optimize and simulate open: the store when there is one, the deck keys, the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings, load_settings, save_settings
from ..store import Store, resolve_db_path
from .context import open_store, settings_file


@dataclass
class HistoryInputs:
    """The store (None when there is none yet), the decks' keys (None: every card), the settings and a saver."""

    store: Store | None
    keys: list[str] | None
    settings: Settings
    save: Callable[[Settings], None]

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> HistoryInputs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_history(db: Path | None, decks: list[Path] | None) -> HistoryInputs:
    """Open what the history commands read; a missing store is not created (empty history)."""
    from ..decks.open_decks import open_decks

    store = open_store(db) if decks or resolve_db_path(db).exists() else None
    keys = [deck.key for deck in open_decks(store, decks)] if decks and store is not None else None
    where = settings_file(db)
    return HistoryInputs(store, keys, load_settings(where), lambda settings: save_settings(settings, where))
