"""The alternating format of the seeds: a passage line, then the reader's commentary line."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Highlight
from .base import ImportOptions, ImportResult, file_label, looks_like_json
from .shape import markup_document, source_code

NAME = "pairs"


def detect(text: str) -> float:
    """Lines of words could be pairs: the fallback every other format beats. Never JSON, a document made of markup
    (a web page, XML; prose that quotes a tag is fine), source code, a PDF's or RTF's text, or lines without a
    single letter."""
    if looks_like_json(text) or text.lstrip()[:5] in ("%PDF-", "{\\rtf") or markup_document(text):
        return 0.0
    if source_code(text) is not None:
        return 0.0
    return 0.1 if any(char.isalpha() for char in text[:65536]) else 0.0


def parse(text: str, source: str, options: ImportOptions) -> ImportResult:
    """Pair up non-blank lines: passage, commentary, passage, commentary, ..."""
    return parse_lines(text.split("\n"), source, options)


def parse_lines(lines: Iterable[str], source: str, options: ImportOptions) -> ImportResult:
    """parse() on the text's lines, read one at a time."""
    result = ImportResult(NAME)
    label = file_label(source)
    pending: tuple[int, str] | None = None  # a passage waiting for its commentary
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if pending is None:
            pending = (number, line)
            continue
        result.add(Highlight(pending[1], line, f"{label}:{pending[0]}", (), pending[0]))
        pending = None
    if pending is not None:
        number, front = pending
        result.warnings.append(f"{source}:{number}: last passage has no commentary; its card has an empty back")
        result.add(Highlight(front, "", f"{label}:{number}", (), number))
    return result
