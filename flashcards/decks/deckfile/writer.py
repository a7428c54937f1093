"""Writing a deck file: YAML text (Unicode as is, multi-line text in literal blocks), written atomically."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ...errors import FlashcardsError
from ...files.atomic import write_atomic_via
from ...model import Card, Deck
from . import file_state

if TYPE_CHECKING:
    _Dumper = yaml.SafeDumper
else:
    _Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the C dumper when PyYAML was built with it
_STR_TAG = "tag:yaml.org,2002:str"


class _DeckDumper(_Dumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR_TAG, value, style=style)


_DeckDumper.add_representer(str, _represent_str)


def dump_yaml(data: object) -> str:
    """Data as deck YAML: Unicode as is, keys in order, no wrapping, block style, multi-line text as `|`."""
    return yaml.dump(data, Dumper=_DeckDumper, allow_unicode=True, sort_keys=False, width=1_000_000,
                     default_flow_style=False)


_CHUNK = 500  # cards per YAML dump: PyYAML builds a node tree per call, so chunks bound the memory


def _card_entry(card: Card) -> dict[str, object]:
    entry: dict[str, object] = {"id": card.id, "front": card.front, "back": card.back}
    if card.source:
        entry["source"] = card.source
    entry["tags"] = list(card.tags)
    return entry


def card_chunks(cards: Iterable[Card]) -> Iterator[list[Card]]:
    """The cards in lists of at most _CHUNK, as they come."""
    pending = iter(cards)
    while chunk := list(islice(pending, _CHUNK)):
        yield chunk


def iter_deck_yaml(deck: Deck, cards: Iterable[Card] | None = None) -> Iterator[str]:
    """The deck as YAML text, in pieces: Unicode as is, multi-line text in literal blocks. `cards`, when given,
    are written instead of the deck's own (read once, as they come)."""
    header: dict[str, object] = {"name": deck.name}
    if deck.tags:
        header["tags"] = list(deck.tags)
    yield dump_yaml(header)
    chunks = card_chunks(deck.cards if cards is None else cards)
    first = next(chunks, None)
    if first is None:
        yield "cards: []\n"
        return
    yield "cards:\n"
    yield dump_yaml([_card_entry(card) for card in first])
    for chunk in chunks:
        yield dump_yaml([_card_entry(card) for card in chunk])


def dump_deck(deck: Deck) -> str:
    """The deck as one YAML string."""
    return "".join(iter_deck_yaml(deck))


def save_deck(deck: Deck, path: Path, expected_state: tuple[int, int] | bool | None = False,
              cards: Iterable[Card] | None = None) -> None:
    """Write the deck atomically: any failure leaves the old file byte-identical. `cards`, when given, are
    written instead of the deck's own, as they come (a big deck need not be held as a list).

    With `expected_state` (from file_state() when the deck was read), a file that changed on disk since
    is refused rather than overwritten: someone edited it by hand meanwhile. The check is made just before
    the new file replaces the old, under the deck's lock (see decks/locks.py): a concurrent writer waits.
    """
    from ..locks import deck_lock

    def unchanged(target: Path) -> None:
        if expected_state is not False and file_state(target) != expected_state:
            raise FlashcardsError(f"{path}: changed on disk while flashcards had it open; nothing written, run again")

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            for piece in iter_deck_yaml(deck, cards):
                handle.write(piece)

    with deck_lock(path):
        unchanged(path)  # fail early, before the work of writing
        write_atomic_via(path, write, before_replace=unchanged)
