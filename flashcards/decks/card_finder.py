"""Finding cards by text, tag and state: what `cards` lists and what `unsuspend` brings back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..errors import FlashcardsError
from ..model import Card, CardFilter, CardRow, CardStatus, State, statuses
from ..store import Store
from .open_decks import OpenDeck


@dataclass(frozen=True)
class FoundCard:
    """A card as `cards` lists it."""

    deck: str
    card: Card
    row: CardRow

    @property
    def status(self) -> CardStatus:
        """The one status a person reads: leech before suspended before the card's state."""
        found = statuses(self.row)
        for status in (CardStatus.LEECH, CardStatus.SUSPENDED):
            if status in found:
                return status
        return next(iter(found))

    @property
    def interval_days(self) -> float | None:
        """The interval the card's last answer gave (review cards), in days."""
        schedule = self.row.schedule
        if schedule.state != State.REVIEW or schedule.due is None or schedule.last_review is None:
            return None
        return (schedule.due - schedule.last_review).total_seconds() / 86400

    @property
    def due(self) -> datetime | None:
        return self.row.schedule.due

    def to_dict(self) -> dict:
        return {
            "id": self.card.id, "deck": self.deck, "state": self.status.value,
            "due": self.due.isoformat() if self.due else None,
            "interval_days": None if self.interval_days is None else round(self.interval_days, 2),
            "stability_days": None if self.row.schedule.stability is None else round(self.row.schedule.stability, 2),
            "front": self.card.front, "tags": list(self.card.tags),
        }


def find_cards(store: Store, decks: Sequence[OpenDeck], wanted: CardFilter) -> Iterator[FoundCard]:
    """The decks' cards that pass the filter, in deck order."""
    for deck_name, card, row in store.deck_card_rows([deck.key for deck in decks]):
        if wanted.keeps(card, row):
            yield FoundCard(deck_name, card, row)


def unsuspend_matching(store: Store, decks: Sequence[OpenDeck], wanted: CardFilter) -> int:
    """Bring back the suspended cards (and leeches) that pass the filter; returns how many came back."""
    ids = [found.card.id for found in find_cards(store, decks, wanted) if found.row.suspended]
    return store.unsuspend([deck.key for deck in decks], ids) if ids else 0


def resolve_card_ids(store: Store, decks: Sequence[OpenDeck], given: Sequence[str], where: str) -> tuple[str, ...]:
    """The whole ids `--card` names, as git takes commits: a whole id, or the start of exactly one card's id.

    An id no card of the decks has, or a start several ids share (their number said), is an error; `where`
    names the decks for the message.
    """
    keys = [deck.key for deck in decks]
    whole: list[str] = []
    for text in given:
        wanted = text.strip()
        if not wanted:
            raise FlashcardsError("--card: an empty id")
        count, first = store.card_ids_beginning(keys, wanted) if keys else (0, [])
        if count == 0:
            raise FlashcardsError(f"--card {wanted}: no card of {where} has this id")
        if count > 1:
            shown = ", ".join(first) + (", …" if count > len(first) else "")
            raise FlashcardsError(f"--card {wanted}: {count} cards' ids begin with it ({shown}); give more of the id")
        whole.append(first[0])
    return tuple(dict.fromkeys(whole))
