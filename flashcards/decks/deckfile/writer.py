"""Writing a deck file: YAML text (Unicode as is, multi-line text in literal blocks), written atomically.

The YAML is dumped straight into the file a chunk of cards at a time, never made into one string first; a card
text longer than bigtext.BIG is written by bigtext as the emitter would write it, a piece at a time (the emitter
holds two copies of a text while it writes it): a card with a huge passage costs no copy of it.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import yaml

from ...errors import FlashcardsError
from ...files.atomic import write_atomic_via
from ...model import Card, Deck
from . import bigtext, file_state
from .bigtext import TextSink

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


_WIDTH = 1_000_000  # the emitter's line width: longer lines of plain or quoted text are broken at a space


def dump_yaml(data: object) -> str:
    """Data as deck YAML: Unicode as is, keys in order, no wrapping, block style, multi-line text as `|`."""
    return yaml.dump(data, Dumper=_DeckDumper, allow_unicode=True, sort_keys=False, width=_WIDTH,
                     default_flow_style=False)


def dump_yaml_into(data: object, stream: TextSink) -> None:
    """dump_yaml(data), written into a text stream as the emitter makes it (the same text)."""
    yaml.dump(data, stream, Dumper=_DeckDumper, allow_unicode=True, sort_keys=False, width=_WIDTH,
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


def write_deck_yaml(stream: TextIO, deck: Deck, cards: Iterable[Card] | None = None) -> None:
    """The deck as YAML text into `stream`: Unicode as is, multi-line text in literal blocks. `cards`, when given,
    are written instead of the deck's own (read once, as they come)."""
    joined = _Joined(stream)
    header: dict[str, object] = {"name": deck.name}
    if deck.tags:
        header["tags"] = list(deck.tags)
    dump_yaml_into(header, joined)
    joined.end_dump()
    chunks = card_chunks(deck.cards if cards is None else cards)
    first = next(chunks, None)
    if first is None:
        joined.write("cards: []\n")
    else:
        joined.write("cards:\n")
        write_card_items(joined, first)
        for chunk in chunks:
            write_card_items(joined, chunk)
    joined.close()


_TEXTS = ("front", "back", "source")
_VALUE_LINE = re.compile(r"( *)(?:- )*(front|back|source): ")  # the line of a card text, up to the text


def write_card_items(stream: TextSink, cards: list[Card]) -> None:
    """Cards as YAML list items into `stream`: dump_yaml() of their entries, a text longer than bigtext.BIG
    written by bigtext in its place (see the module's docstring)."""
    entries = [_card_entry(card) for card in cards]
    big = [(entry, key, style) for entry in entries for key in _TEXTS
           if len(value := str(entry.get(key, ""))) > bigtext.BIG and (style := bigtext.style_of(value)) is not None]
    if not big:
        dump_yaml_into(entries, stream)
        _end_dump(stream)
        return
    token = _unused_word(entries)
    values = [str(entry[key]) for entry, key, _ in big]
    ends_open = _ends_open(entries)
    for number, (entry, key, _) in enumerate(big):
        entry[key] = f"{token}{number}x"  # a word alone: written plain, where the text goes
    text = dump_yaml(entries)
    if text.endswith("\n...\n") != ends_open:  # the marker as the emitter would end the dump with the long texts
        text = text + "...\n" if ends_open else text[:-4]
    at = 0
    for number, found in enumerate(re.finditer(rf"{token}(\d+)x", text)):
        line_start = max(text.rfind(end, 0, found.start()) for end in "\n\u2028\u2029") + 1  # YAML's line ends
        line = _VALUE_LINE.fullmatch(text, line_start, found.start())
        assert line is not None and int(found.group(1)) == number
        stream.write(text[at:found.start()])
        style, value = big[number][2], values[number]
        key_column = found.start() - line_start - len(line.group(2)) - 2
        bigtext.write(stream, value, style, found.start() - line_start, key_column + 2, _WIDTH)
        at = found.end()
        if style == "|" and value.endswith("\n"):  # the block's own last line end ends its line
            assert text[at] == "\n"
            at += 1
    stream.write(text[at:])
    _end_dump(stream)


def _unused_word(entries: list[dict[str, object]]) -> str:
    """A word none of the entries' texts holds, to stand for a long text in the emitter's dump."""
    texts = [text for entry in entries for value in entry.values()
             for text in (value if isinstance(value, list) else [value]) if isinstance(text, str)]
    while True:
        word = f"flashcards{secrets.token_hex(8)}long"
        if not any(word in text for text in texts):
            return word


def _ends_open(entries: list[dict[str, object]]) -> bool:
    """Whether the emitter ends its dump of these entries with a document end marker (`...`): when the last
    literal block it writes keeps its final line ends (`|+`)."""
    last = False
    for entry in entries:
        for value in entry.values():
            for text in value if isinstance(value, list) else [value]:
                kept = bigtext.keeps_line_ends(text) if isinstance(text, str) else None
                if kept is not None:
                    last = kept
    return last


def _end_dump(stream: TextSink) -> None:
    if isinstance(stream, _Joined):
        stream.end_dump()


class _Joined:
    """A text stream that takes YAML dumps one after the other as one document: the marker of a document's end
    (`...`) that the emitter writes after a literal block keeping its final line ends (`|+`) is dropped when
    more follows (there it would end the deck before its last cards), kept at the very end."""

    encoding = "utf-8"  # (the emitter writes text into a stream that has an encoding, bytes into one without)

    def __init__(self, stream: TextSink) -> None:
        self._stream = stream
        self._tail = ""  # the last characters written, held back
        self._marker = False  # a document end marker held back

    def write(self, text: str, /) -> int:
        if text:
            self._marker = False  # more follows: the marker is dropped
            held = self._tail + text
            self._stream.write(held[:-5])
            self._tail = held[-5:]
        return len(text)

    def end_dump(self) -> None:
        """One dump is written: a marker at its end is held back."""
        if self._tail.endswith("\n...\n") or self._tail == "...\n":
            self._stream.write(self._tail[:-4])
            self._tail, self._marker = "", True

    def close(self, keep_marker: bool = True) -> None:
        """Write what is held back (the marker too, at the very end, unless told not to)."""
        self._stream.write(self._tail + ("...\n" if self._marker and keep_marker else ""))
        self._tail, self._marker = "", False


def joined(stream: TextSink) -> _Joined:
    """A stream that takes several dumps as one document (see _Joined); close() it at the end."""
    return _Joined(stream)


def has_big_text(cards: Iterable[Card]) -> bool:
    """Whether a card's text is long enough to be written by bigtext."""
    return any(len(text) > bigtext.BIG for card in cards for text in (card.front, card.back, card.source))


def dump_deck(deck: Deck) -> str:
    """The deck as one YAML string."""
    text = io.StringIO()
    write_deck_yaml(text, deck)
    return text.getvalue()


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
            write_deck_yaml(handle, deck, cards)

    with deck_lock(path):
        unchanged(path)  # fail early, before the work of writing
        write_atomic_via(path, write, before_replace=unchanged)
