"""Zotero's `zotero.sqlite` (in the Zotero data folder): the annotations made in Zotero's PDF and EPUB reader,
table itemAnnotations. A highlight's or underline's `text` is the passage, its `comment` the reader's note; the
document is the attachment's parent item (its title and creators, from itemData and itemCreators), or the
attachment itself when it stands alone. Notes, images, ink and text boxes (no highlighted text) and annotations
in the trash (deletedItems: the annotation, its attachment or its item) are skipped and counted; a document's
cards come in its order (sortIndex). Opened read-only and never written, its WAL included (sqlite_read): Zotero
may be running.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..errors import FlashcardsError
from ..model import Highlight
from . import sqlite_read
from .base import ImportOptions, ImportResult, as_tag, book_label, file_label, one_line
from .sniff import refusal

NAME = "zotero"
_HIGHLIGHT, _NOTE, _IMAGE, _INK, _UNDERLINE, _TEXT = 1, 2, 3, 4, 5, 6
_WITHOUT_TEXT = {_NOTE: "note (no highlighted text)", _IMAGE: "image annotation (no text)",
                 _INK: "ink annotation (no text)", _TEXT: "text box (no highlighted text)"}
_ADVICE = "convert zotero.sqlite from the Zotero data folder (Zotero's Settings, Advanced, Files and Folders)"


@dataclass
class _Annotation:
    key: int
    document: int
    text: str
    comment: str
    page: str
    order: str


def detect_bytes(head: bytes) -> float:
    """Sure for an SQLite database whose first bytes show Zotero's itemAnnotations table (else detect_file)."""
    return 0.95 if head.startswith(sqlite_read.MAGIC) and b"itemAnnotations" in head else 0.0


def detect_file(path: Path) -> float:
    """Sure for an SQLite database with Zotero's items and itemAnnotations tables, wherever its schema lies."""
    tables = sqlite_read.tables_of(path)
    return 0.95 if {"items", "itemannotations"} <= tables else 0.0


def parse_file(path: Path, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per highlight or underline annotation with text, the document's title and creators as source."""
    if not sqlite_read.is_sqlite(path):
        if not path.is_file():
            raise FlashcardsError(f"{source}: no such file")
        raise FlashcardsError(f"{source}: not a Zotero database (zotero.sqlite is an SQLite file, and this is not one)")
    result = ImportResult(NAME)
    try:
        with sqlite_read.read_only(path, source) as connection:
            annotations, titles = _read(connection, source, result)
    except (sqlite3.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        raise FlashcardsError(f"{source}: a damaged SQLite database ({one_line(str(error))[:120]}); copy zotero.sqlite "
                              "from the Zotero data folder again (or use its zotero.sqlite.bak)") from None
    by_document: dict[int, list[_Annotation]] = defaultdict(list)
    for annotation in annotations:
        by_document[annotation.document].append(annotation)
    order = sorted(by_document, key=lambda document: (not titles.get(document, ("", ""))[0],
                                                      titles.get(document, ("", ""))[0].casefold(), document))
    for document in order:
        title, author = titles.get(document, ("", ""))
        book = book_label(title, author)
        tags = (as_tag(title),) if title else ()
        for item in sorted(by_document[document], key=lambda item: (item.order, item.key)):
            where = " — ".join(part for part in (book, f"page {item.page}" if item.page else "") if part)
            result.add(Highlight(item.text, item.comment, where if book else f"{file_label(source)}:{item.key}", tags, 0))
    return result


def _read(connection: sqlite3.Connection, source: str,
          result: ImportResult) -> tuple[list[_Annotation], dict[int, tuple[str, str]]]:
    tables = sqlite_read.table_names(connection)
    if "itemannotations" not in tables:
        raise refusal(source, "an SQLite database without Zotero's itemAnnotations table", _ADVICE)
    have = sqlite_read.columns(connection, "itemAnnotations")
    if not {"ITEMID", "PARENTITEMID", "TYPE", "TEXT"} <= have:
        raise refusal(source, "an SQLite database whose itemAnnotations table is not Zotero's", _ADVICE)
    comment = "a.comment" if "COMMENT" in have else "NULL"
    page = "a.pageLabel" if "PAGELABEL" in have else "NULL"
    order = "a.sortIndex" if "SORTINDEX" in have else "''"
    attachments = "itemattachments" in tables
    document = "COALESCE(t.parentItemID, a.parentItemID)" if attachments else "a.parentItemID"
    join = " LEFT JOIN itemAttachments AS t ON t.itemID = a.parentItemID" if attachments else ""
    trash = "0"
    if "deleteditems" in tables:
        trash = ("(EXISTS (SELECT 1 FROM deletedItems AS d WHERE d.itemID IN (a.itemID, a.parentItemID"
                 + (", t.parentItemID" if attachments else "") + ")))")
    query = (f"SELECT a.itemID, {document}, a.type, a.text, {comment}, {page}, {order}, {trash}"
             f" FROM itemAnnotations AS a{join}")
    found = []
    documents: set[int] = set()
    for key, owner, kind, raw_text, raw_note, label, sort, deleted in connection.execute(query):
        text, note = _text(raw_text), _text(raw_note)
        if deleted:
            result.skipped["in Zotero's trash"] += 1
        elif kind in _WITHOUT_TEXT:
            result.skipped[_WITHOUT_TEXT[kind]] += 1
        elif kind not in (_HIGHLIGHT, _UNDERLINE):
            result.skipped["annotation of an unknown kind"] += 1
        elif not text:
            result.skipped["highlight without text"] += 1
        else:
            found.append(_Annotation(int(key), int(owner or 0), text, note, one_line(_text(label)), _text(sort)))
            documents.add(int(owner or 0))
    return found, {document: _title_and_creators(connection, tables, document) for document in documents}


def _title_and_creators(connection: sqlite3.Connection, tables: set[str], item: int) -> tuple[str, str]:
    title = ""
    fields = "fieldscombined" if "fieldscombined" in tables else "fields"
    if {"itemdata", "itemdatavalues", fields} <= tables:
        row = connection.execute(
            f"SELECT v.value FROM itemData AS d JOIN {fields} AS f ON f.fieldID = d.fieldID"
            " JOIN itemDataValues AS v ON v.valueID = d.valueID WHERE d.itemID = ? AND f.fieldName = 'title'",
            (item,)).fetchone()
        title = one_line(_text(row[0])) if row else ""
    names = []
    if {"itemcreators", "creators"} <= tables:
        for first, last in connection.execute(
                "SELECT c.firstName, c.lastName FROM itemCreators AS i JOIN creators AS c ON c.creatorID = i.creatorID"
                " WHERE i.itemID = ? ORDER BY i.orderIndex", (item,)):
            name = " ".join(part for part in (_text(first), _text(last)) if part)
            if name:
                names.append(name)
    author = ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
    return title, author


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""
