"""Kobo e-readers' `KoboReader.sqlite` (in the device's `.kobo` folder): each Bookmark row with Text is a
highlight, its Annotation the commentary; the book's Title and Attribution (author) come from the `content`
row whose ContentID is the bookmark's VolumeID. Dog-ears, hidden and empty rows are skipped and counted.

The database is opened read-only and immutable: a person's e-reader database is never written to. Kobo keeps
the database in WAL mode, so the latest highlights may still sit in `KoboReader.sqlite-wal` beside it (an
e-reader unplugged before it wrote them into the database): then both files are copied into a temporary
folder and the copy is read, which takes in what the WAL holds and leaves the originals as they were.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import FlashcardsError
from ..model import Highlight
from .base import ImportOptions, ImportResult, as_tag, book_label, file_label, one_line
from .sniff import SQLITE_MAGIC, read_head, refusal
from .sqlite_read import read_only

NAME = "kobo"
_BOOKMARK_COLUMNS = ("Text", "Annotation", "Type", "Hidden")
_CONTENT_COLUMNS = ("Title", "Attribution", "BookTitle")


def detect_bytes(head: bytes) -> float:
    """Likely for any SQLite database; parse_file then requires Kobo's Bookmark table."""
    return 0.9 if head.startswith(SQLITE_MAGIC) else 0.0


def parse_file(path: Path, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per Bookmark row with Text, the book's title and author as its source."""
    if not read_head(path, source, len(SQLITE_MAGIC)).startswith(SQLITE_MAGIC):
        raise FlashcardsError(f"{source}: not a Kobo database (KoboReader.sqlite is an SQLite file, and this is not one)")
    with read_only(path, source) as connection:
        try:
            return _read(connection, source)
        except (sqlite3.Error, UnicodeDecodeError, ValueError, OverflowError) as error:  # (a garbled schema's error)
            raise FlashcardsError(
                f"{source}: a damaged SQLite database ({one_line(str(error))[:120]}); copy KoboReader.sqlite from "
                "the e-reader again"
            ) from None


def _read(connection: sqlite3.Connection, source: str) -> ImportResult:
    tables = {name.lower() for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "bookmark" not in tables:
        raise refusal(source, "an SQLite database of no program whose highlights we read",
                      "convert Kobo's KoboReader.sqlite, Apple Books' AEAnnotation_*.sqlite or zotero.sqlite")
    result = ImportResult(NAME)
    query = _query(connection, "content" in tables)
    if query is None:
        raise refusal(source, "an SQLite database whose Bookmark table has no Text column (not Kobo's)",
                      "convert the KoboReader.sqlite from the e-reader's .kobo folder")
    for number, row in enumerate(connection.execute(query), 1):
        text, annotation, kind, hidden, title, author, book_title = row
        text, annotation = _text(text), _text(annotation)
        if str(hidden).lower() in ("true", "1"):
            result.skipped["hidden (deleted on the e-reader)"] += 1
        elif _text(kind).lower() == "dogear":
            result.skipped["dog-ear (a marked page, no text)"] += 1
        elif not text:
            result.skipped["note without highlighted text" if annotation else "empty bookmark"] += 1
        else:
            title = _text(title) or _text(book_title)
            book = book_label(title, _text(author))
            tags = (as_tag(title),) if title else ()
            result.add(Highlight(text, annotation, book or f"{file_label(source)}:{number}", tags, 0))
    return result


def _query(connection: sqlite3.Connection, with_content: bool) -> str | None:
    """The bookmarks joined to their books, naming only the columns this database has (older firmware lacks some)."""
    have = {row[1].lower() for row in connection.execute("PRAGMA table_info(Bookmark)")}
    if "text" not in have:
        return None
    picked = [f"b.{name}" if name.lower() in have else "NULL" for name in _BOOKMARK_COLUMNS]
    content = {row[1].lower() for row in connection.execute("PRAGMA table_info(content)")} if with_content else set()
    joined = with_content and "contentid" in content and "volumeid" in have
    picked += [f"c.{name}" if joined and name.lower() in content else "NULL" for name in _CONTENT_COLUMNS]
    order = ", ".join(f"b.{name}" for name in ("VolumeID", "DateCreated", "BookmarkID") if name.lower() in have)
    # the book's own row: one per bookmark even if a ContentID were repeated
    join = " LEFT JOIN content AS c ON c.rowid = (SELECT rowid FROM content WHERE ContentID = b.VolumeID LIMIT 1)"
    join = join if joined else ""
    return f"SELECT {', '.join(picked)} FROM Bookmark AS b{join}" + (f" ORDER BY {order}" if order else "")


def _text(value: object) -> str:
    """A cell as text: NULL and non-text cells become '', white space at the ends trimmed."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value.strip() if isinstance(value, str) else ""
