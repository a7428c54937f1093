"""Bringing the store's copy of a changed deck file up to date: only the cards whose text changed are parsed.

The file is cut into per-card chunks by text (deckfile.chunks); a chunk whose hash the store already holds
keeps its cached card, the others are parsed with the safe streamed loader, each run of neighbouring changed
chunks as one small document. Any doubt (a new header, a run that does not parse to one card per chunk, a
parse error, an id twice) falls back to parsing the whole file, whose errors carry the exact file:line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import FlashcardsError
from ..model import Card
from ..store import CachedDeck, Store
from .deckfile.chunks import Layout, split_cards
from .deckfile.reader import parse_deck, read_deck_bytes


def refresh_deck(store: Store, key: str, path: Path, state: tuple[int, int],
                 progress: Callable[[], Callable[[float], None] | None] | None = None,
                 keep_cards: bool = False) -> tuple[CachedDeck, list[Card] | None]:
    """Cache the deck file at `path` (as it is in `state`) under `key`; `progress()` is asked for a callback
    only when the whole file must be parsed. Returns the cached deck, and with `keep_cards` its cards when it
    was parsed whole (they are at hand: nobody needs to read them back from the store). Without, a whole
    parse streams the cards into the store as they come, never holding them all."""
    data = read_deck_bytes(path)
    layout = split_cards(data)
    cached = store.cached_deck(key)
    if layout is not None and cached is not None and cached.layout == layout.key:
        patched = _patch(store, cached, path, layout, state)
        if patched is not None:
            return patched, None
    lines: list[int] = []
    kept: list[Card] | None = [] if keep_cards else None
    staged = store.stage_deck(layout.digests if layout is not None else None)

    def take(card: Card) -> None:
        staged.add(card)
        if kept is not None:
            kept.append(card)

    try:
        deck = parse_deck(data, str(path), progress() if progress else None, lines, on_card=take)
    except BaseException:
        staged.discard()
        raise
    layout_key = layout.key if layout is not None and _cut_matches(layout, lines) else None
    staged.commit(key, deck.name, deck.tags, *state, layout_key)
    return CachedDeck(key, deck.name, deck.tags, *state, staged.count, layout_key), kept


def _cut_matches(layout: Layout, card_lines: list[int]) -> bool:
    """Whether each card the parser found starts inside its own chunk (the cut can be trusted)."""
    if len(card_lines) != len(layout.starts):
        return False
    starts = layout.lines()
    ends = [*starts[1:], float("inf")]
    return all(start <= line < end for start, line, end in zip(starts, card_lines, ends, strict=True))


def _patch(store: Store, cached: CachedDeck, path: Path, layout: Layout, state: tuple[int, int]) -> CachedDeck | None:
    """Update the cache from the changed chunks alone; None when the whole file must be parsed instead."""
    old = store.chunk_digests(cached.path)
    if None in old:
        return None
    first_at: dict[str, int] = {}
    for position, chunk_digest in enumerate(old):
        if chunk_digest is not None:
            first_at.setdefault(chunk_digest, position)
    moved: dict[int, int] = {}
    new: list[int] = []  # positions whose text is not cached anywhere, in order
    for position, chunk_digest in enumerate(layout.digests):
        if position < len(old) and old[position] == chunk_digest:
            continue
        if chunk_digest in first_at:  # a card that moved: its text is cached
            moved[position] = first_at[chunk_digest]
        else:
            new.append(position)
    changed: list[tuple[int, Card, str]] = []
    for first, last in _runs(new):
        try:
            cards = parse_deck(layout.items(first, last), str(path)).cards
        except FlashcardsError:
            return None  # the whole file's parse reports it, at its line
        if len(cards) != last - first + 1:
            return None
        changed += [(first + offset, card, layout.digests[first + offset]) for offset, card in enumerate(cards)]
    cards_at = store.cached_cards_at(cached.path, set(moved.values()))
    changed += [(position, cards_at[source], layout.digests[position]) for position, source in moved.items()]
    count = len(layout.starts)
    if store.patch_deck(cached.path, cached.name, cached.tags, *state, layout.key, count, changed) is not None:
        return None  # an id twice: the whole file's parse names both lines
    return CachedDeck(cached.path, cached.name, cached.tags, *state, count, layout.key)


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Increasing positions as runs of neighbours: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and runs[-1][1] == position - 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs
