"""Highlights in a PDF: each /Highlight (or /Underline, /Squiggly) annotation's text, found under its
QuadPoints, is the front; the annotation's comment (/Contents) the back; the document's title (its metadata,
else the file name), author and the page the source. Read with pypdf, imported only when a PDF is read.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from ..errors import FlashcardsError
from ..model import Highlight, normalize_front
from .base import ImportOptions, ImportResult, as_tag, book_label, file_label, one_line
from .sniff import read_head, refusal

NAME = "pdf"
MARKUPS = ("/Highlight", "/Underline", "/Squiggly")
_COMMENTS = ("/Text", "/FreeText")  # sticky notes and text boxes: comments on no particular text
_HEADER = re.compile(rb"%PDF-\d")
_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
_OFFICE_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ")  # what Office writes as a PDF's title
_WHAT_TO_DO = "highlight passages in a PDF reader (Acrobat, Preview, Okular, Zotero...) and save the PDF"


def detect_bytes(head: bytes) -> float:
    """Sure when the file starts with the PDF header, or has it within its first 1024 bytes (as readers allow)
    followed by PDF objects (so that a text merely mentioning `%PDF-1.7` is not taken for a PDF)."""
    if _HEADER.match(head.lstrip(b"\xef\xbb\xbf \t\r\n")):
        return 0.95
    found = _HEADER.search(head[:1032])
    return 0.95 if found and found.start() <= 1024 and _OBJECT.search(head) else 0.0


def parse_file(path: Path, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per highlight annotation with text under it; a PDF with none is refused with one line."""
    if not detect_bytes(read_head(path, source)):
        raise FlashcardsError(f"{source}: not a PDF (no %PDF- header in its first bytes)")
    try:
        from pypdf import PdfReader
    except ImportError:
        raise FlashcardsError(f"{source}: reading PDFs needs the pypdf package (pip install pypdf)") from None
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.CRITICAL)  # pypdf logs every oddity of a damaged file; we say one line instead
    try:
        return _read(PdfReader(path), source)
    except FlashcardsError:
        raise
    except Exception as error:  # pypdf raises many kinds of error on a damaged file: all mean the same to a reader
        reason = one_line(str(error))[:120] or type(error).__name__
        raise FlashcardsError(f"{source}: a damaged PDF ({reason}); open it in a PDF reader and save it again") from None
    finally:
        log.setLevel(level)


def _read(reader: Any, source: str) -> ImportResult:
    from .pdftext import page_glyphs, quads, text_in

    if reader.is_encrypted and not reader.decrypt(""):
        raise refusal(source, "a password-protected PDF", "save an unprotected copy from your PDF reader")
    metadata = reader.metadata
    title = _OFFICE_PREFIX.sub("", one_line(str(metadata.title or ""))) if metadata is not None else ""
    author = one_line(str(metadata.author or "")) if metadata is not None else ""
    title = title or file_label(source)
    book = book_label(title, author)
    result = ImportResult(NAME)
    markups = 0
    labels = _page_labels(reader)
    for index, page in enumerate(reader.pages):
        annotations = [item.get_object() for item in (page.get("/Annots") or [])]
        annotations = [item for item in annotations if hasattr(item, "get")]
        ours = [item for item in annotations if item.get("/Subtype") in MARKUPS]
        result.skipped["comment not attached to text"] += sum(1 for item in annotations if item.get("/Subtype") in _COMMENTS)
        if not ours:
            continue
        markups += len(ours)
        glyphs = page_glyphs(page)
        found = []
        for annotation in ours:
            boxes = quads(annotation)
            text = text_in(glyphs, boxes)
            if not text:
                result.skipped["highlight over no text (a scanned page?)"] += 1
                continue
            comment = str(annotation.get("/Contents") or "").strip()
            if normalize_front(comment) == normalize_front(text):
                comment = ""  # some readers copy the highlighted text into the comment
            top = max((box[3] for box in boxes), default=0.0)
            left = min((box[0] for box in boxes), default=0.0)
            found.append((-top, left, text, comment))
        page_name = labels[index] if index < len(labels) else str(index + 1)
        for _, _, text, comment in sorted(found, key=lambda item: item[:2]):  # reading order: top to bottom
            result.add(Highlight(text, comment, f"{book} — page {page_name}", (as_tag(title),), 0))
    result.skipped = +result.skipped  # drop zero counts
    if not markups:
        scanned = not any(page.extract_text().strip() for page in list(reader.pages)[:5])
        what = "a PDF: highlights are read from its annotations, and this one has none"
        raise refusal(source, what + (" (nor any text: a scanned PDF?)" if scanned else ""), _WHAT_TO_DO)
    return result


def _page_labels(reader: Any) -> list[str]:
    """The page numbers as the document prints them (roman numerals in a preface...), else 1, 2, 3..."""
    try:
        return [str(label) for label in reader.page_labels]
    except Exception:
        return []
