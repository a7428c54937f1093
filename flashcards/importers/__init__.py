"""Turning highlight exports into Highlights: one module per format, chosen by content.

Each format module has NAME, detect(text) -> score in [0, 1] and parse(text, source, options).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from ..errors import FlashcardsError
from . import hypothesis, kindle, markdown, pairs, readwise, table
from .base import ImportOptions, ImportResult
from .textio import read_text

# The more specific formats first: on equal scores the earlier one wins. pairs is the fallback.
FORMATS: dict[str, ModuleType] = {
    module.NAME: module for module in (kindle, hypothesis, readwise, markdown, table, pairs)
}
ALIASES = {"tsv": "csv"}  # other names --format accepts

__all__ = ["ALIASES", "FORMATS", "ImportOptions", "ImportResult", "detect_format", "import_file"]


def detect_format(text: str, name: str) -> ModuleType:
    """The format whose detector is most confident about this text."""
    scores = {fmt: module.detect(text) for fmt, module in FORMATS.items()}
    best = max(scores, key=lambda fmt: scores[fmt])
    if scores[best] <= 0:
        raise FlashcardsError(f"{name}: fits no known format (tried {', '.join(FORMATS)})")
    return FORMATS[best]


def import_file(path: Path, source: str, fmt: str | None = None, options: ImportOptions | None = None) -> ImportResult:
    """Read one export and return its highlights; `source` is how cards will name the file."""
    text = read_text(path, source)
    if fmt is None:
        module = detect_format(text, source)
    elif ALIASES.get(fmt, fmt) in FORMATS:
        module = FORMATS[ALIASES.get(fmt, fmt)]
    else:
        raise FlashcardsError(f"unknown format {fmt!r} (known: {', '.join([*FORMATS, *ALIASES])})")
    return module.parse(text, source, options or ImportOptions())
