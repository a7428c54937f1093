"""Turning highlight exports into Highlights: one module per format, chosen by content.

A text format module has NAME, detect(text) -> score in [0, 1] and parse(text, source, options).
A binary format module (a database, a PDF) has NAME, detect_bytes(head) -> score, judged on the file's first
bytes, and parse_file(path, source, options), which reads the file itself (its size already checked; for an
input that was no regular file, a private copy of what was read); it may also have detect_file(path) -> score,
asked when the first bytes chose another format (a database whose tables lie past them).
A line-based text format may also have parse_lines(lines, source, options), taking the lines of the text
(as `text.split("\n")` gives them): a large export is then parsed as it is decoded, never held whole.

May import: errors, model, files (bounded reads, encodings). Never store, decks or anything above them.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from ..errors import FlashcardsError
from ..files import textio
from . import (
    apple_books,
    hypothesis,
    kindle,
    kindle_notebook,
    kobo,
    koreader,
    markdown,
    pairs,
    pdf,
    readwise,
    sniff,
    stream,
    table,
    zotero,
)
from .base import ImportOptions, ImportResult

# The more specific formats first: on equal scores the earlier one wins. pairs is the fallback.
FORMATS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (kindle, kindle_notebook, kobo, koreader, apple_books, zotero, pdf, hypothesis, readwise, markdown, table,
                   pairs)
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


def _judged_whole(path: Path, chosen: ModuleType) -> ModuleType:
    """The binary format for a file: the one its first bytes chose, unless a format that judges the whole file
    (detect_file: a database's tables may lie past its first bytes, or still in its WAL) claims it."""
    if hasattr(chosen, "detect_file"):
        return chosen
    scores = {fmt: module.detect_file(path) for fmt, module in FORMATS.items() if hasattr(module, "detect_file")}
    best = max(scores, key=lambda fmt: scores[fmt], default=None)
    return FORMATS[best] if best is not None and scores[best] > 0 else chosen


def import_file(path: Path, source: str, fmt: str | None = None, options: ImportOptions | None = None) -> ImportResult:
    """Read one export and return its highlights; `source` is how cards will name the file.

    The input is opened once (`-` is standard input): detection looks at the bytes that are parsed, and what
    cannot be read twice (a named pipe, standard input, a process substitution) is read once, within the cap."""
    options = options or ImportOptions()
    module = None
    if fmt is not None:
        if ALIASES.get(fmt, fmt) not in FORMATS:
            raise FlashcardsError(f"unknown format {fmt!r} (known: {', '.join([*FORMATS, *ALIASES])})")
        module = FORMATS[ALIASES.get(fmt, fmt)]
    with textio.open_input(path, source, first=lambda head: _refuse_at_once(head, source, module)) as opened:
        return _import(opened, source, module, options)


def _refuse_at_once(head: bytes, source: str, module: ModuleType | None) -> None:
    """Refuse, on the first bytes of an input read into memory, what no format (or not the one asked for) reads,
    as the whole would be refused: an endless input (/dev/zero) ends here."""
    if module is not None:
        if not is_binary_format(module) and textio.looks_binary(head):
            raise FlashcardsError(f"{source}: looks like a binary file, not a text export")
        return
    if detect_binary(head) is not None or head.startswith(sniff.ZIP_MAGIC):
        return  # a database or a PDF is read whole; an archive is refused by what it holds
    refused = sniff.refuse_binary(None, head, source)
    if refused is not None:
        raise refused
    if textio.looks_binary(head):
        raise sniff.refuse_undecodable(head, source)


def _import(opened: textio.Input, source: str, module: ModuleType | None, options: ImportOptions) -> ImportResult:
    if module is not None:
        if is_binary_format(module):
            with opened.as_file() as file:
                return module.parse_file(file, source, options)
        streamed = _parse_streaming(opened, source, module, options)
        if streamed is not None:
            return streamed
        return module.parse(textio.input_text(opened), source, options)
    head = opened.head(sniff.HEAD_BYTES)
    binary = detect_binary(head)
    if binary is not None:
        with opened.as_file() as file:
            return _judged_whole(file, binary).parse_file(file, source, options)
    if head.strip():
        refused = sniff.refuse_binary(opened.stream(), head, source)
        if refused is not None:
            raise refused
    streamed = _parse_streaming(opened, source, None, options)
    if streamed is not None:
        return streamed
    try:
        text = textio.input_text(opened)
    except FlashcardsError as error:
        if "binary" in str(error) or "cannot decode" in str(error):
            raise sniff.refuse_undecodable(head, source) from None
        raise
    return detect_format(text, source).parse(text, source, options)


def _parse_streaming(opened: textio.Input, source: str, module: ModuleType | None,
                     options: ImportOptions) -> ImportResult | None:
    """A large line-based export parsed while it is decoded (detected on its first lines when `module` is None);
    None when it must be read whole instead (small, unusual, undecodable, or a format that needs the whole text)."""
    lines = stream.lines_of(opened)
    if lines is None:
        return None
    try:
        chosen = module or detect_format(lines.head, source)
    except FlashcardsError:
        return None  # refused: read whole, a byte further on may change how it decodes, and so the message
    if not hasattr(chosen, "parse_lines"):
        return None
    try:
        return chosen.parse_lines(lines, source, options)
    except stream.NotStreamable:
        return None  # a byte further on does not decode as guessed: the whole-file reading decides
