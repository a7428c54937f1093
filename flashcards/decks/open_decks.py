"""The decks a command works on, read through the store: a deck file unchanged since the last run is not
parsed again (the store keeps its cards), a changed one is parsed once and cached."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, overload

from ..errors import FlashcardsError
from ..model import Card
from ..store import Store
from .deckfile import deck_files, file_state
from .deckfile.journal import recover

if TYPE_CHECKING:  # YAML is loaded only when a deck changed: `due` on unchanged decks never needs it
    from .deckfile.append import Appended


@dataclass(frozen=True)
class OpenDeck:
    """A deck file as the store holds it."""

    key: str  # the absolute path, how the store names the deck
    path: Path
    name: str
    tags: list[str]
    cards: Sequence[Card] = field(default_factory=list)  # filled by load_through_store() (or load_streamed())
    card_count: int = 0  # how many cards the store holds for it


ParseWatcher = Callable[[Path], Callable[[float], None]]  # told a deck is parsed; returns its progress callback


def open_decks(store: Store, paths: list[Path], on_parse: ParseWatcher | None = None, *,
               with_cards: bool = False) -> list[OpenDeck]:
    """The decks named by files or folders, parsing only those that changed since the store last read them.

    `on_parse` is told before a deck file is parsed and returns a callback for the share parsed (progress).
    `with_cards`: each deck's cards too (those just parsed, else the store's copy).
    """
    opened = []
    for path in deck_files(paths):
        key = str(path.resolve())
        cached = store.cached_deck(key)
        recover(path)  # an append cut short is undone before the file is looked at
        state = file_state(path)
        cards: list[Card] | None = None
        if cached is None or state != (cached.mtime_ns, cached.size):
            from .refresh import refresh_deck  # YAML only when a deck changed

            if state is None:
                raise FlashcardsError(f"{path}: no such deck file")
            watch = (lambda path=path: on_parse(path)) if on_parse is not None else None
            cached, cards = refresh_deck(store, key, path, state, watch, keep_cards=with_cards)
        if not with_cards:
            cards = []
        elif cards is None:  # not parsed now: the store's copy
            cards = store.deck_cards(key)
        opened.append(OpenDeck(key, path, cached.name, cached.tags, cards, cached.cards))
    return opened


def load_through_store(store: Store, paths: list[Path], on_parse: ParseWatcher | None = None) -> list[OpenDeck]:
    """Open decks with their cards (name, tags, cards) read through the store: YAML parsed only for changed files."""
    return open_decks(store, paths, on_parse, with_cards=True)


def load_streamed(store: Store, paths: list[Path], on_parse: ParseWatcher | None = None) -> list[OpenDeck]:
    """Open decks as load_through_store does, each one's cards read from the store's copy a chunk at a time
    whenever they are gone through (StoredCards): for a command that goes through a big deck without keeping it."""
    return [replace(deck, cards=StoredCards(store, deck.key, deck.card_count))
            for deck in open_decks(store, paths, on_parse)]


class StoredCards(Sequence[Card]):
    """A cached deck's cards, read from the store in chunks each time they are gone through (never all held)."""

    CHUNK = 2_000

    def __init__(self, store: Store, key: str, count: int) -> None:
        self._store, self._key, self._count = store, key, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Card]:
        for chunk in self._store.deck_cards_in_chunks(self._key, self.CHUNK):
            yield from chunk

    @overload
    def __getitem__(self, index: int) -> Card: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Card]: ...

    def __getitem__(self, index: int | slice) -> Card | Sequence[Card]:
        return list(self)[index]  # not used on a hot path: going through is


class DeckViaStore:
    """merge.KnownDeck over the store: a deck's ids from its cache (only changed chunks parsed), asked of it an id
    at a time, its shape from the cache too (an append copies the file without reading it), and appended cards
    written into the cache at once, so the next command parses nothing."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def name_and_ids(self, path: Path) -> tuple[str, Set[str]]:
        (deck,) = open_decks(self.store, [path])
        cached = self.store.cached_deck(deck.key)
        return deck.name, StoredIds(self.store, deck.key, cached.cards if cached is not None else 0)

    def indent(self, path: Path, state: tuple[int, int]) -> int | None:
        """The indentation of the deck's items when the store has the file, as it is in `state`, cut into chunks
        (its shape is the plain one), else None."""
        cached = self.store.cached_deck(str(path.resolve()))
        if cached is None or cached.layout is None or (cached.mtime_ns, cached.size) != state:
            return None
        return int(cached.layout.split(":", 1)[0])

    def appended(self, path: Path, before: tuple[int, int], result: Appended) -> None:
        from .deckfile.chunks import Groups, grown_groups

        key = str(path.resolve())
        cached = self.store.cached_deck(key)
        if (result.digests is None or cached is None or cached.layout is None
                or (cached.mtime_ns, cached.size) != before):
            return  # the next command finds the file changed and parses what it must
        changed = [(cached.cards + index, card, digest)
                   for index, (card, digest) in enumerate(zip(result.cards, result.digests, strict=True))]
        groups = Groups.from_blob(self.store.deck_groups(key)) if result.sizes is not None else None
        if groups is not None and result.sizes is not None:
            try:
                with open(path, "rb") as handle:
                    groups = grown_groups(handle.fileno(), groups, cached.size, cached.cards, result.sizes)
            except OSError:
                groups = None
            if file_state(path) != result.state:  # changed since it was written: the runs may be of other bytes
                groups = None
        self.store.patch_deck(key, cached.name, cached.tags, *result.state, cached.layout, cached.cards + len(changed),
                              changed, groups.to_blob() if groups is not None else None)


class StoredIds(Set[str]):
    """A cached deck's card ids, as a set that asks the store about one id at a time: adding a few highlights to
    a big deck never reads all its ids. Asked about many, it reads them all once."""

    READ_ALL_AFTER = 2_000  # ids asked about one at a time before all are read at once

    def __init__(self, store: Store, key: str, count: int) -> None:
        self._store = store
        self._key = key
        self._count = count
        self._asked = 0
        self._all: set[str] | None = None

    def __contains__(self, card_id: object) -> bool:
        if self._all is None and self._asked < self.READ_ALL_AFTER:
            self._asked += 1
            return isinstance(card_id, str) and self._store.card_deck(card_id, [self._key]) is not None
        if self._all is None:
            self._all = set(self._store.deck_card_ids(self._key))
        return card_id in self._all

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        return iter(self._all if self._all is not None else self._store.deck_card_ids(self._key))


@contextmanager
def known_deck_via_store(deck: Path, db: Path | None = None) -> Iterator[DeckViaStore | None]:
    """For convert into `deck`: a DeckViaStore over the review store when one exists already (none is
    created), else None (the deck is parsed)."""
    from ..store import resolve_db_path

    path = resolve_db_path(db)
    if not deck.exists() or not path.exists():
        yield None
        return
    with Store(path) as store:
        yield DeckViaStore(store)
