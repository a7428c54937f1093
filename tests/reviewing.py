"""Helpers for tests of reviewing: a frozen clock, small decks on disk, a session over a real store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flashcards.decks.deckfile.writer import save_deck
from flashcards.decks.open_decks import open_decks
from flashcards.model import Card, Deck, card_id
from flashcards.review.session import Session
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.settings import Settings
from flashcards.store import Store

# 10:00 UTC on a Monday; tests pass tz=UTC so the 4 am rollover is 04:00 UTC
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass
class FrozenClock:
    """A clock that only moves when told."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def write_deck(path: Path, count: int, name: str = "test", back: str = "commentary") -> list[str]:
    """A deck file of `count` cards; returns their ids in deck order."""
    cards = [Card(card_id(f"passage {name} {i}"), f"passage {name} {i}", f"{back} {i}") for i in range(count)]
    save_deck(Deck(name, cards), path)
    return [card.id for card in cards]


@dataclass
class Reviewing:
    """A real store, some decks and a session over them, with a frozen clock."""

    store: Store
    deck_paths: list[Path]
    clock: FrozenClock = field(default_factory=FrozenClock)
    settings: Settings = field(default_factory=lambda: Settings(fuzz=False))

    def session(self, ahead: bool = False) -> Session:
        """A new session (as a new run of `flashcards review` would start)."""
        decks = open_decks(self.store, self.deck_paths)
        return Session(self.store, decks, FSRSScheduler.from_settings(self.settings, UTC), self.settings,
                       clock=self.clock, tz=UTC, ahead=ahead)
