"""Editing one card of a deck file in place: only that card's lines change; every other byte stays.

The card is offered as a small YAML document (front, back, source, tags); what comes back is read with the
deck reader's own safe rules, keeps the card's id (so its history stays), and replaces the lines of that
card's list item, under the deck's lock and only if the file did not change meanwhile.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ...errors import FlashcardsError
from ...files.atomic import write_atomic_via
from ...model import Card
from . import file_state
from .journal import recover
from .reader import parse_deck
from .writer import _card_entry, dump_yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
EDITABLE = ("front", "back", "source", "tags")


def card_document(card: Card) -> str:
    """A card as the YAML document the person edits (its id stays out of reach: it keeps the history)."""
    entry = {key: value for key, value in _card_entry(card).items() if key in EDITABLE}
    entry.setdefault("source", card.source)
    head = "# Edit this card and save; an empty front, or YAML that does not parse, changes nothing.\n"
    return head + dump_yaml(entry)


def card_from_document(text: str, card: Card, name: str = "the edited card") -> Card:
    """The card as edited: read with the deck's rules (file:line errors, nothing executed), its id kept."""
    body = "".join("  " + line if line.strip() else line for line in text.splitlines(keepends=True))
    try:
        parsed = parse_deck(f"name: edited\ncards:\n- id: {card.id}\n{_indent_first(body)}", name)
    except FlashcardsError as error:  # lines as the person numbers them: the document's, not the wrapper's
        raise FlashcardsError(re.sub(rf"^{re.escape(name)}:(\d+):",
                                     lambda m: f"{name}:{max(int(m.group(1)) - 3, 1)}:", str(error))) from None
    if len(parsed.cards) != 1:
        raise FlashcardsError(f"{name}: expected one card")
    return replace(parsed.cards[0], id=card.id)


def _indent_first(body: str) -> str:
    return body if body.strip() else "  front: ''\n"


def replace_card(path: Path, card: Card, expected_state: tuple[int, int] | None) -> tuple[int, int]:
    """Write `card` over the lines of the card with its id in the deck file; returns the file's new state.

    Refused with one line when the file changed since `expected_state`, or when the card is not found on
    lines of its own (a deck written as one flow list).
    """
    from ..locks import deck_lock

    with deck_lock(path):
        recover(path)
        data = _read(path)
        if expected_state is not None and file_state(path) != expected_state:
            raise FlashcardsError(f"{path}: changed on disk since the session read it; nothing written, run again")
        start, end, indent = _card_lines(data, card.id, str(path))
        lines = data.splitlines(keepends=True)
        text = dump_yaml([_card_entry(card)])
        new = "".join(" " * indent + line if line.strip() else line for line in text.splitlines(keepends=True))
        newline = b"\r\n" if lines and lines[start].endswith(b"\r\n") else b"\n"
        body = new.encode("utf-8").replace(b"\n", newline)
        result = b"".join([*lines[:start], body, *lines[end:]])
        parse_deck(result, str(path))  # the whole deck must still read: never write a deck that does not

        def write(tmp: Path) -> None:
            tmp.write_bytes(result)

        def unchanged(target: Path) -> None:
            if file_state(target) != file_state(path) or target.read_bytes() != data:
                raise FlashcardsError(f"{path}: changed on disk while the card was written; nothing written")

        write_atomic_via(path, write, before_replace=unchanged)
    state = file_state(path)
    assert state is not None
    return state


def _card_lines(data: bytes, card_id: str, name: str) -> tuple[int, int, int]:
    """(first line, line after the last, indentation of its `-`) of the card's list item, 0-based lines."""
    deck = parse_deck(data, name)
    index = next((i for i, card in enumerate(deck.cards) if card.id == card_id), None)
    if index is None:
        raise FlashcardsError(f"{name}: card {card_id} is no longer in this deck")
    spans = _item_spans(data)
    if len(spans) != len(deck.cards):
        raise FlashcardsError(f"{name}: cards that share lines (a flow list) cannot be edited one by one; edit the file")
    start, end = spans[index]
    if (index + 1 < len(spans) and spans[index + 1][0] < end) or (index and spans[index - 1][1] > start):
        raise FlashcardsError(f"{name}: cards that share lines cannot be edited one by one; edit the file")
    line = data.splitlines()[start].decode("utf-8", "replace")
    stripped = line.lstrip(" ")
    if not stripped.startswith("-"):
        raise FlashcardsError(f"{name}:{start + 1}: the card does not start its own line; edit the file")
    return start, end, len(line) - len(stripped)


def _item_spans(data: bytes) -> list[tuple[int, int]]:
    """The line span [first, after last) of each item of the top-level `cards` list, from the parser's marks.

    An item ends on the last line holding its text: a scalar's end, or a flow collection's closing bracket
    (a block collection's end mark points at whatever follows it, comments and blank lines included).
    """
    spans: list[tuple[int, int]] = []
    stack: list[bool] = []  # flow style of each open collection
    expecting_key = True  # in the top mapping: the next scalar is a key
    key = None
    in_cards = False
    item_start = item_end = 0
    for event in yaml.parse(data, Loader=_Loader):
        start: Any = event.start_mark  # the C loader's events carry its own Mark type
        end: Any = event.end_mark
        depth = len(stack)
        if isinstance(event, yaml.CollectionStartEvent):
            if depth == 1 and not expecting_key:
                in_cards = key == "cards"
            if in_cards and depth == 2:
                item_start, item_end = start.line, start.line + 1
            stack.append(bool(event.flow_style))
        elif isinstance(event, yaml.CollectionEndEvent):
            flow = stack.pop()
            depth = len(stack)
            if in_cards and depth >= 2 and flow:
                item_end = max(item_end, end.line + 1)
            if in_cards and depth == 2:
                spans.append((item_start, item_end))
            if depth == 1:
                in_cards = False
                expecting_key = True
        elif isinstance(event, yaml.ScalarEvent):
            if depth == 1:
                if expecting_key:
                    key = event.value
                expecting_key = not expecting_key
            elif in_cards and depth >= 3:
                item_end = max(item_end, _end_line(end))
    return spans


def _end_line(mark) -> int:
    """The line after a value that ends at `mark` (a block scalar's end mark is the start of the next line)."""
    return mark.line if mark.column == 0 else mark.line + 1


def _read(path: Path) -> bytes:
    from ...files.textio import read_bounded

    if not path.exists():
        raise FlashcardsError(f"{path}: no such deck file")
    return read_bounded(path, str(path), "decks")
