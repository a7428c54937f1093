"""Cards a sync would move from one Anki deck to another, and when that waits for the person's say-so.

A note's deck follows its deck file's name and the parent deck (`anki_deck_names`: one deck alone keeps its name,
several go under --parent, default "flashcards"). Moving a card in Anki changes more than where it is listed: it
takes the options of the deck it lands in (daily limits, FSRS's desired retention and parameters), often a deck
the sync has just made, with Anki's default options. So moves that come only from the parent deck being another
one (a deck `Books::stoics` that would become `stoics`: the same deck under another parent) are refused unless
the sync is given --move-decks: a forgotten or mistyped --parent then costs one line, not a reshuffled
collection. The sync remembers the parent it last used for a set of decks, so leaving --parent out repeats it.
Other moves (a deck file renamed, a card moved by hand in Anki) are made as before; every move is named in the
dry run and in the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import FlashcardsError


@dataclass(frozen=True, slots=True)
class DeckMove:
    """Cards going from one Anki deck to another."""

    source: str
    target: str
    cards: int

    @property
    def by_parent(self) -> bool:
        """The same deck under another parent deck (or none)."""
        return _leaf(self.source) == _leaf(self.target)

    @property
    def source_parent(self) -> str | None:
        """The parent deck the cards are under now; None at the top level."""
        return _parent(self.source)

    @property
    def target_parent(self) -> str | None:
        return _parent(self.target)

    def to_dict(self) -> dict:
        return {"from": self.source, "to": self.target, "cards": self.cards}

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} ({self.cards} card{'' if self.cards == 1 else 's'})"


def _parent(name: str) -> str | None:
    return name.rsplit("::", 1)[0] if "::" in name else None


def _leaf(name: str) -> str:
    return name.rsplit("::", 1)[-1].strip().casefold()


def grouped(moves: list[tuple[str, str, str]]) -> list[DeckMove]:
    """(GUID, from, to) per card, as one DeckMove per pair of decks, in order of the decks' names."""
    counts = Counter((source, target) for _, source, target in moves)
    return [DeckMove(source, target, cards) for (source, target), cards in sorted(counts.items())]


def parent_moves(moves: list[DeckMove]) -> list[DeckMove]:
    """The moves that only put decks under another parent."""
    return [move for move in moves if move.by_parent]


def why(moves: list[DeckMove], parent: str | None, last_parent: str | None, remembered: bool) -> str:
    """Why these (parent) moves would happen, and how to keep the decks where they are."""
    if remembered:
        cause = f"--parent differs from the last sync's ({last_parent or 'none'} then, {parent or 'none'} now)"
        keep: str | None = f"--parent {last_parent}" if last_parent else "no --parent"
    else:
        sources = sorted({_where(move.source_parent) for move in moves})
        targets = sorted({_where(move.target_parent) for move in moves})
        cause = f"these decks are {' and '.join(sources)} in Anki, and this sync puts them {' and '.join(targets)}"
        parents = {move.source_parent for move in moves}
        known = next(iter(parents)) if len(parents) == 1 else None
        keep = f"--parent {known}" if known else None
    move = "add --move-decks to move them"
    return f"{cause}: sync with {keep} to leave them, or {move}" if keep else f"{cause}: {move}"


def _where(parent: str | None) -> str:
    return f"under {parent}" if parent else "at the top level"


def refuse_parent_moves(moves: list[DeckMove], parent: str | None, last_parent: str | None,
                        remembered: bool) -> None:
    """One line, before anything is written, when cards would move only because the parent deck changed."""
    moving = parent_moves(moves)
    if not moving:
        return
    count = sum(move.cards for move in moving)
    listed = "; ".join(str(move) for move in moving)
    raise FlashcardsError(f"{count} card{'' if count == 1 else 's'} would move to other decks in Anki ({listed}): "
                          f"{why(moving, parent, last_parent, remembered)}; nothing was written")
