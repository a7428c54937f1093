"""The alternating format of the seeds: a passage line, then the reader's commentary line."""

from __future__ import annotations

from ..model import Highlight
from .base import ImportOptions, ImportResult, file_label, looks_like_json, looks_like_markup

NAME = "pairs"


def detect(text: str) -> float:
    """Lines of words could be pairs: the fallback every other format beats. Never JSON, markup (a web page, XML),
    a PDF's or RTF's text, or lines without a single letter."""
    if looks_like_json(text) or looks_like_markup(text) or text.lstrip()[:5] in ("%PDF-", "{\\rtf"):
        return 0.0
    return 0.1 if any(char.isalpha() for char in text[:65536]) else 0.0


def parse(text: str, source: str, options: ImportOptions) -> ImportResult:
    """Pair up non-blank lines: passage, commentary, passage, commentary, ..."""
    result = ImportResult(NAME)
    lines = [(number, line.strip()) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
    for index in range(0, len(lines), 2):
        number, front = lines[index]
        if index + 1 < len(lines):
            back = lines[index + 1][1]
        else:
            back = ""
            result.warnings.append(f"{source}:{number}: last passage has no commentary; its card has an empty back")
        result.highlights.append(Highlight(front, back, f"{file_label(source)}:{number}", (), number))
    return result
