"""Turning highlight exports into Highlights: one module per format, chosen by content.

A text format module has NAME, detect(text) -> score in [0, 1] and parse(text, source, options).
A binary format module (a database, a PDF) has NAME, detect_bytes(head) -> score, judged on the file's first
bytes, and parse_file(path, source, options), which reads the file itself (its size already checked).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from ..errors import FlashcardsError
from . import hypothesis, kindle, kindle_notebook, kobo, markdown, pairs, pdf, readwise, sniff, table
from .base import ImportOptions, ImportResult
from .textio import read_text

# The more specific formats first: on equal scores the earlier one wins. pairs is the fallback.
FORMATS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (kindle, kindle_notebook, kobo, pdf, hypothesis, readwise, markdown, table, pairs)
}
ALIASES = {"tsv": "csv"}  # other names --format accepts

__all__ = ["ALIASES", "FORMATS", "ImportOptions", "ImportResult", "detect_format", "import_file"]


def is_binary_format(module: ModuleType) -> bool:
    """Whether the format reads the file itself (from its path) rather than decoded text."""
    return hasattr(module, "parse_file")


def detect_format(text: str, name: str) -> ModuleType:
    """The text format whose detector is most confident about this text; text that fits none is refused."""
    scores = {fmt: module.detect(text) for fmt, module in FORMATS.items() if not is_binary_format(module)}
    best = max(scores, key=lambda fmt: scores[fmt])
    if scores[best] <= 0:
        raise sniff.refuse_text(text, name)
    return FORMATS[best]


def detect_binary(head: bytes) -> ModuleType | None:
    """The binary format whose detector is most confident about these first bytes, or None."""
    scores = {fmt: module.detect_bytes(head) for fmt, module in FORMATS.items() if is_binary_format(module)}
    best = max(scores, key=lambda fmt: scores[fmt])
    return FORMATS[best] if scores[best] > 0 else None


def import_file(path: Path, source: str, fmt: str | None = None, options: ImportOptions | None = None) -> ImportResult:
    """Read one export and return its highlights; `source` is how cards will name the file."""
    options = options or ImportOptions()
    head = sniff.read_head(path, source)
    if fmt is not None:
        if ALIASES.get(fmt, fmt) not in FORMATS:
            raise FlashcardsError(f"unknown format {fmt!r} (known: {', '.join([*FORMATS, *ALIASES])})")
        module = FORMATS[ALIASES.get(fmt, fmt)]
        if is_binary_format(module):
            return module.parse_file(path, source, options)
        return module.parse(read_text(path, source), source, options)
    binary = detect_binary(head)
    if binary is not None:
        return binary.parse_file(path, source, options)
    if head.strip():
        refused = sniff.refuse_binary(path, head, source)
        if refused is not None:
            raise refused
    try:
        text = read_text(path, source)
    except FlashcardsError as error:
        if "binary" in str(error) or "cannot decode" in str(error):
            raise sniff.refuse_undecodable(head, source) from None
        raise
    return detect_format(text, source).parse(text, source, options)
