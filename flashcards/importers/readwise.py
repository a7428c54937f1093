"""Readwise's CSV export (Highlight, Book Title, Book Author, Amazon Book ID, Note, Color, Tags, Location Type,
Location, Highlighted at, Document tag), and Readwise's own import layout (Highlight, Title, Author, URL, Note,
Location, Date). The highlight is the front, the note the back; tags and the book's title become tags.
"""

from __future__ import annotations

from ..errors import FlashcardsError
from ..model import Highlight
from .base import ImportOptions, ImportResult, as_tag, book_label, file_label, one_line
from .table import Leftovers, column_key, read_records

NAME = "readwise"
_COLUMNS = {
    "highlight": ("highlight",),
    "title": ("book title", "title"),
    "author": ("book author", "author"),
    "note": ("note",),
    "tags": ("tags",),
    "document tags": ("document tag", "document tags"),
    "location type": ("location type",),
    "location": ("location",),
    "url": ("url",),
}
_SHOWN_LOCATIONS = ("location", "page", "chapter")
# Readwise's own bookkeeping columns: known, and no card needs them (the README's formats table says so), so
# they are left out without a warning; a column Readwise does not document is still named
_BOOKKEEPING = ("amazon book id", "color", "highlighted at")


def _header(text: str) -> list[str]:
    """The first line's cells (a header holds no line breaks), or [] when it is not a comma-separated row."""
    first = text[:8192].lstrip("\n").split("\n", 1)[0][:4096]
    try:
        return [column_key(cell) for _, row in read_records(first, "") for cell in row]
    except FlashcardsError:  # a malformed first line just is not a Readwise header
        return []


def detect(text: str) -> float:
    """Sure for Readwise's export header; nearly so for its import layout (Highlight, Title, ...)."""
    keys = set(_header(text))
    if {"highlight", "book title", "book author"} <= keys:
        return 0.95
    if {"highlight", "title"} <= keys and keys & {"author", "url", "note", "location"}:
        return 0.9
    return 0.0


def parse(text: str, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per row with a highlight; source is `Title (Author) — location N — file:line`."""
    result = ImportResult(NAME)
    records = read_records(text, source, ",")
    try:
        header_line, header = next(records)
    except StopIteration:
        return result
    keys = [column_key(cell) for cell in header]
    where = {field: next((keys.index(name) for name in names if name in keys), None) for field, names in _COLUMNS.items()}
    used = {index for index in where.values() if index is not None}
    used |= {index for index, key in enumerate(keys) if key in _BOOKKEEPING}
    rest = Leftovers([cell.strip() for cell in header], used)

    def cell(row: list[str], field: str) -> str:
        index = where[field]
        return row[index].strip() if index is not None and index < len(row) else ""

    for line, row in records:
        if not any(value.strip() for value in row):
            result.skipped["blank row"] += 1
            continue
        front = cell(row, "highlight")
        if not front:
            result.skipped["empty highlight"] += 1
            continue
        title, author = cell(row, "title"), cell(row, "author")
        book = book_label(title, author)
        kind, location = cell(row, "location type").lower(), cell(row, "location")
        place = ""
        if location and (kind in _SHOWN_LOCATIONS or not kind):
            place = f"{kind or 'location'} {location}"
        origin = " — ".join(one_line(part) for part in (book, place or cell(row, "url")) if part)
        origin = origin or f"{file_label(source)}:{line}"
        tags = [as_tag(tag) for field in ("tags", "document tags") for tag in cell(row, field).split(",") if tag.strip()]
        if title:
            tags.append(as_tag(title))
        result.add(Highlight(front, rest.back(row, cell(row, "note")), origin, tuple(dict.fromkeys(tags)), line))
    result.warnings.extend(rest.warnings(source, header_line))
    return result
