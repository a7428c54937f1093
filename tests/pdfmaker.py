"""Writing small real PDFs for the importer tests with pypdf: text placed at known positions (Helvetica),
highlight-like annotations with QuadPoints over it, metadata. A test helper, imported by test files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfWriter
from pypdf.annotations import Highlight, Text
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

SIZE = 12  # font size of every line


@dataclass
class Mark:
    """An annotation over boxes (x0, y0, x1, y1) of page space, with an optional comment."""

    boxes: list[tuple[float, float, float, float]]
    comment: str = ""
    subtype: str = "/Highlight"


@dataclass
class Page:
    """Pieces of text, each (x, y, text) drawn with one show-text operation, and the marks over them."""

    texts: list[tuple[float, float, str]] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    sticky_notes: list[str] = field(default_factory=list)
    drawing_only: bool = False  # a scanned page: a filled rectangle, no text at all


def line_box(x: float, y: float, width: float) -> tuple[float, float, float, float]:
    """The box a reader draws over a line of 12-point text whose baseline is at y."""
    return (x - 1, y - 3, x + width, y + SIZE)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, pages: list[Page], title: str | None = None, author: str | None = None,
              roman_from: int | None = None) -> Path:
    """A PDF with the pages' text and annotations (and, if given, metadata and roman page labels)."""
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))
    for number, page in enumerate(pages):
        pdf_page = writer.add_blank_page(612, 792)
        pdf_page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        if page.drawing_only:
            operations = "0.5 g 72 300 468 400 re f"
        else:
            operations = " ".join(f"BT /F1 {SIZE} Tf {x} {y} Td ({_escape(text)}) Tj ET" for x, y, text in page.texts)
        stream = DecodedStreamObject()
        stream.set_data(operations.encode("latin-1"))
        pdf_page[NameObject("/Contents")] = writer._add_object(stream)
        for mark in page.marks:
            quads = [value for x0, y0, x1, y1 in mark.boxes for value in (x0, y1, x1, y1, x0, y0, x1, y0)]
            rect = (min(b[0] for b in mark.boxes), min(b[1] for b in mark.boxes),
                    max(b[2] for b in mark.boxes), max(b[3] for b in mark.boxes))
            annotation = Highlight(rect=rect, quad_points=ArrayObject(FloatObject(value) for value in quads))
            annotation[NameObject("/Subtype")] = NameObject(mark.subtype)
            if mark.comment:
                annotation[NameObject("/Contents")] = TextStringObject(mark.comment)
            writer.add_annotation(number, annotation)
        for note in page.sticky_notes:
            sticky = Text(rect=(20, 20, 40, 40), text=note)
            writer.add_annotation(number, sticky)
    metadata = {key: value for key, value in (("/Title", title), ("/Author", author)) if value}
    if metadata:
        writer.add_metadata(metadata)
    if roman_from is not None:
        writer.set_page_label(0, roman_from - 1, style="/r")
        if roman_from < len(pages):
            writer.set_page_label(roman_from, len(pages) - 1, style="/D", start=1)
    with path.open("wb") as handle:
        writer.write(handle)
    return path
