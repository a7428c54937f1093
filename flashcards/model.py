"""Small data types shared by every layer: no I/O here."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import NamedTuple, Protocol

_WHITESPACE = re.compile(r"\s+")
_PIECE = 1 << 18  # characters of a long passage whose white space is collapsed at a time


def normalize_front(text: str) -> str:
    """The form of a passage that decides its identity: Unicode NFC, white space collapsed."""
    text = unicodedata.normalize("NFC", text)  # (the text itself, not a copy, when it is NFC as text mostly is)
    if len(text) <= _PIECE:
        return _WHITESPACE.sub(" ", text).strip()
    return "".join(_collapsed(text))


def card_id(front: str) -> str:
    """A stable id for a passage: the same text gives the same id from any file on any run (the SHA-256 of its
    normalize_front() form in UTF-8; a long passage is hashed a piece at a time, never held collapsed)."""
    text = unicodedata.normalize("NFC", front)
    if len(text) <= _PIECE:
        return hashlib.sha256(_WHITESPACE.sub(" ", text).strip().encode("utf-8")).hexdigest()[:16]
    digest = hashlib.sha256()
    for piece in _collapsed(text):
        digest.update(piece.encode("utf-8"))
    return digest.hexdigest()[:16]


def _collapsed(text: str) -> Iterator[str]:
    """normalize_front() of an NFC text, in pieces that join into it: `_PIECE` characters at a time. At once (one
    re.sub), a 20 MB passage was cut into a list of its words and spaces, ten times its size.

    (str.split() and str.isspace() know the same white space as the `\\s` of _WHITESPACE.)"""
    started = space = False  # some text given yet; white space since then
    for start in range(0, len(text), _PIECE):
        piece = text[start:start + _PIECE]
        words = piece.split()
        if words:
            if started and (space or piece[0].isspace()):
                yield " "
            yield " ".join(words)
            started, space = True, piece[-1].isspace()
        else:
            space = True  # (a piece of nothing but white space)


@dataclass(frozen=True, slots=True)
class Highlight:
    """One passage as an importer found it, before it becomes a card."""

    front: str
    back: str
    source: str = ""
    tags: tuple[str, ...] = ()
    line: int = 0  # where it starts in its file, for messages


@dataclass(slots=True)
class Card:
    """One card of a deck: the passage, the reader's commentary, where it came from."""

    id: str
    front: str
    back: str = ""
    source: str = ""
    tags: list[str] = field(default_factory=list)

    @classmethod
    def from_highlight(cls, highlight: Highlight, extra_tags: tuple[str, ...] = (), ident: str | None = None) -> Card:
        """A new card for a highlight, its id derived from the passage (`ident` when already known)."""
        tags = list(dict.fromkeys([*highlight.tags, *extra_tags]))
        return cls(ident or card_id(highlight.front), highlight.front, highlight.back, highlight.source, tags)


@dataclass
class Deck:
    """A named list of cards, as stored in one deck file."""

    name: str
    cards: list[Card] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


class NamedDeck(Protocol):
    """A named deck with tags and cards: a Deck as read from its file, or a deck a command opened through the
    store (decks.OpenDeck). What exporting needs."""

    @property
    def name(self) -> str: ...

    @property
    def tags(self) -> list[str]: ...

    @property
    def cards(self) -> Sequence[Card]: ...


def content_fingerprint(card: Card) -> str:
    """A short hash of what a card says (front, back, source, tags): equal fingerprints, unchanged card."""
    import hashlib

    text = "\x1f".join([card.front, card.back, card.source, "\x1e", *card.tags])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


# ---------------------------------------------------------------- scheduling vocabulary

class State(IntEnum):
    """Where a card is in its life (the store keeps these numbers)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


class Rating(IntEnum):
    """The four answers, numbered as their keys."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True)
class Schedule:
    """One card's scheduling state; times are timezone-aware UTC."""

    state: State = State.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class CardRow:
    """A card's schedule as stored, with its flags."""

    card_id: str
    schedule: Schedule
    suspended: bool = False
    buried_until: int | None = None
    leech: bool = False


@dataclass(frozen=True)
class LoggedAnswer:
    """One row of the review log."""

    id: int
    card_id: str
    reviewed_at: datetime
    rating: int
    duration_ms: int
    state_before: State
    state_after: State
    due: datetime | None = None  # when the answer scheduled the card
    stability: float | None = None  # the memory state the answer left
    difficulty: float | None = None


class AnswerFacts(NamedTuple):
    """One answer as Anki's review log needs it, straight from the store's log (the columns of rows.ANSWER_FACTS,
    in this order): a plain tuple with names, made a million at a time (`AnswerFacts._make(row)`), no
    conversions. States are State's numbers; times are integer milliseconds UTC."""

    card_id: str
    answered_ms: int  # when it was given (review_log.reviewed_at)
    rating: int
    duration_ms: int
    state_before: int
    state_after: int
    due_ms: int | None  # when the answer scheduled the card
    difficulty: float | None  # the difficulty it left


class CardStatus(StrEnum):
    """What `cards --state` and `unsuspend` filter on: a card's state as a person names it."""

    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    SUSPENDED = "suspended"
    LEECH = "leech"


@dataclass(frozen=True)
class CardFilter:
    """Which cards a command works on: text in the passage, commentary or source; a tag; a status; ids."""

    search: str = ""
    tags: tuple[str, ...] = ()
    status: CardStatus | None = None
    ids: tuple[str, ...] = ()

    def keeps(self, card: Card, row: CardRow) -> bool:
        """Whether a card (its text and its schedule row) passes the filter."""
        if self.ids and card.id not in self.ids:
            return False
        if self.tags and not set(self.tags) & set(card.tags):
            return False
        if self.search:
            wanted = self.search.casefold()
            if not any(wanted in text.casefold() for text in (card.front, card.back, card.source)):
                return False
        return self.status is None or self.status in statuses(row)


def statuses(row: CardRow) -> set[CardStatus]:
    """The statuses a schedule row has: its state, and suspended or leech when flagged."""
    found = {CardStatus.SUSPENDED} if row.suspended else set()
    if row.leech:
        found.add(CardStatus.LEECH)
    if not row.suspended:
        found.add({State.NEW: CardStatus.NEW, State.REVIEW: CardStatus.REVIEW}.get(row.schedule.state, CardStatus.LEARNING))
    return found


class PackageFormat(StrEnum):
    """The Anki package formats we write: legacy (collection.anki2) and current (collection.anki21b, zstd)."""

    LEGACY = "legacy"
    CURRENT = "current"
