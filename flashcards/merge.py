"""Merging highlights into a deck: stable ids, duplicates merged, cards already there never touched; the
convert job (highlight exports in, one deck file out) with a report of what happened."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .deckfile import file_state
from .deckfile.reader import load_deck
from .deckfile.writer import save_deck
from .errors import FlashcardsError
from .importers import ImportOptions, import_file
from .locks import deck_lock
from .model import Card, Deck, Highlight, card_id


@dataclass
class MergeReport:
    """What a merge did: cards added, duplicates merged into a new card, passages already in the deck."""

    added: int = 0
    merged: int = 0
    already: int = 0
    added_ids: list[str] = field(default_factory=list)


class DeckMerger:
    """Adds highlights to a deck in place; cards already in the deck are never touched.

    Highlights whose passage matches a card added by this merger (from any file) are merged into it; when
    their commentaries differ, both commentaries are kept, separated by a blank line.
    """

    def __init__(self, deck: Deck, extra_tags: tuple[str, ...] = ()) -> None:
        self.deck = deck
        self.extra_tags = extra_tags
        self.existing = {card.id for card in deck.cards}
        self.fresh: dict[str, Card] = {}

    def add(self, highlights: list[Highlight]) -> MergeReport:
        """Merge one file's highlights; the report counts what this call did."""
        report = MergeReport()
        for highlight in highlights:
            ident = card_id(highlight.front)
            if ident in self.existing:
                report.already += 1
                continue
            card = self.fresh.get(ident)
            if card is None:
                card = Card.from_highlight(highlight, self.extra_tags)
                self.fresh[ident] = card
                self.deck.cards.append(card)
                report.added += 1
                report.added_ids.append(ident)
                continue
            report.merged += 1
            back = highlight.back.strip()
            if back and back not in card.back.split("\n\n"):
                card.back = f"{card.back}\n\n{back}" if card.back else back
            for tag in highlight.tags:
                if tag not in card.tags:
                    card.tags.append(tag)
        return report


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
    """How cards name their file: relative to the current folder when inside it, with '/' separators."""
    try:
        relative = Path(os.path.relpath(path.resolve(), Path.cwd()))
        if not relative.parts or relative.parts[0] != "..":
            return relative.as_posix()
    except ValueError:
        pass
    return path.as_posix()


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given, folders as their non-hidden files (recursively, sorted); a missing path is an error."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found = sorted(
                item for item in path.rglob("*")
                if item.is_file() and not any(part.startswith(".") for part in item.relative_to(path).parts)
            )
            if not found:
                raise FlashcardsError(f"{path}: folder holds no files")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise FlashcardsError(f"{path}: no such file or folder")
    return files


def convert(
    inputs: Iterable[Path],
    out: Path,
    name: str | None = None,
    tags: tuple[str, ...] = (),
    fmt: str | None = None,
    options: ImportOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> ConvertReport:
    """Convert exports into the deck at `out`, adding only new cards; the deck is written atomically.

    Every input is read and parsed before the deck is touched, so any bad input leaves it as it was.
    """
    files = expand_inputs(inputs)
    results = []
    for path in files:
        source = source_name(path)
        if progress:
            progress(source)
        results.append((source, import_file(path, source, fmt, options)))
    with deck_lock(out):  # read-merge-write under the deck's lock: a second writer waits, no card is lost
        state = file_state(out) if not out.exists() or out.is_file() else None  # a device: nothing to read
        deck = load_deck(out) if state is not None else Deck(name or out.stem)
        original_name = deck.name
        if name:
            deck.name = name
        report = ConvertReport(out)
        merger = DeckMerger(deck, tags)
        for source, result in results:
            merge = merger.add(result.highlights)
            report.files.append(
                FileReport(source, result.format, len(result.highlights), merge.added, merge.merged, merge.already,
                           result.skipped)
            )
            report.warnings.extend(result.warnings)
        report.total_cards = len(deck.cards)
        report.written = report.added > 0 or state is None or deck.name != original_name
        if report.written:
            save_deck(deck, out, expected_state=False if out.exists() and not out.is_file() else state)
    return report
