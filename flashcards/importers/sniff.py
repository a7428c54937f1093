"""Looking at a file's first bytes: reading them within the size cap, and naming what an input that fits no
format looks like (a web page, a Word document, an image...), with the formats we read and what to do instead."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import BinaryIO

from ..errors import FlashcardsError
from ..files import textio
from .shape import markup_document, source_code

HEAD_BYTES = 65536  # enough for every detector that judges by bytes
FORMATS_READ = ("Kindle clippings or notebook export, Kobo KoboReader.sqlite, PDF highlights, Hypothesis JSON, "
                "Readwise CSV, Markdown quotes, CSV/TSV tables, text pairs, KOReader metadata.*.lua, "
                "Apple Books AEAnnotation database, Zotero zotero.sqlite")
SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_EXPORT_TEXT = "export the highlights from the app you read in and convert that export"
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
)
_CODE_ADVICE = "flashcards makes cards from highlights: write the passages as a passage line, then its commentary line"
_HTML = re.compile(r"<html[\s>]|<!doctype\s+html|<body[\s>]|<div[\s>]", re.IGNORECASE)


def refusal(name: str, what: str, advice: str) -> FlashcardsError:
    """The one-line error for an input that is no highlight export: what it looks like, what to do, what we read."""
    return FlashcardsError(f"{name}: {what}; {advice} (formats read: {FORMATS_READ})")


def read_head(path: Path, name: str, limit: int = HEAD_BYTES) -> bytes:
    """The first `limit` bytes of an input, refused (as read_text does) when missing or over the size cap."""
    with textio.reading_errors(name):
        size = path.stat().st_size
        if size > textio.MAX_INPUT_BYTES:
            raise FlashcardsError(
                f"{name}: file is {size // 2**20} MiB; exports over {textio.MAX_INPUT_BYTES // 2**20} MiB are refused"
                " (split it)"
            )
        with path.open("rb") as handle:
            return handle.read(limit)


def refuse_binary(archive: Path | BinaryIO | None, head: bytes, name: str) -> FlashcardsError | None:
    """The refusal for a binary file we know the look of (archives, office documents, images), else None.
    `archive` is the whole file (a path or a seekable file), looked into when it is a zip; None: not looked into."""
    if head.startswith(ZIP_MAGIC):
        return _refuse_zip(archive, name) if archive is not None else None
    for magic, kind in _IMAGES:
        if head.startswith(magic):
            return refusal(name, f"an image ({kind}), not text", f"flashcards reads no pictures: {_EXPORT_TEXT}")
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00":  # the size, then four reserved zero bytes
        return refusal(name, "an image (BMP), not text", f"flashcards reads no pictures: {_EXPORT_TEXT}")
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1") or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return refusal(name, "an image, not text", f"flashcards reads no pictures: {_EXPORT_TEXT}")
    if head[60:68] in (b"BOOKMOBI", b"TEXtREAd"):
        return refusal(name, "a Kindle book (MOBI/AZW)", "highlights are not kept in the book: convert the device's "
                       "'My Clippings.txt' or the Kindle app's exported notebook")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return refusal(name, "an old Office document (.doc/.xls)", "save it as plain text or CSV and convert that")
    if head.startswith(b"{\\rtf"):
        return refusal(name, "an RTF document", "save it as plain text (a passage line, then its commentary line)")
    return None


def _refuse_zip(file: Path | BinaryIO, name: str) -> FlashcardsError:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist()[:10000])
            mimetype = archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, KeyError, NotImplementedError):
        return refusal(name, "a damaged zip archive", "unpack your export and convert the files inside")
    if "word/document.xml" in names:
        return refusal(name, "a Word document (.docx)", "save it as plain text (a passage line, then its "
                       "commentary line) or Markdown ('> ' quotes) and convert that")
    if "xl/workbook.xml" in names or "spreadsheet" in mimetype:
        return refusal(name, "a spreadsheet", "save it as CSV and convert that (--front-col/--back-col name the columns)")
    if "opendocument.text" in mimetype:
        return refusal(name, "an OpenDocument text (.odt)", "save it as plain text or Markdown and convert that")
    if "epub" in mimetype or "META-INF/container.xml" in names:
        return refusal(name, "an EPUB book", "highlights are not kept in the book: export them from your reader "
                       "(Kobo: KoboReader.sqlite; Kindle app: Export notebook)")
    if "collection.anki2" in names or "collection.anki21" in names:
        return refusal(name, "an Anki package", "it already holds cards, not highlights")
    return refusal(name, "a zip archive", "unpack it and convert the export inside")


def refuse_text(text: str, name: str) -> FlashcardsError:
    """The refusal for decoded text that no format accepts (a web page, XML, JSON that is no export...)."""
    start = text[:4096]
    if markup_document(text):
        if _HTML.search(start):
            return refusal(name, "a web page (HTML) that is not a Kindle notebook export",
                           "to keep highlights from the web, annotate with Hypothesis and convert its JSON export")
        return refusal(name, "an XML/markup file", _EXPORT_TEXT)
    language = source_code(text)
    if language == "Lua":
        return refusal(name, "a Lua file (code or data) that is not KOReader's book metadata",
                       "KOReader keeps a book's highlights in BOOK.sdr/metadata.*.lua beside it: convert that file "
                       "or the books folder")
    if language is not None:
        return refusal(name, f"{language or 'program'} source code, not highlights", _CODE_ADVICE)
    if start.lstrip().startswith(("{", "[")):
        return refusal(name, "JSON that is not a Hypothesis export",
                       "Hypothesis exports hold annotations with a 'target' quote")
    return refusal(name, "text in none of the formats we read", "write a passage line, then its commentary line")


def refuse_undecodable(head: bytes, name: str) -> FlashcardsError:
    """The refusal for bytes that are not text and fit no binary format."""
    return refusal(name, "binary data, not a text export", _EXPORT_TEXT)
