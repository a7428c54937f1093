"""Apple Books (iPhone, iPad, Mac): highlights in `AEAnnotation/AEAnnotation_*.sqlite` (on a Mac under
~/Library/Containers/com.apple.iBooksX/Data/Documents), table ZAEANNOTATION: ZANNOTATIONSELECTEDTEXT is the
highlighted text, ZANNOTATIONNOTE the reader's note, ZANNOTATIONASSETID the book, ZANNOTATIONDELETED set for
an annotation deleted in the app, ZANNOTATIONLOCATION its place (an EPUB CFI). The books' titles and authors
are in `../BKLibrary/BKLibrary-*.sqlite` beside it (table ZBKLIBRARYASSET: ZASSETID, ZTITLE, ZAUTHOR).

Deleted annotations and bookmarks (no highlighted text) are skipped and counted; each book's cards come in
the order of their places in it. Both databases are opened read-only and never written, their WAL included
(sqlite_read). The library database alone holds no highlights, and is refused as such.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TypeVar

from ..errors import FlashcardsError
from ..model import Highlight
from . import sqlite_read
from .base import ImportOptions, ImportResult, as_tag, book_label, file_label, one_line
from .sniff import refusal

NAME = "apple-books"
ANNOTATIONS = "ZAEANNOTATION"
LIBRARY = "ZBKLIBRARYASSET"
_COLUMNS = ("Z_PK", "ZANNOTATIONASSETID", "ZANNOTATIONSELECTEDTEXT", "ZANNOTATIONNOTE", "ZANNOTATIONDELETED",
            "ZANNOTATIONLOCATION", "ZANNOTATIONCREATIONDATE")
_LIBRARY_COLUMNS = ("ZASSETID", "ZTITLE", "ZAUTHOR")
_ASSERTION = re.compile(r"\[(?:\^.|[^\]^])*\]")  # a CFI's [id] assertions ('^' escapes)
_STEP = re.compile(r"([/:])(\d+)")
_ADVICE = ("convert AEAnnotation_*.sqlite from Apple Books' Documents/AEAnnotation folder (on a Mac: "
           "~/Library/Containers/com.apple.iBooksX/Data/Documents), or that Documents folder")


_T = TypeVar("_T")


@dataclass
class _Row:
    key: int
    asset: str
    text: str
    note: str
    deleted: bool
    place: tuple[tuple[int, int], ...]
    created: float


def detect_bytes(head: bytes) -> float:
    """Sure for an SQLite database whose first bytes show Apple Books' tables (else detect_file looks inside)."""
    if head.startswith(sqlite_read.MAGIC) and (ANNOTATIONS.encode() in head or LIBRARY.encode() in head):
        return 0.95
    return 0.0


def detect_file(path: Path) -> float:
    """Sure for an SQLite database with Apple Books' annotation or library table, wherever its schema lies (past
    the first bytes, or still in its WAL)."""
    tables = sqlite_read.tables_of(path)
    return 0.95 if ANNOTATIONS.lower() in tables or LIBRARY.lower() in tables else 0.0


def parse_file(path: Path, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per annotation with highlighted text, the book's title and author as its source."""
    if not sqlite_read.is_sqlite(path):
        if not path.is_file():
            raise FlashcardsError(f"{source}: no such file")
        raise FlashcardsError(f"{source}: not an Apple Books database (AEAnnotation_*.sqlite is an SQLite file, and "
                              "this is not one)")
    rows = _damaged_is_one_line(source, lambda: _annotations(path, source))
    result = ImportResult(NAME)
    books = _library(path, source, result) if rows else {}
    kept: list[_Row] = []
    for row in rows:
        if row.deleted:
            result.skipped["deleted in Apple Books"] += 1
        elif not row.text:
            result.skipped["note without highlighted text" if row.note else "bookmark (no highlighted text)"] += 1
        else:
            kept.append(row)

    def book_order(row: _Row) -> tuple[int, str, str]:
        title = books.get(row.asset, ("", ""))[0]
        return (0 if title else 1, title.casefold(), row.asset)

    for row in sorted(kept, key=lambda row: (book_order(row), not row.place, row.place, row.created, row.key)):
        title, author = books.get(row.asset, ("", ""))
        book = book_label(title, author)
        tags = (as_tag(title),) if title else ()
        result.add(Highlight(row.text, row.note, book or f"{file_label(source)}:{row.key}", tags, 0))
    return result


def _annotations(path: Path, source: str) -> list[_Row]:
    with sqlite_read.read_only(path, source) as connection:
        tables = sqlite_read.table_names(connection)
        if ANNOTATIONS.lower() not in tables:
            if LIBRARY.lower() in tables:
                raise refusal(source, "Apple Books' library database (book titles, no highlights)",
                              "convert the AEAnnotation_*.sqlite in the AEAnnotation folder beside its folder, or the "
                              "whole Documents folder")
            raise refusal(source, "an SQLite database without Apple Books' ZAEANNOTATION table", _ADVICE)
        have = sqlite_read.columns(connection, ANNOTATIONS)
        if "ZANNOTATIONSELECTEDTEXT" not in have:
            raise refusal(source, "an SQLite database whose ZAEANNOTATION table has no highlighted text "
                          "(ZANNOTATIONSELECTEDTEXT)", _ADVICE)
        picked = ", ".join(name if name in have else "NULL" for name in _COLUMNS)
        rows = []
        for number, (key, asset, text, note, deleted, location, created) in enumerate(
                connection.execute(f"SELECT {picked} FROM {ANNOTATIONS}"), 1):
            rows.append(_Row(int(key) if isinstance(key, int) else number, _text(asset), _text(text), _text(note),
                             _flag(deleted), _place(_text(location)),
                             float(created) if isinstance(created, int | float) else 0.0))
        return rows


def _library(path: Path, source: str, result: ImportResult) -> dict[str, tuple[str, str]]:
    """The books' titles and authors by asset id, from the BKLibrary databases beside the annotations' folder."""
    folder = path.parent.parent / "BKLibrary"
    try:
        found = sorted(item for item in folder.glob("BKLibrary*.sqlite") if item.is_file())
    except OSError:
        found = []
    if not found:
        result.warnings.append(f"{source}: no Apple Books library beside it (../BKLibrary/BKLibrary-*.sqlite): its "
                               "books are named by this file and the annotation's row, not by title")
        return {}
    books: dict[str, tuple[str, str]] = {}
    for library in found:
        name = (PurePosixPath(source.replace("\\", "/")).parent.parent / "BKLibrary" / library.name).as_posix()
        books.update(_damaged_is_one_line(name, partial(_titles, library, name)))
    return books


def _titles(library: Path, name: str) -> dict[str, tuple[str, str]]:
    with sqlite_read.read_only(library, name) as connection:
        if LIBRARY.lower() not in sqlite_read.table_names(connection):
            return {}
        have = sqlite_read.columns(connection, LIBRARY)
        if "ZASSETID" not in have:
            return {}
        picked = ", ".join(column if column in have else "NULL" for column in _LIBRARY_COLUMNS)
        return {_text(asset): (one_line(_text(title)), one_line(_text(author)))
                for asset, title, author in connection.execute(f"SELECT {picked} FROM {LIBRARY}") if _text(asset)}


def _damaged_is_one_line(name: str, read: Callable[[], _T]) -> _T:
    try:
        return read()
    except (sqlite3.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        raise FlashcardsError(f"{name}: a damaged SQLite database ({one_line(str(error))[:120]}); copy it from "
                              "Apple Books' Documents folder again") from None


def _place(cfi: str) -> tuple[tuple[int, int], ...]:
    """An EPUB CFI as a sort key: its steps (`/6/4!/4/2`) and character offsets (`:12`), from its start (for a range
    `epubcfi(parent,start,end)`, the parent and the start)."""
    inner = cfi.strip()
    if inner.startswith("epubcfi(") and inner.endswith(")"):
        inner = inner[len("epubcfi("):-1]
    parts = _ASSERTION.sub("", inner).split(",")
    start = parts[0] + (parts[1] if len(parts) > 1 else "")
    return tuple((1 if kind == "/" else 0, int(number)) for kind, number in _STEP.findall(start))


def _flag(value: object) -> bool:
    if isinstance(value, int | float):
        return value != 0
    return isinstance(value, str | bytes) and _text(value).lower() in ("1", "true", "yes")


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""

