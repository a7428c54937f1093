"""The Kindle app's "Export notebook" HTML: `bookTitle` and `authors` name the book, each `noteHeading`
(`Highlight (yellow) - Page 12 · Location 170`, or `Note - Location 170`) is followed by its `noteText`.
A Note becomes the commentary of the highlight it follows when its place lies within that highlight's range:
the app gives a note the location where its highlight ends (the start, or one or several locations on for a
long passage); bookmarks are skipped. The heading's colour is not part of any text. Read with the standard
library's html.parser (entities decoded, unclosed tags tolerated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..model import Highlight
from .base import ImportOptions, ImportResult, as_tag, book_label, file_label, one_line
from .kindle import _LOCATION, _PAGE, _kind

NAME = "kindle-notebook"
_FIELDS = ("bookTitle", "authors", "sectionHeading", "noteHeading", "noteText")
_CLASS = re.compile(r"""class\s*=\s*["']?(?:[^"'>]*\s)?noteText\b""", re.IGNORECASE)
_HEADING_CLASS = re.compile(r"""class\s*=\s*["']?(?:[^"'>]*\s)?noteHeading\b""", re.IGNORECASE)
_CLOSERS = {"div", "h1", "h2", "h3", "h4", "p", "span", "td"}
_LINE_BREAKS = {"br", "p"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "source"}
_SPACE = re.compile(r"\s+")
# A Kindle location is about 128 bytes of the book, markup included: a passage may reach as many locations on as
# if each held 64 bytes of its text (no note is lost to a short estimate), plus one.
_LOCATION_BYTES = 64
_PAGE_BYTES = 1500  # a page holds at least this much text
_LOOK_BACK = 64  # how many highlights before a note may hold it


@dataclass
class _Note:
    kind: str
    where: str
    key: tuple[str, str]  # the place, as compared between a note and its highlight
    line: int
    text: str = ""
    notes: list[str] = field(default_factory=list)
    location: tuple[int, int | None] | None = None  # the heading's start location, and its end when it gives one
    page: int | None = None  # the heading's page, when an arabic number

    def holds(self, note: _Note) -> bool:
        """Whether a note's place lies within this highlight's range (from its start to its end, as the heading
        gives it or as far as its text may reach)."""
        size = len(self.text.encode("utf-8"))
        if self.location is not None and note.location is not None:
            start, end = self.location
            last = end if end is not None and end >= start else start + 1 + -(-size // _LOCATION_BYTES)
            return start <= note.location[0] <= last
        if self.location is None and note.location is None and self.page is not None and note.page is not None:
            return self.page <= note.page <= self.page + 1 + size // _PAGE_BYTES
        return False


def detect(text: str) -> float:
    """Sure when the text has the notebook's `noteHeading` and `noteText` classes."""
    sample = text[:262144]
    return 0.95 if _HEADING_CLASS.search(sample) and _CLASS.search(sample) else 0.0


class _Reader(HTMLParser):
    """Collects the text of each element with one of the notebook's classes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str, int]] = []  # (class, text, line)
        self._field = ""
        self._line = 0
        self._parts: list[str] = []
        self._depth = 0  # tags opened inside the current field
        self._skip = 0  # depth of a colour span being skipped inside a heading

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = next((value or "" for key, value in attrs if key == "class"), "").split()
        name = next((item for item in classes if item in _FIELDS), "")
        if name:
            self._close()
            self._field, self._line, self._parts, self._depth = name, self.getpos()[0], [], 0
            return
        if not self._field:
            return
        if tag in _LINE_BREAKS:
            self._parts.append("\n")
        if tag in _VOID:
            return
        self._depth += 1
        if self._skip or (self._field == "noteHeading" and any(item.startswith("highlight_") for item in classes)):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if not self._field or tag in _VOID:
            return
        if self._depth > 0:
            self._depth -= 1
            if self._skip:
                self._skip -= 1
        elif tag in _CLOSERS:  # the field's own end (Kindle sometimes closes a div with </h3>)
            self._close()

    def handle_data(self, data: str) -> None:
        if self._field and not self._skip:
            self._parts.append(_SPACE.sub(" ", data))  # as a browser shows it: line breaks come from <br>, <p>

    def _close(self) -> None:
        if self._field:
            self.fields.append((self._field, "".join(self._parts), self._line))
        self._field, self._parts, self._depth, self._skip = "", [], 0, 0

    def close(self) -> None:
        super().close()
        self._close()


def parse(text: str, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per `Highlight` heading with text; its notes as the back; bookmarks and empty ones skipped."""
    result = ImportResult(NAME)
    reader = _Reader()
    reader.feed(text)
    reader.close()
    title = author = ""
    entries: list[_Note] = []
    pending: _Note | None = None
    for kind, value, line in reader.fields:
        if kind == "bookTitle":
            title = one_line(value)
        elif kind == "authors":
            author = one_line(value)
        elif kind == "noteHeading":
            if pending is not None:
                result.skipped[f"{pending.kind} without text"] += 1
            pending = _heading(value, line)
        elif kind == "noteText" and pending is not None:
            pending.text = _paragraphs(value)
            entries.append(pending)
            pending = None
    if pending is not None:
        result.skipped[f"{pending.kind} without text"] += 1
    highlights = _attach_notes(entries, result)
    book = book_label(title, author)
    tags = (as_tag(title),) if title else ()
    for entry in highlights:
        origin = " — ".join(part for part in (book, entry.where) if part) if book else f"{file_label(source)}:{entry.line}"
        result.add(Highlight(entry.text, "\n\n".join(entry.notes), origin, tags, entry.line))
    return result


def _heading(value: str, line: int) -> _Note:
    """A heading's kind (highlight, note, bookmark) and place; the colour was left out while reading."""
    heading = one_line(value).replace("()", "").replace("（）", "")
    kind = _kind(heading.split(" - ", 1)[0] if " - " in heading else heading)
    parts = []
    page = _PAGE.search(heading)
    if page:
        parts.append(f"page {page.group(1) or page.group(3)}")
    location = _LOCATION.search(heading)
    if location:
        end = f"-{location.group(2)}" if location.group(2) else ""
        parts.append(f"location {location.group(1)}{end}")
    key = (location.group(1) if location else "", page.group(1) or page.group(3) if page else "")
    place = (int(location.group(1)), int(location.group(2)) if location.group(2) else None) if location else None
    number = key[1] if key[1].isdigit() else ""
    return _Note(kind if kind != "unknown" else "entry", ", ".join(parts), key, line, location=place,
                 page=int(number) if number else None)


def _paragraphs(value: str) -> str:
    """A noteText's text: its lines (from <br> and <p>) trimmed, runs of blank lines made one."""
    text = "\n".join(line.strip() for line in value.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _attach_notes(entries: list[_Note], result: ImportResult) -> list[_Note]:
    """The highlights with text, each with its notes: a note goes to the nearest highlight before it whose range
    holds its place (else to a highlight at exactly its place); everything else counted as skipped."""
    highlights: list[_Note] = []
    by_place: dict[tuple[str, str], _Note] = {}
    for entry in entries:
        if entry.kind == "highlight" and entry.text:
            highlights.append(entry)
            if any(entry.key):
                by_place.setdefault(entry.key, entry)
    before = 0  # how many of the highlights come before the entry
    for entry in entries:
        if entry.kind == "highlight":
            if entry.text:
                before += 1
            else:
                result.skipped["empty highlight"] += 1
            continue
        if entry.kind == "bookmark":
            result.skipped["bookmark"] += 1
        elif entry.kind != "note":
            result.skipped["unrecognised entry"] += 1
        elif not entry.text:
            result.skipped["empty note"] += 1
        else:
            earlier = highlights[max(0, before - _LOOK_BACK):before]
            owner = next((item for item in reversed(earlier) if item.holds(entry)), None)
            if owner is None and any(entry.key):
                owner = by_place.get(entry.key)
            if owner is None:
                result.skipped["note without a highlight"] += 1
            else:
                owner.notes.append(entry.text)
    return highlights
