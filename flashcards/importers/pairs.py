"""The alternating format of the seeds: a passage line, then the reader's commentary line."""

from __future__ import annotations

from ..model import Highlight
from .base import ImportOptions, ImportResult, looks_like_json

NAME = "pairs"


def detect(text: str) -> float:
    """Any text with non-blank lines could be pairs: the fallback every other format beats (but never JSON)."""
    if looks_like_json(text):
        return 0.0
    return 0.1 if text and not text.isspace() else 0.0


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
        result.highlights.append(Highlight(front, back, f"{source}:{number}", (), number))
    return result
