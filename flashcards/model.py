"""Small data types shared by every layer: no I/O here."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

_WHITESPACE = re.compile(r"\s+")


def normalize_front(text: str) -> str:
    """The form of a passage that decides its identity: Unicode NFC, white space collapsed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def card_id(front: str) -> str:
    """A stable id for a passage: the same text gives the same id from any file on any run."""
    digest = hashlib.sha256(normalize_front(front).encode("utf-8")).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class Highlight:
    """One passage as an importer found it, before it becomes a card."""

    front: str
    back: str
    source: str = ""
    tags: tuple[str, ...] = ()
    line: int = 0  # where it starts in its file, for messages


@dataclass
class Card:
    """One card of a deck: the passage, the reader's commentary, where it came from."""

    id: str
    front: str
    back: str = ""
    source: str = ""
    tags: list[str] = field(default_factory=list)

    @classmethod
    def from_highlight(cls, highlight: Highlight, extra_tags: tuple[str, ...] = ()) -> Card:
        """A new card for a highlight, its id derived from the passage."""
        tags = list(dict.fromkeys([*highlight.tags, *extra_tags]))
        return cls(card_id(highlight.front), highlight.front, highlight.back, highlight.source, tags)


@dataclass
class Deck:
    """A named list of cards, as stored in one deck file."""

    name: str
    cards: list[Card] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def content_fingerprint(card: Card) -> str:
    """A short hash of what a card says (front, back, source, tags): equal fingerprints, unchanged card."""
    import hashlib

    text = "\x1f".join([card.front, card.back, card.source, "\x1e", *card.tags])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
