"""What several commands open the same way: the store named by --db / FLASHCARDS_DB, its settings, the decks."""

from __future__ import annotations

from pathlib import Path

from ..errors import FlashcardsError
from ..model import CardFilter
from ..settings import Settings, load_settings, settings_path
from ..store import Store, resolve_db_path


def open_store(db: Path | None, *, create: bool = True, backup: bool = False) -> Store:
    """The review store named by --db / FLASHCARDS_DB / the default; `backup` takes today's backup first."""
    store = Store(resolve_db_path(db), create=create)
    if backup:
        store.backup_daily()
    return store


def settings_file(db: Path | None) -> Path:
    """Where the settings of the store named by --db / FLASHCARDS_DB / the default live."""
    return settings_path(resolve_db_path(db))


def store_settings(store: Store) -> Settings:
    """The settings kept beside a store."""
    return load_settings(settings_path(store.path))


def deck_paths(decks: list[Path] | None) -> list[Path]:
    """The decks named on the command line, else ./decks when there is such a folder."""
    if decks:
        return decks
    if Path("decks").is_dir():
        return [Path("decks")]
    raise FlashcardsError("no deck given and no ./decks folder here; name a deck file or folder")


def open_session(db: Path | None, decks: list[Path] | None, *, ahead: bool = False,
                 only: CardFilter | None = None, limit_cards: int | None = None, limit_minutes: float | None = None):
    """A review session over the decks (only the cards `only` keeps), with the store's settings and scheduler."""
    from ..decks.open_decks import open_decks
    from ..review.session import Session
    from ..scheduling.scheduler import FSRSScheduler
    from ..ui.console import parse_progress

    store = open_store(db)
    settings = store_settings(store)
    with parse_progress() as on_parse:
        opened = open_decks(store, deck_paths(decks), on_parse)
    return Session(store, opened, FSRSScheduler.from_settings(settings), settings, ahead=ahead, only=only,
                   limit_cards=limit_cards, limit_minutes=limit_minutes)


def deck_names_of(store: Store | None, keys: list[str] | None) -> list[str]:
    """The names of the decks with these store keys (a deck's own settings follow its name), each once, in order;
    `keys` None: every deck the store has read."""
    if store is None:
        return []
    if keys is None:
        return store.deck_names()
    names = [cached.name for key in keys if (cached := store.cached_deck(key)) is not None]
    return list(dict.fromkeys(names))


def settings_in_use(settings: Settings, names: list[str]) -> tuple[Settings, str]:
    """The settings cards of these decks are scheduled with, and how to say which: one deck's own over the store's
    when the decks are one deck with settings of its own, else the store's (said so when some have their own)."""
    own = [name for name in names if settings.decks.get(name)]
    if len(set(names)) == 1 and own:
        keys = ", ".join(sorted(settings.decks[own[0]]))
        return settings.for_deck(own[0]), f"the own settings of deck {own[0]} ({keys}), the rest the store's"
    if own:
        return settings, f"the store's settings (not the own settings of {', '.join(own)}: name one deck for those)"
    return settings, "the store's settings"
