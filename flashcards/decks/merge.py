"""Merging highlights into a deck: stable ids, duplicates merged, cards already there never touched; the
convert job (highlight exports in, one deck file out) with a report of what happened."""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..files.textio import STDIN
from ..files.walk import walk
from ..importers import ImportOptions, import_file
from ..model import Card, Deck, Highlight, card_id
from .deckfile import file_state
from .deckfile.append import Appended, append_cards
from .deckfile.journal import recover
from .deckfile.reader import load_deck
from .deckfile.writer import save_deck
from .locks import deck_lock


@dataclass
class MergeReport:
    """What a merge did: cards added, duplicates merged into a new card, passages already in the deck."""

    added: int = 0
    merged: int = 0
    already: int = 0


class DeckMerger:
    """Plans adding highlights to a deck; cards already in the deck are never touched.

    Each passage counts once, in the file it first appears in: added, or already in the deck; met again (in any
    file) it is a duplicate merged, so the counts add up to the cards.

    A highlight whose passage matches a card added before by this merger (from any file) is merged into it:
    its commentary kept too when it differs (after a blank line), its tags added. The new cards are made as
    `new_cards()` is iterated, from the highlights as their importers hold them, so that a big export is not
    held a second time as cards.
    """

    def __init__(self, extra_tags: tuple[str, ...] = (), existing: Set[str] | None = None) -> None:
        self.extra_tags = extra_tags
        self.existing = set() if existing is None else existing
        self.count = 0  # new cards so far
        self._batches: list[tuple[Sequence[Highlight], array, array]] = []  # highlights; new cards' positions, ids
        self._new: set[int] = set()  # the new cards' ids, as numbers (smaller than their text)
        self._later: dict[int, list[Highlight]] = {}  # highlights merged into a new card, in order
        self._seen: set[str] = set()  # the existing cards' ids met so far: each counted `already` once

    def add(self, highlights: Sequence[Highlight]) -> MergeReport:
        """Merge one file's highlights; the report counts what this call did."""
        report = MergeReport()
        positions, numbers = array("I"), array("Q")
        for position, highlight in enumerate(highlights):
            ident = card_id(highlight.front)
            if ident in self.existing:  # counted once, as a new card is: seen again, it is a duplicate merged
                if ident in self._seen:
                    report.merged += 1
                else:
                    self._seen.add(ident)
                    report.already += 1
                continue
            number = int(ident, 16)
            if number in self._new:
                report.merged += 1
                self._later.setdefault(number, []).append(highlight)
                continue
            self._new.add(number)
            positions.append(position)
            numbers.append(number)
            report.added += 1
        self._batches.append((highlights, positions, numbers))
        self.count += report.added
        return report

    def new_cards(self) -> Iterator[Card]:
        """The new cards in the order their highlights came, each made when asked for."""
        for highlights, positions, numbers in self._batches:
            for position, number in zip(positions, numbers, strict=True):
                card = Card.from_highlight(highlights[position], self.extra_tags, ident=f"{number:016x}")
                for later in self._later.get(number, ()):
                    back = later.back.strip()
                    if back and back not in card.back.split("\n\n"):
                        card.back = f"{card.back}\n\n{back}" if card.back else back
                    for tag in later.tags:
                        if tag not in card.tags:
                            card.tags.append(tag)
                yield card


passage_id = card_id  # (model.card_id itself collapses a long passage's white space a piece at a time)


@dataclass
class FileReport:
    """What one input file gave: its format, cards added, duplicates merged, skipped entries by reason."""

    source: str
    format: str
    found: int
    added: int
    merged: int
    already: int
    skipped: Counter[str]


@dataclass
class ConvertReport:
    """The whole run: per-file reports, warnings, and the totals."""

    deck_path: Path
    files: list[FileReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total_cards: int = 0
    written: bool = False

    @property
    def added(self) -> int:
        return sum(item.added for item in self.files)

    @property
    def merged(self) -> int:
        return sum(item.merged for item in self.files)

    @property
    def already(self) -> int:
        return sum(item.already for item in self.files)


def source_name(path: Path) -> str:
    """How cards name their file: relative to the current folder when inside it, with '/' separators; standard
    input (`-`) is `stdin`."""
    if str(path) == STDIN:
        return "stdin"
    try:
        relative = Path(os.path.relpath(path.resolve(), Path.cwd()))
        if not relative.parts or relative.parts[0] != "..":
            return relative.as_posix()
    except ValueError:
        pass
    return path.as_posix()


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given (`-`, standard input, too), folders as their non-hidden files (recursively, sorted); a
    missing path is an error."""
    files: list[Path] = []
    for path in inputs:
        files.extend([path] if str(path) == STDIN else walk([path], lambda _: True, recursive=True, kind="files",
                                                            missing="file or folder"))
    return files


def convert(
    inputs: Iterable[Path],
    out: Path,
    name: str | None = None,
    tags: tuple[str, ...] = (),
    fmt: str | None = None,
    options: ImportOptions | None = None,
    progress: Callable[[str], None] | None = None,
    known: KnownDeck | None = None,
    writing: Callable[[int, int], None] | None = None,
) -> ConvertReport:
    """Convert exports into the deck at `out`, adding only new cards; the deck is written atomically.

    Every input is read and parsed before the deck is touched, so any bad input leaves it as it was. New
    cards are appended to an existing deck as text, everything already in it kept byte for byte.
    `known` gives the deck's name and card ids cheaply and is told what was appended (decks.DeckViaStore);
    without it the deck is parsed. `progress` is told each input as it is read, `writing` (cards written,
    cards to write) as the new cards go out.
    """
    files = expand_inputs(inputs)
    results = []
    for path in files:
        source = source_name(path)
        if progress:
            progress(source)
        results.append((source, import_file(path, source, fmt, options)))
    with deck_lock(out):  # read-merge-write under the deck's lock: a second writer waits, no card is lost
        device = out.exists() and not out.is_file()  # /dev/stdout and the like: nothing to read, written straight
        if not device:
            recover(out)  # an append cut short is undone before the deck's state is taken
        state = None if device else file_state(out)
        ids: Set[str] = set()
        current = name or out.stem
        if state is not None:
            current, card_ids = known.name_and_ids(out) if known is not None else deck_name_and_ids(out)
            ids = card_ids if isinstance(card_ids, Set) else set(card_ids)  # the store's: asked an id at a time
        report = ConvertReport(out)
        merger = DeckMerger(tags, existing=ids)
        for source, result in results:
            merge = merger.add(result.highlights)
            report.files.append(FileReport(source, result.format, len(result.highlights), merge.added, merge.merged,
                                           merge.already, result.skipped))
            report.warnings.extend(result.warnings)
        report.total_cards = len(ids) + merger.count
        renamed = state is not None and bool(name) and name != current
        report.written = report.added > 0 or state is None or renamed
        write_new_cards(out, merger, state, current, rename=name if renamed else None, known=known, writing=writing,
                        device=device)
    return report


def write_new_cards(out: Path, merger: DeckMerger, state: tuple[int, int] | None, name: str, *,
                    rename: str | None = None, known: KnownDeck | None = None,
                    writing: Callable[[int, int], None] | None = None, device: bool = False) -> None:
    """Write the merger's new cards into the deck at `out`, under the caller's deck_lock; `state` is the
    file_state() the deck had when its ids were read (None: there is no deck yet, it is made, named `name`).

    New cards are appended to an existing deck as text, everything already in it kept byte for byte; a deck
    that is renamed (`rename`), or of a shape new cards cannot be appended to, is written whole. A deck that
    changed on disk since `state` is refused, nothing written.
    """
    if state is None:  # a new deck: its cards written as they are made
        save_deck(Deck(name), out, expected_state=False if device else None,
                  cards=_counted(merger.new_cards(), merger.count, writing))
    elif rename or (merger.count and not _append(out, _counted(merger.new_cards(), merger.count, writing), state,
                                                 known)):
        loaded = load_deck(out)  # renamed, or a shape new cards cannot be appended to: written whole
        save_deck(Deck(rename or loaded.name, [*loaded.cards, *merger.new_cards()], loaded.tags), out,
                  expected_state=state)


class KnownDeck(Protocol):
    """A deck's contents known without parsing it (the store's cache), kept up to date with what is appended."""

    def name_and_ids(self, path: Path) -> tuple[str, Collection[str]]:
        """The deck's name and card ids (a Set when it answers `in` better than a set made of them would)."""

    def indent(self, path: Path, state: tuple[int, int]) -> int | None:
        """The indentation of the deck's items when its file, as it is in `state`, is known to have the plain shape
        (deckfile.chunks): an append then copies it without reading it."""

    def appended(self, path: Path, before: tuple[int, int], result: Appended) -> None:
        """New cards were appended to the deck (in state `before`)."""


def _append(out: Path, cards: Iterable[Card], state: tuple[int, int], known: KnownDeck | None) -> bool:
    result = append_cards(out, cards, state, known.indent(out, state) if known is not None else None)
    if result is not None and known is not None:
        known.appended(out, state, result)
    return result is not None


def _counted(cards: Iterator[Card], total: int, writing: Callable[[int, int], None] | None,
             every: int = 500) -> Iterator[Card]:
    """The cards as they come, `writing` told (done, total) every `every` cards and at the end."""
    if writing is None:
        yield from cards
        return
    done = 0
    for card in cards:
        yield card
        done += 1
        if done % every == 0:
            writing(done, total)
    writing(done, total)


def deck_name_and_ids(path: Path) -> tuple[str, list[str]]:
    """A deck file's name and card ids, parsed."""
    deck = load_deck(path)
    return deck.name, [card.id for card in deck.cards]
