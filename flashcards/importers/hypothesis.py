"""Hypothesis (hypothes.is) annotations as JSON: the API's `{"rows": [...]}`, the client's export
`{"annotations": [...]}`, or a plain list. The quoted text (TextQuoteSelector `exact`) is the front,
the annotation's `text` the back; its tags are kept. Page notes and replies quote nothing and are skipped.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import FlashcardsError
from ..model import Highlight
from .base import ImportOptions, ImportResult, as_tag, file_label, looks_like_json, one_line

NAME = "hypothesis"
_CONTAINER_KEYS = ("rows", "annotations")
_WS = re.compile(r"[ \t\n\r]*")


def detect(text: str) -> float:
    """Sure for JSON holding annotations; half sure for broken JSON (so its error is reported, with its line)."""
    if not looks_like_json(text):
        return 0.0
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return 0.5
    annotations = _container(data)
    if annotations is None:
        return 0.0
    sample = [item for item in annotations[:20] if isinstance(item, dict)]
    if any("target" in item or ("uri" in item and "text" in item) for item in sample):
        return 0.95
    if not annotations and isinstance(data, dict) and ("total" in data or "export_date" in data):
        return 0.9  # an export that holds no annotations
    return 0.0


def parse(text: str, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per annotation that quotes text; page notes, replies and non-annotations are counted."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FlashcardsError(f"{source}:{error.lineno}: not valid JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise FlashcardsError(f"{source}: JSON nested too deeply to be an annotation export") from None
    except ValueError as error:  # e.g. a number longer than Python converts (4,300 digits)
        raise FlashcardsError(f"{source}: not an annotation export ({error})") from None
    annotations = _container(data)
    if annotations is None:
        raise FlashcardsError(
            f"{source}:1: not a Hypothesis export (expected a list of annotations, or an object with 'rows' or 'annotations')"
        )
    result = ImportResult(NAME)
    lines = _item_lines(text, data)
    for position, annotation in enumerate(annotations):
        line = lines[position] if position < len(lines) else 0
        highlight = _highlight(annotation, source, line, result)
        if highlight is not None:
            result.add(highlight)
    return result


def _container(data: Any) -> list[Any] | None:
    """The list of annotations in any of the shapes Hypothesis writes, or None."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in _CONTAINER_KEYS:
            if isinstance(data.get(key), list):
                return data[key]
        if "target" in data:
            return [data]  # one annotation on its own
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _highlight(annotation: Any, source: str, line: int, result: ImportResult) -> Highlight | None:
    if not isinstance(annotation, dict):
        result.skipped["not an annotation"] += 1
        return None
    if annotation.get("references"):
        result.skipped["reply to an annotation"] += 1
        return None
    targets = annotation.get("target")
    selectors = [
        selector
        for target in (targets if isinstance(targets, list) else [])
        if isinstance(target, dict) and isinstance(target.get("selector"), list)
        for selector in target["selector"]
        if isinstance(selector, dict)
    ]
    if not selectors:
        result.skipped["page note without a quote"] += 1
        return None
    quote = next((_text(s.get("exact")) for s in selectors if s.get("type") == "TextQuoteSelector"), "").strip()
    if not quote:
        result.skipped["empty highlight"] += 1
        return None
    tags = annotation.get("tags")
    tag_names = tuple(dict.fromkeys(as_tag(tag) for tag in (tags if isinstance(tags, list) else [])
                                    if isinstance(tag, str) and tag.strip()))
    document = annotation.get("document")
    document = document if isinstance(document, dict) else {}
    titles = document.get("title")
    title = _text(titles[0] if isinstance(titles, list) and titles else titles).strip()
    uri = _text(annotation.get("uri")).strip()
    if not uri:
        uri = _text(targets[0].get("source") if targets and isinstance(targets[0], dict) else "").strip()
    origin = " — ".join(one_line(part) for part in (title, uri) if part)
    if not origin:
        origin = f"{file_label(source)}:{line}" if line else file_label(source)
    return Highlight(quote, _text(annotation.get("text")).strip(), origin, tag_names, line)


def _skip_space(text: str, position: int) -> int:
    """The first position at or after `position` that is not JSON white space."""
    space = _WS.match(text, position)
    return space.end() if space else position


def _item_lines(text: str, data: Any) -> list[int]:
    """The line on which each annotation starts, found by walking the (already valid) JSON once more."""
    decoder = json.JSONDecoder()
    start = _skip_space(text, 0)
    if isinstance(data, dict):
        array = _value_offset(text, start, decoder)
        if array is None:
            return [text.count("\n", 0, start) + 1]  # one annotation on its own
        start = array
    offsets = []
    position = _skip_space(text, start + 1)
    while position < len(text) and text[position] != "]":
        offsets.append(position)
        _, position = decoder.raw_decode(text, position)
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
    lines, counted, line = [], 0, 1
    for offset in offsets:
        line += text.count("\n", counted, offset)
        counted = offset
        lines.append(line)
    return lines


def _value_offset(text: str, start: int, decoder: json.JSONDecoder) -> int | None:
    """Where the top-level object's annotations list starts (the last 'rows' or 'annotations' key wins, as in json)."""
    found: dict[str, int] = {}
    position = _skip_space(text, start + 1)
    while position < len(text) and text[position] == '"':
        key, position = decoder.raw_decode(text, position)  # the key: a JSON string
        position = _skip_space(text, position) + 1  # past the colon
        position = _skip_space(text, position)
        if key in _CONTAINER_KEYS and text[position] == "[":
            found[key] = position
        else:
            found.pop(key, None)
        _, position = decoder.raw_decode(text, position)
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
    for key in _CONTAINER_KEYS:
        if key in found:
            return found[key]
    return None
