"""The decks a command works on, read through the store: a deck file unchanged since the last run is not
parsed again (the store keeps its cards), a changed one is parsed once and cached."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .deckfile import deck_files, file_state
from .model import Card
from .store import CachedDeck, Store


@dataclass(frozen=True)
class OpenDeck:
    """A deck file as the store holds it."""

    key: str  # the absolute path, how the store names the deck
    path: Path
    name: str
    tags: list[str]
    cards: list[Card] = field(default_factory=list)  # filled by load_through_store()


ParseWatcher = Callable[[Path], Callable[[float], None]]  # told a deck is parsed; returns its progress callback


def open_decks(store: Store, paths: list[Path], on_parse: ParseWatcher | None = None) -> list[OpenDeck]:
    """The decks named by files or folders, parsing only those that changed since the store last read them.

    `on_parse` is told before a deck file is parsed and returns a callback for the share parsed (progress).
    """
    opened = []
    for path in deck_files(paths):
        key = str(path.resolve())
        cached = store.cached_deck(key)
        state = file_state(path)
        if cached is None or state != (cached.mtime_ns, cached.size):
            from .deckfile.reader import load_deck  # YAML only when a deck changed

            deck = load_deck(path, on_parse(path) if on_parse else None)
            store.cache_deck(key, deck.name, deck.tags, deck.cards, *state)
            cached = CachedDeck(key, deck.name, deck.tags, *state, len(deck.cards))
        opened.append(OpenDeck(key, path, cached.name, cached.tags))
    return opened


def load_through_store(store: Store, paths: list[Path], on_parse: ParseWatcher | None = None) -> list[OpenDeck]:
    """Open decks with their cards (name, tags, cards) read through the store: YAML parsed only for changed files."""
    return [replace(deck, cards=store.deck_cards(deck.key)) for deck in open_decks(store, paths, on_parse)]
