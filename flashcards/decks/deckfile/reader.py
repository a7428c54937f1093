"""Reading a deck file: a streamed safe YAML load, one card at a time, with file:line errors; nothing is executed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ...errors import FlashcardsError
from ...model import Card, Deck, card_id

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

TOP_LEVEL_KEYS = ("name", "tags", "cards")
CARD_KEYS = ("id", "front", "back", "source", "tags")
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_SAFE_TAGS = {
    _STR_TAG, _NULL_TAG, "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
}



def load_deck(path: Path, progress: Callable[[float], None] | None = None) -> Deck:
    """Load and validate a deck file; every problem is reported as `file:LINE: message`.

    `progress` is told, now and then, the share of the file parsed so far (0 to 1).
    """
    return parse_deck(read_deck_bytes(path), str(path), progress)


def read_deck_bytes(path: Path) -> bytes:
    """A deck file's bytes, read in chunks (/dev/zero or a pipe cannot exhaust memory); a missing or
    unreadable file is a one-line error."""
    from ...files.textio import read_bounded
    from .journal import recover

    if not path.exists():
        raise FlashcardsError(f"{path}: no such deck file")
    recover(path)  # an append cut short is undone first
    return read_bounded(path, str(path), "decks")


def parse_deck(data: bytes | str, name: str, progress: Callable[[float], None] | None = None,
               card_lines: list[int] | None = None, on_card: Callable[[Card], None] | None = None) -> Deck:
    """Parse deck YAML text; `name` is used in messages; `card_lines`, if given, gets each card's first line.

    Streams: cards are built one at a time from the parser's events, so memory holds the cards, never the
    whole YAML tree (a 100,000-card deck would need hundreds of megabytes as nodes). With `on_card`, each
    card is handed to it as it is parsed and not kept (the Deck returned has no cards). Aliases are refused at
    the first one, so an alias bomb fails before anything expands.
    """
    loader = _Loader(data)
    try:
        lines = (data.count(b"\n") if isinstance(data, bytes) else data.count("\n")) + 1
        return _parse_events(loader, name, progress, lines, card_lines, on_card)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise FlashcardsError(f"{name}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:
        head = data[: exc.position]
        line = (head.count(b"\n") if isinstance(head, bytes) else head.count("\n")) + 1
        raise FlashcardsError(f"{name}:{line}: invalid YAML: {exc.reason}") from None
    except yaml.YAMLError as exc:
        raise FlashcardsError(f"{name}: invalid YAML: {' '.join(str(exc).split())}") from None
    except UnicodeDecodeError:
        raise FlashcardsError(f"{name}: deck is not UTF-8 text") from None
    finally:
        loader.dispose()


def _parse_events(loader, name: str, progress: Callable[[float], None] | None, lines: int,
                  card_lines: list[int] | None, on_card: Callable[[Card], None] | None) -> Deck:
    loader.get_event()  # stream start
    if isinstance(loader.peek_event(), yaml.StreamEndEvent):
        raise FlashcardsError(f"{name}:1: deck is empty (expected keys: {', '.join(TOP_LEVEL_KEYS)})")
    loader.get_event()  # document start
    start = loader.get_event()
    if not isinstance(start, yaml.MappingStartEvent):
        root = _node(loader, start, name)
        _check_tag(root, name)
        raise FlashcardsError(f"{name}:{_line(root)}: a deck must be a mapping with keys {', '.join(TOP_LEVEL_KEYS)}")
    _check_tag(_shell(loader, yaml.MappingNode, start), name)
    top: dict[str, yaml.Node] = {}
    cards: list[Card] = []
    while not isinstance(loader.peek_event(), yaml.MappingEndEvent):
        key = _key(_node(loader, loader.get_event(), name), top, TOP_LEVEL_KEYS, "top-level key", name)
        event = loader.get_event()
        if key == "cards" and isinstance(event, yaml.SequenceStartEvent):
            top[key] = _shell(loader, yaml.SequenceNode, event)
            _check_tag(top[key], name)
            cards = _stream_cards(loader, name, progress, lines, [] if card_lines is None else card_lines, on_card)
        else:
            top[key] = _node(loader, event, name)
    loader.get_event()  # mapping end
    loader.get_event()  # document end
    if not isinstance(loader.peek_event(), yaml.StreamEndEvent):
        raise FlashcardsError(f"{name}:{loader.peek_event().start_mark.line + 1}: a deck file holds one document")
    cards_node = top.get("cards")
    if cards_node is not None and not isinstance(cards_node, yaml.SequenceNode):
        _check_tag(cards_node, name)
        if not _is_null(cards_node):
            raise FlashcardsError(f"{name}:{_line(cards_node)}: 'cards' must be a list of cards")
    deck_name = _text(top.get("name"), name, "name", required=False) or Path(name).stem
    return Deck(deck_name, cards, _tag_list(top.get("tags"), name))


def _stream_cards(loader, name: str, progress: Callable[[float], None] | None, lines: int,
                  card_lines: list[int], on_card: Callable[[Card], None] | None) -> list[Card]:
    """The cards of the `cards` list, each built and checked as soon as it is parsed (and handed to `on_card`
    instead of kept, when given)."""
    cards: list[Card] = []
    keep = cards.append if on_card is None else on_card
    seen: dict[str, int] = {}
    while not isinstance(loader.peek_event(), yaml.SequenceEndEvent):
        node = _node(loader, loader.get_event(), name)
        card = _card(node, name)
        if card.id in seen:
            raise FlashcardsError(f"{name}:{_line(node)}: duplicate card id {card.id!r} (first at line {seen[card.id]})")
        seen[card.id] = _line(node)
        card_lines.append(_line(node))
        keep(card)
        if progress and len(seen) % 1000 == 0:
            progress(_line(node) / lines)
    loader.get_event()  # sequence end
    return cards


def _shell(loader, kind: type, event) -> yaml.Node:
    """A collection node without its items (for the tag and the line)."""
    tag = event.tag if event.tag not in (None, "!") else loader.resolve(kind, None, event.implicit)
    return kind(tag, [], event.start_mark, event.end_mark, flow_style=event.flow_style)


def _node(loader, event, name: str) -> yaml.Node:
    """One node, composed from its events (as PyYAML's composer does, refusing aliases)."""
    start: Any = event.start_mark  # the C loader's events carry its own Mark type
    end: Any = event.end_mark
    if isinstance(event, yaml.AliasEvent):
        raise FlashcardsError(f"{name}:{start.line + 1}: YAML aliases (*{event.anchor}) are not allowed in decks")
    if isinstance(event, yaml.ScalarEvent):
        tag = event.tag if event.tag not in (None, "!") else loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return yaml.ScalarNode(tag, event.value, start, end, style=event.style)
    if isinstance(event, yaml.SequenceStartEvent):
        node = _shell(loader, yaml.SequenceNode, event)
        while not isinstance(loader.peek_event(), yaml.SequenceEndEvent):
            node.value.append(_node(loader, loader.get_event(), name))
        loader.get_event()
        return node
    node = _shell(loader, yaml.MappingNode, event)
    while not isinstance(loader.peek_event(), yaml.MappingEndEvent):
        key = _node(loader, loader.get_event(), name)
        node.value.append((key, _node(loader, loader.get_event(), name)))
    loader.get_event()
    return node


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _check_tag(node: yaml.Node, name: str) -> None:
    """Refuse every tag but plain YAML's (a Python tag would run code in an unsafe loader)."""
    if node.tag not in _SAFE_TAGS:
        shown = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise FlashcardsError(f"{name}:{_line(node)}: tag {shown} is not allowed in decks (plain YAML only)")


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG


def _mapping(node: yaml.MappingNode, name: str, allowed: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
    result: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        result[_key(key_node, result, allowed, what, name)] = value_node
    return result


def _key(key_node: yaml.Node, seen: dict, allowed: tuple[str, ...], what: str, name: str) -> str:
    """A mapping key, refused when unknown or repeated."""
    key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
    if key not in allowed:
        raise FlashcardsError(f"{name}:{_line(key_node)}: unknown {what} {key!r} (expected {', '.join(allowed)})")
    if key in seen:
        raise FlashcardsError(f"{name}:{_line(key_node)}: {what} {key!r} appears twice")
    return key


def _text(node: yaml.Node | None, name: str, key: str, required: bool) -> str:
    """A scalar's text as the person wrote it (so `yes` or `1984` stay text, never booleans)."""
    if node is None:
        return ""
    _check_tag(node, name)
    if _is_null(node):
        return ""
    if not isinstance(node, yaml.ScalarNode):
        raise FlashcardsError(f"{name}:{_line(node)}: '{key}' must be text, not a {_kind(node)}")
    return node.value


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "mapping"


def _tag_list(node: yaml.Node | None, name: str) -> list[str]:
    if node is None:
        return []
    _check_tag(node, name)
    if _is_null(node):
        return []
    if isinstance(node, yaml.ScalarNode):
        return [tag for tag in _text(node, name, "tags", False).split() if tag]
    if isinstance(node, yaml.SequenceNode):
        return [_text(item, name, "tags", False) for item in node.value if not _is_null(item)]
    raise FlashcardsError(f"{name}:{_line(node)}: 'tags' must be a list of words")


def _card(node: yaml.Node, name: str) -> Card:
    _check_tag(node, name)
    if not isinstance(node, yaml.MappingNode):
        raise FlashcardsError(f"{name}:{_line(node)}: a card must be a mapping with keys {', '.join(CARD_KEYS)}")
    fields = _mapping(node, name, CARD_KEYS, "card key")
    front = _text(fields.get("front"), name, "front", required=True)
    if not front.strip():
        raise FlashcardsError(f"{name}:{_line(node)}: card has no front")
    ident = _text(fields.get("id"), name, "id", required=False).strip() or card_id(front)
    back = _text(fields.get("back"), name, "back", required=False)
    source = _text(fields.get("source"), name, "source", required=False)
    return Card(ident, front, back, source, _tag_list(fields.get("tags"), name))
