"""The notes a sync writes, exactly as `export` writes them, made from the decks' cards as the writer goes through
them: a deck of 300,000 cards is never held as notes (nor as cards, with decks read through load_streamed)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set
from typing import Any, overload

from ..anki.live_model import NoteWrite
from ..anki.package_out import anki_tag, field_html, note_guid
from ..decks.open_decks import OpenDeck
from ..errors import FlashcardsError


def deck_tags(deck: OpenDeck) -> list[str]:
    """The deck's tags in Anki's form."""
    return [anki_tag(tag) for tag in deck.tags if tag.strip()]


def note_write(guid: str, card: Any, name: str, tags_of_deck: list[str]) -> NoteWrite:
    """One card's note as `export` writes it, in the Anki deck `name`."""
    tags = tuple(dict.fromkeys([*tags_of_deck, *(anki_tag(tag) for tag in card.tags if tag.strip())]))
    fields = (field_html(card.front), field_html(card.back), field_html(card.source))
    return NoteWrite(guid, fields, tags, name)


def card_guid(card_id: str, links: Mapping[str, str]) -> str:
    """The GUID of a card's note: the note made in Anki it came from (`links`), else the one export gives it."""
    return links.get(card_id) or note_guid(card_id)


def card_guids(decks: Sequence[OpenDeck], links: Mapping[str, str]) -> dict[str, str]:
    """GUID -> card id of every card of the decks, in deck order (`links`: the GUID of each card that came from a
    note made in Anki); a card in two of the decks is refused."""
    card_of: dict[str, str] = {}
    deck_of: dict[str, int] = {}  # GUID -> the index of the deck it was first met in (named when met again)
    for index, deck in enumerate(decks):
        for card in deck.cards:
            guid = card_guid(card.id, links)
            if guid in card_of:
                raise FlashcardsError(f"card {card.id} is in two of the synced decks, {decks[deck_of[guid]].path} "
                                      f"and {deck.path}; keep it in one of them")
            card_of[guid] = card.id
            deck_of[guid] = index
    return card_of


class DeckNotes(Sequence[NoteWrite]):
    """The decks' notes in deck order but those of `skip`, made as they are gone through."""

    def __init__(self, decks: Sequence[OpenDeck], names: Sequence[str], links: Mapping[str, str], skip: Set[str],
                 count: int) -> None:
        self.decks, self.names, self.links, self.skip, self._count = decks, names, links, skip, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[NoteWrite]:
        links, skip = self.links, self.skip
        for deck, name in zip(self.decks, self.names, strict=True):
            tags = deck_tags(deck)
            for card in deck.cards:
                guid = card_guid(card.id, links)
                if guid not in skip:
                    yield note_write(guid, card, name, tags)

    @overload
    def __getitem__(self, index: int) -> NoteWrite: ...

    @overload
    def __getitem__(self, index: slice) -> list[NoteWrite]: ...

    def __getitem__(self, index: int | slice) -> NoteWrite | list[NoteWrite]:
        return list(self)[index]  # not on a hot path: the writer goes through them
