"""Bringing the store's copy of a changed deck file up to date: only the cards whose text changed are parsed.

The file is cut into per-card chunks by text (deckfile.chunks); a chunk whose hash the store already holds
keeps its cached card, the others are parsed with the safe streamed loader, each run of neighbouring changed
chunks as one small document. Any doubt (a new header, a run that does not parse to one card per chunk, a
parse error, an id twice) falls back to parsing the whole file, whose errors carry the exact file:line.

Finding the changed chunks costs neither a cut of the whole file nor a read of every card's row: the store keeps
the chunks as runs of about 64 KB, each hashed whole (chunks.Groups). The file is hashed a run at a time from its
start until a run differs, and from its end (shifted by the change in size) until one differs; only what lies
between is cut into chunks and compared with the cached chunks at those positions. A hand edit that keeps the
number of cards, or adds or removes cards in the last run (cards added at the end by hand), costs one hash of the
file's bytes and the work of the runs it touched; one that adds or removes cards before the last run is cut whole
(the positions of every card after it move).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..errors import FlashcardsError
from ..files.textio import MAX_INPUT_BYTES
from ..model import Card
from ..store import CachedDeck, Store
from .deckfile.chunks import (
    Groups,
    Layout,
    digest,
    file_group_digest,
    items_pattern,
    make_groups,
    plain_between,
    split_cards,
)
from .deckfile.reader import parse_deck, read_deck_bytes


def refresh_deck(store: Store, key: str, path: Path, state: tuple[int, int],
                 progress: Callable[[], Callable[[float], None] | None] | None = None,
                 keep_cards: bool = False) -> tuple[CachedDeck, list[Card] | None]:
    """Cache the deck file at `path` (as it is in `state`) under `key`; `progress()` is asked for a callback
    only when the whole file must be parsed. Returns the cached deck, and with `keep_cards` its cards when it
    was parsed whole (they are at hand: nobody needs to read them back from the store). Without, a whole
    parse streams the cards into the store as they come, never holding them all."""
    cached = store.cached_deck(key)
    if cached is not None and cached.layout is not None:
        patched = _patch_by_groups(store, cached, path, state)
        if patched is not None:
            return patched, None
    data = read_deck_bytes(path)
    layout = split_cards(data)
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
    groups = layout.groups().to_blob() if layout is not None and layout_key is not None else None
    staged.commit(key, deck.name, deck.tags, *state, layout_key, groups)
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
    if store.patch_deck(cached.path, cached.name, cached.tags, *state, layout.key, count, changed,
                        layout.groups().to_blob()) is not None:
        return None  # an id twice: the whole file's parse names both lines
    return CachedDeck(cached.path, cached.name, cached.tags, *state, count, layout.key)


def _patch_by_groups(store: Store, cached: CachedDeck, path: Path, state: tuple[int, int]) -> CachedDeck | None:
    """Update the cache from the runs of chunks that changed, found by hashing the file a run at a time from both
    ends (see the module's docstring); None when the file must be cut whole instead (no runs kept, a new header,
    cards added or removed, anything odd between the runs that match)."""
    groups = Groups.from_blob(store.deck_groups(cached.path))
    assert cached.layout is not None
    indent_text, header_digest = cached.layout.split(":", 1)
    if groups is None or not groups.starts or state[1] > MAX_INPUT_BYTES:
        return None
    try:
        with open(path, "rb") as handle:
            found = _changed_runs(handle.fileno(), groups, int(indent_text), header_digest, cached, state[1])
    except OSError:
        return None  # the whole file's read reports it
    if found is None:
        return None
    front, back, start, buffer, chunks, end = found
    first = groups.firsts[front] if front < len(groups.starts) else cached.cards
    last = groups.firsts[back] if back < len(groups.starts) else cached.cards  # the old middle: [first, last)
    if len(chunks) != last - first and back < len(groups.starts):
        return None  # cards added or removed before the last run: the positions after them move
    count = cached.cards + len(chunks) - (last - first)
    view = memoryview(buffer)
    ends = [*chunks[1:], end] if chunks else []
    digests = [digest(view[begin:stop]) for begin, stop in zip(chunks, ends, strict=True)]
    old = store.chunk_digests(cached.path, first, last)
    if len(old) != last - first or None in old:
        return None
    first_at: dict[str, int] = {}
    for offset, chunk_digest in enumerate(old):
        if chunk_digest is not None:
            first_at.setdefault(chunk_digest, offset)
    moved: dict[int, int] = {}
    new: list[int] = []  # offsets in the middle of chunks whose text is not cached there, in order
    for offset, chunk_digest in enumerate(digests):
        if offset < len(old) and old[offset] == chunk_digest:
            continue
        if chunk_digest in first_at:  # a card that moved within the middle: its text is cached
            moved[first + offset] = first + first_at[chunk_digest]
        else:
            new.append(offset)
    changed: list[tuple[int, Card, str]] = []
    for run_first, run_last in _runs(new):
        try:
            cards = parse_deck(b"cards:\n" + view[chunks[run_first]:ends[run_last]], str(path)).cards
        except FlashcardsError:
            return None  # the whole file's parse reports it, at its line
        if len(cards) != run_last - run_first + 1:
            return None
        changed += [(first + run_first + offset, card, digests[run_first + offset]) for offset, card in enumerate(cards)]
    cards_at = store.cached_cards_at(cached.path, set(moved.values()))
    changed += [(position, cards_at[source], digests[position - first]) for position, source in moved.items()]
    middle = make_groups(buffer, chunks, range(first, first + len(chunks)), end)
    delta = state[1] - cached.size
    runs = Groups([*groups.starts[:front], *(start - 1 + at for at in middle.starts),
                   *(at + delta for at in groups.starts[back:])],
                  [*groups.firsts[:front], *middle.firsts, *groups.firsts[back:]],
                  [*groups.digests[:front], *middle.digests, *groups.digests[back:]])
    if store.patch_deck(cached.path, cached.name, cached.tags, *state, cached.layout, count, changed,
                        runs.to_blob()) is not None:
        return None  # an id twice: the whole file's parse names both lines
    return CachedDeck(cached.path, cached.name, cached.tags, *state, count, cached.layout)


def _changed_runs(fd: int, groups: Groups, indent: int, header_digest: str, cached: CachedDeck,
                  size: int) -> tuple[int, int, int, bytes, list[int], int] | None:
    """(front, back, start, buffer, chunks, end): the runs `front` to `back` (excluded) of `groups` are all that
    differ; their bytes in the file as it is now are buffer[1:end], from the file's byte `start` - 1 (the newline
    before the first), and `chunks` are where the chunks start in `buffer`. None when the cut cannot be trusted."""
    if os.fstat(fd).st_size != size:
        return None  # changed again meanwhile
    count, old_size = len(groups.starts), cached.size
    delta = size - old_size
    header_end = groups.starts[0]
    if digest(os.pread(fd, header_end, 0)) != header_digest:
        return None  # a new header: parsed whole
    ends = [*groups.starts[1:], old_size]
    front = 0
    while (front < count and ends[front] <= size
           and file_group_digest(fd, groups.starts[front], ends[front]) == groups.digests[front]):
        front += 1
    start = groups.starts[front] if front < count else old_size  # where the first run that differs starts, in both
    back = count
    while (back > front and groups.starts[back - 1] + delta >= start
           and file_group_digest(fd, groups.starts[back - 1] + delta, ends[back - 1] + delta) == groups.digests[back - 1]):
        back -= 1
    stop = (groups.starts[back] if back < count else old_size) + delta  # where the runs that match again start, now
    if stop == start:
        return front, back, start, b"\n", [], 1
    margin = indent + 2  # enough to see whether an item starts at `stop`
    buffer = os.pread(fd, min(stop + margin, size) - start + 1, start - 1)
    end = stop - start + 1
    if len(buffer) != min(stop + margin, size) - start + 1:
        return None
    items = items_pattern(indent)
    if not items.match(buffer, 0) or (stop < size and not items.match(buffer, end - 1)):
        return None  # the runs that differ do not start, or the ones that match again do not start, with an item
    if not plain_between(buffer, indent, 0, end):
        return None
    chunks = [match.start() + 1 for match in items.finditer(buffer, 0) if match.start() + 1 < end]
    return front, back, start, buffer, chunks, end


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Increasing positions as runs of neighbours: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and runs[-1][1] == position - 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs
