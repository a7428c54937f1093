"""Adding cards to a deck file as text at the end of its list: every byte already there stays as it was
(comments, blank lines, flow lists, block text, the order), so a hand-written deck stays the person's.

New items that simply go after every byte already there are written at the end of the file itself, under a
journal that undoes an append cut short (journal.py): adding one card to a big deck writes that card, not the deck.
When the caller knows the file's shape (the store's cache of it, in the state it has), the old bytes are not even
read. A deck whose list is not last (`cards: []` then comments) is written beside the old one and renamed over
it, its old bytes copied by the kernel where they can be (copy_file_range).
"""

from __future__ import annotations

import errno
import io
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ...errors import FlashcardsError
from ...files.atomic import write_atomic_via
from ...model import Card
from . import file_state
from .chunks import items_indent, split_cards
from .journal import append_in_place
from .reader import parse_deck, read_deck_bytes
from .writer import card_chunks, has_big_text, joined, write_card_items

_ANY_CARDS_KEY = re.compile(rb"^cards[ \t]*:", re.M)
_EMPTY_FLOW = re.compile(rb"^cards:[ \t]*\[[ \t]*\][ \t]*(?:#[^\r\n]*)?(\r?\n|\Z)", re.M)
_ONLY_COMMENTS = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:#[^\n]*)?\Z")


SPOOLED_BYTES = 8 << 20  # new items held in memory before an append in place; more go to a temporary file
DESCRIBED_AT_MOST = 5_000  # new cards an append hands to the store's cache; after a bigger one the next command parses


def cards_text(cards: list[Card], indent: int = 0) -> bytes:
    """New cards as YAML list items, indented like the deck's own items."""
    buffer = io.StringIO()
    items = joined(buffer)
    write_card_items(items, cards)
    items.close(keep_marker=False)  # (a document end marker would end the deck there)
    text = buffer.getvalue()
    if indent:
        text = "".join(" " * indent + line if line.strip() else line for line in text.splitlines(keepends=True))
    return text.encode("utf-8")


@dataclass(frozen=True)
class Layout:
    """Where new cards go in a deck's bytes: after `before`, indented by `indent`, followed by `after`."""

    before: list[bytes]
    indent: int
    after: list[bytes]
    copied: int | None = None  # instead of `before`: this many bytes of the file as they are


def layout(data: bytes) -> Layout | None:
    """Where new cards go at the end of the deck's list, or None when its shape does not allow it (a flow list
    with cards in it, keys after the list): then the deck must be written whole."""
    newline = b"" if not data or data.endswith(b"\n") else b"\n"
    indent = items_indent(data)
    if indent is not None:
        return Layout([data, newline] if newline else [data], indent, [])
    if not _ANY_CARDS_KEY.search(data):  # no list yet: it starts at the end
        return Layout([data, newline, b"cards:\n"], 0, [])
    empty = list(_EMPTY_FLOW.finditer(data))
    if len(empty) == 1 and _ONLY_COMMENTS.fullmatch(data, empty[0].end()):  # `cards: []` last: it becomes a list
        line = empty[0]
        return Layout([data[:line.start()], b"cards:\n"], 0, [data[line.end():]])
    return None


@dataclass(frozen=True)
class Appended:
    """What an append did: the file's state after it, and when the new cards simply follow the old ones as
    chunks (deckfile.chunks) and are not too many, the new chunks' hashes and cards as a parse reads them (for
    the store's cache)."""

    state: tuple[int, int]
    digests: list[str] | None
    cards: list[Card]
    sizes: list[int] | None = None  # the new chunks' lengths in bytes (with `digests`)


def append_cards(path: Path, cards: Iterable[Card], expected_state: tuple[int, int] | None,
                 indent: int | None = None) -> Appended | None:
    """Add `cards` at the end of the deck file's list, atomically, writing them as they come; None (nothing
    written) when its shape needs a whole rewrite. A file changed on disk since `expected_state` is refused.

    `indent`: the indentation of the deck's items, when the caller knows the file in `expected_state` has the plain
    shape (deckfile.chunks): its bytes are then copied as they are, never read (unless it lacks a last line end)."""
    where = _known_layout(path, indent, expected_state) if indent is not None and expected_state else None
    if where is None:
        data = read_deck_bytes(path)
        if file_state(path) != expected_state:
            raise FlashcardsError(f"{path}: changed on disk while flashcards had it open; nothing written, run again")
        where = layout(data)
        if where is None:
            return None
    # the new items simply follow the old ones: describable
    plain = (where.copied is not None or len(where.before) == 1) and not where.after
    described = _Description() if plain else None

    def write_items(handle: BinaryIO) -> None:
        nonlocal described
        for chunk in card_chunks(cards):
            if not where.indent and has_big_text(chunk):  # written as it is made, not held (nor described)
                _write_items(handle, chunk)
                described = None
                continue
            text = cards_text(chunk, where.indent)
            handle.write(text)
            if described is not None and not described.add(text, path):
                described = None

    if expected_state is not None and _in_place(path, where):
        new: BinaryIO
        with tempfile.SpooledTemporaryFile(SPOOLED_BYTES, "w+b", dir=str(path.resolve().parent)) as new:  # type: ignore[assignment]
            new.writelines(where.before[1:])
            write_items(new)
            append_in_place(path, new, new.tell(), expected_state)
    else:
        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                if where.copied is not None:
                    _copy_start(path, handle, where.copied)
                else:
                    handle.writelines(where.before)
                write_items(handle)
                handle.writelines(where.after)
            if file_state(path) != expected_state:  # the last moment before the rename
                raise FlashcardsError(f"{path}: changed on disk while flashcards had it open; nothing written, run again")

        write_atomic_via(path, write)
    state = file_state(path)
    if state is None:
        raise FlashcardsError(f"{path}: gone right after it was written")
    if described is None:  # the cut must be redone, or too many to hand over: the next command parses
        return Appended(state, None, [])
    return Appended(state, described.digests, described.cards, described.sizes)


def _in_place(path: Path, where: Layout) -> bool:
    """Whether the new bytes can go at the end of the file itself (journal.py): nothing comes after them (layout()
    then puts all the old bytes first), and the file is a regular one we may write (else it is replaced)."""
    return not where.after and path.resolve().is_file() and os.access(path, os.W_OK)


def _write_items(handle: BinaryIO, cards: list[Card]) -> None:
    """cards_text(cards) written into `handle` as it is made."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n", write_through=True)
    try:
        items = joined(text)
        write_card_items(items, cards)
        items.close(keep_marker=False)
        text.flush()
    finally:
        text.detach()


def _known_layout(path: Path, indent: int, state: tuple[int, int]) -> Layout | None:
    """Where new cards go in a file known to have the plain shape: after all of its bytes, copied (None when it
    does not end with a line end: then it is read)."""
    size = state[1]
    try:
        with open(path, "rb") as handle:
            if size and os.pread(handle.fileno(), 1, size - 1) != b"\n":
                return None
    except OSError:
        return None  # reading it reports it
    if file_state(path) != state:
        raise FlashcardsError(f"{path}: changed on disk while flashcards had it open; nothing written, run again")
    return Layout([], indent, [], copied=size)


_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM, errno.EBADF}


def _copy_start(path: Path, target: BinaryIO, size: int) -> None:
    """The first `size` bytes of the file at `path` into `target` (empty, just opened): by the kernel when it can
    (copy_file_range, nothing through memory), else a piece at a time."""
    copied = 0
    with open(path, "rb") as source:
        copy_range = getattr(os, "copy_file_range", None)
        if copy_range is not None:
            try:
                while copied < size:
                    sent = copy_range(source.fileno(), target.fileno(), size - copied, copied, copied)
                    if not sent:
                        break
                    copied += sent
            except OSError as exc:
                if copied or exc.errno not in _NO_KERNEL_COPY:
                    raise
        source.seek(copied)
        target.seek(copied)
        while copied < size and (piece := source.read(min(1 << 20, size - copied))):
            target.write(piece)
            copied += len(piece)
    if copied != size:
        raise FlashcardsError(f"{path}: changed on disk while flashcards had it open; nothing written, run again")


class _Description:
    """The appended items' hashes, lengths and cards, as the chunk reader and parser will see them."""

    def __init__(self) -> None:
        self.digests: list[str] = []
        self.sizes: list[int] = []
        self.cards: list[Card] = []

    def add(self, text: bytes, path: Path) -> bool:
        """Describe one more piece of appended items; False when that is not possible (or not worth it)."""
        document = b"cards:\n" + text
        cut = split_cards(document)  # the same cut, and so the same hashes, a later read of the file makes
        if cut is None:
            return False
        parsed = parse_deck(document, str(path)).cards
        if len(parsed) != len(cut.digests) or len(self.cards) + len(parsed) > DESCRIBED_AT_MOST:
            return False
        self.digests.extend(cut.digests)
        self.sizes.extend(end - start for start, end in zip(cut.starts, [*cut.starts[1:], len(document)], strict=True))
        self.cards.extend(parsed)
        return True
