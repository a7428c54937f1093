"""Kindle's `My Clippings.txt`: highlights, notes and bookmarks, in the device's language.

An entry is a title line `Title (Author)`, a metadata line (`- Your Highlight on page 12 | Location 1021-1022 |
Added on ...`, or in Chinese `- 您在第 12 页（位置 #1021-1022）的标注 | 添加于 ...`), a blank line and the text;
entries are separated by a line of ten `=`. A note becomes the back of the highlight whose location range
holds it; when a highlight was extended, Kindle keeps both versions and only the later one is kept here.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import overload

from ..model import Highlight, normalize_front
from .base import ImportOptions, ImportResult, as_tag, book_label, file_label, first_lines

NAME = "kindle"
SEPARATOR = "=========="

# Entry kinds by the words devices write for them, checked in this order (bookmark before note before highlight).
_KINDS = (
    ("bookmark", re.compile(r"bookmark|书签|書籤|lesezeichen|signet|marcador|segnalibro|ブックマーク", re.IGNORECASE)),
    ("note", re.compile(r"\bnote\b|笔记|筆記|\bnotiz\b|\bnota\b|メモ", re.IGNORECASE)),
    ("highlight", re.compile(r"highlight|标注|標註|标记|画线|劃線|markierung|surlignement|subrayado|evidenziazione|"
                             r"destaque|ハイライト", re.IGNORECASE)),
    ("clip", re.compile(r"\bclip\b|剪贴|剪輯", re.IGNORECASE)),
)
_LOCATION = re.compile(
    r"(?:location|loc\.|位置\s*(?:no\.)?|position|posición|posizione|posição|emplacement)\s*#?\s*(\d+)(?:\s*-\s*(\d+))?",
    re.IGNORECASE,
)
_PAGE = re.compile(r"(?:\bpage|\bpágina|\bpagina|\bseite)\s+([0-9ivxlcdm]+)\b(?:\s*-\s*([0-9ivxlcdm]+)\b)?|第\s*(\d+)\s*页",
                   re.IGNORECASE)
_TITLE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_INVISIBLE = "\ufeff\u200b\u200e\u200f"
_METADATA = re.compile(r"^-\s*\S.*\|")
_UNPLACED, _PAGE_UNIT, _LOCATION_UNIT = 0, 1, 2  # what an entry's start and end count


class _Clippings:
    """The highlights and notes read, a column per field: an object per entry would take more memory than the
    text itself (a 300 MB export holds some 800,000 entries)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.is_note = bytearray()
        self.books = array("I")  # index into book_names
        self.book_names: list[tuple[str, str]] = []  # (title, author)
        self._book_numbers: dict[tuple[str, str], int] = {}
        self.units = bytearray()  # _UNPLACED, _PAGE_UNIT or _LOCATION_UNIT: what start and end count
        self.starts = array("q")
        self.ends = array("q")
        self.lines = array("q")
        self.pages: list[str] = []  # "page 12" as shown in the source, or ""
        self._shared: dict[str, str] = {}  # one string per distinct page label

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, kind: str, book: tuple[str, str], text: str, line: int, place: tuple[int, int, int, str]) -> None:
        """One more entry, with its place as _place() reads it."""
        number = self._book_numbers.get(book)
        if number is None:
            number = self._book_numbers[book] = len(self.book_names)
            self.book_names.append(book)
        unit, start, end, page = place
        self.texts.append(text)
        self.is_note.append(kind == "note")
        self.books.append(number)
        self.units.append(unit)
        self.starts.append(start)
        self.ends.append(end)
        self.lines.append(line)
        self.pages.append(self._shared.setdefault(page, page))

    def key(self, index: int) -> str:
        """The entry's text as compared with other versions of it."""
        return normalize_front(self.texts[index])

    def where(self, index: int) -> str:
        """The entry's place as the source shows it: "page 12, location 1021-1022"."""
        parts = [self.pages[index]] if self.pages[index] else []
        if self.units[index] == _LOCATION_UNIT:
            start, end = self.starts[index], self.ends[index]
            parts.append(f"location {start}-{end}" if end != start else f"location {start}")
        return ", ".join(parts)


class KindleHighlights(Sequence[Highlight]):
    """The highlights kept, each made when it is asked for (a big export's cards are written as they are made)."""

    def __init__(self, clippings: _Clippings, kept: array, backs: dict[int, list[str]], source: str) -> None:
        self._clippings = clippings
        self._kept = kept
        self._backs = backs
        self._source = source
        self._books: dict[int, tuple[str, tuple[str, ...]]] = {}  # one label and tag per book, shared

    def __len__(self) -> int:
        return len(self._kept)

    @overload
    def __getitem__(self, position: int) -> Highlight: ...

    @overload
    def __getitem__(self, position: slice) -> list[Highlight]: ...

    def __getitem__(self, position: int | slice) -> Highlight | list[Highlight]:
        if isinstance(position, slice):
            return [self._made(index) for index in self._kept[position]]
        return self._made(self._kept[position])

    def __iter__(self) -> Iterator[Highlight]:
        for index in self._kept:
            yield self._made(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"KindleHighlights({list(self)!r})"

    def _made(self, index: int) -> Highlight:
        clippings = self._clippings
        number = clippings.books[index]
        if number not in self._books:
            title, author = clippings.book_names[number]
            self._books[number] = (book_label(title, author), (as_tag(title),) if title.strip() else ())
        book, tags = self._books[number]
        where = clippings.where(index)
        line = clippings.lines[index]
        origin = " — ".join(part for part in (book, where) if part) if book else f"{file_label(self._source)}:{line}"
        return Highlight(clippings.texts[index], "\n\n".join(self._backs.get(index, ())), origin, tags, line)


def detect(text: str) -> float:
    """Sure when entries separated by `==========` have Kindle's `- ... | ...` metadata line."""
    lines = first_lines(text)
    if not any(line.strip(_INVISIBLE + " \t") == SEPARATOR for line in lines):
        return 0.0
    for entry_lines, _ in _split("\n".join(lines))[:50]:
        content = [line.strip(_INVISIBLE + " \t") for line in entry_lines if line.strip(_INVISIBLE + " \t")]
        if len(content) >= 2 and _METADATA.match(content[1]):
            return 0.95
    return 0.0


def parse(text: str, source: str, options: ImportOptions) -> ImportResult:
    """Highlights with their notes as backs; bookmarks, empty and superseded entries are counted as skipped."""
    return parse_lines(text.split("\n"), source, options)


def parse_lines(lines: Iterable[str], source: str, options: ImportOptions) -> ImportResult:
    """parse() on the text's lines, read one at a time (only the entries are kept, not the text)."""
    result = ImportResult(NAME)
    clippings = _Clippings()
    for entry_lines, first_line in _entries(lines):
        _read_entry(entry_lines, first_line, source, result, clippings)
    kept = _latest_versions(clippings, result)
    backs: dict[int, list[str]] = {}
    owners = _Owners(clippings, kept)
    for index in range(len(clippings)):
        if clippings.is_note[index]:
            owner = owners.find(index)
            if owner is None:
                result.skipped["note without a highlight"] += 1
            else:
                backs.setdefault(owner, []).append(clippings.texts[index])
            clippings.texts[index] = ""  # a note lives on in its owner's back, or not at all
    result.highlights = KindleHighlights(clippings, kept, backs, source)
    return result


def _split(text: str) -> list[tuple[list[str], int]]:
    """The entries' lines, each with the line number its first line has in the file."""
    return list(_entries(text.split("\n")))


def _entries(lines: Iterable[str]) -> Iterator[tuple[list[str], int]]:
    """The entries' lines, each with the line number its first line has in the file, one entry at a time."""
    current: list[str] = []
    start = 1
    for number, line in enumerate(lines, 1):
        if line.strip(_INVISIBLE + " \t") == SEPARATOR:
            yield current, start
            current, start = [], number + 1
        else:
            current.append(line)
    yield current, start


def _read_entry(lines: list[str], first_line: int, source: str, result: ImportResult, clippings: _Clippings) -> None:
    """Add one entry to the clippings, unless it is empty, a bookmark or not understood (counted or warned about)."""
    offset = 0
    while offset < len(lines) and not lines[offset].strip(_INVISIBLE + " \t"):
        offset += 1
    if offset == len(lines):
        return  # nothing between two separators (or after the last one)
    line = first_line + offset
    if offset + 1 >= len(lines) or not _METADATA.match(lines[offset + 1].strip(_INVISIBLE + " \t")):
        result.skipped["unrecognised entry"] += 1
        result.warnings.append(f"{source}:{line}: not a Kindle clipping (no '- Your Highlight ... | ...' line); skipped")
        return
    metadata = lines[offset + 1].strip(_INVISIBLE + " \t")
    kind = _kind(metadata)
    if kind == "bookmark":
        result.skipped["bookmark"] += 1
        return
    if kind not in ("highlight", "note"):
        result.skipped["unrecognised entry"] += 1
        shown = metadata if len(metadata) <= 80 else metadata[:77] + "..."
        result.warnings.append(f"{source}:{line + 1}: unknown kind of clipping {shown!r}; skipped")
        return
    body = "\n".join(lines[offset + 2:]).strip(_INVISIBLE + " \t\n")
    if not body.strip():
        result.skipped[f"empty {kind}"] += 1
        return
    clippings.add(kind, _title(lines[offset]), body, line, _place(metadata))


@lru_cache(maxsize=1024)  # a book's entries share its title and author strings
def _title(line: str) -> tuple[str, str]:
    """`Title (Author)` as (title, author); the author is the last parenthesised part."""
    line = line.strip(_INVISIBLE + " \t")
    match = _TITLE.match(line)
    if match and match.group(1).strip():
        return match.group(1).strip(), match.group(2).strip()
    return line, ""


def _kind(metadata: str) -> str:
    for kind, pattern in _KINDS:
        if pattern.search(metadata):
            return kind
    return "unknown"


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _place(metadata: str) -> tuple[int, int, int, str]:
    """(unit, start, end, page label) from a metadata line: the location range when there is one, else the page
    range when it is a number; the page as shown ("page 12", "page xii-xiv") or ""."""
    unit, first_number, last_number, page_label = _UNPLACED, 0, 0, ""
    page = _PAGE.search(metadata)
    if page:
        first = page.group(1) or page.group(3)
        last = page.group(2)
        page_label = f"page {first}-{last}" if last else f"page {first}"
        start, end = _number(first), _number(last)
        if start is not None:
            unit, first_number, last_number = _PAGE_UNIT, start, end if end is not None and end >= start else start
    location = _LOCATION.search(metadata)
    if location:
        start = int(location.group(1))
        end = int(location.group(2)) if location.group(2) else start
        if end < start:  # old devices abbreviate: 1021-22 means 1021-1022
            digits = location.group(2)
            end = int(location.group(1)[: -len(digits)] + digits) if len(digits) < len(location.group(1)) else start
            end = max(end, start)
        unit, first_number, last_number = _LOCATION_UNIT, start, end
    return unit, first_number, last_number, page_label


def _related(clippings: _Clippings, old: int, new: int) -> bool:
    """Whether `new` is a re-made version of `old`: overlapping places, and one text contains the other."""
    units, starts, ends = clippings.units, clippings.starts, clippings.ends
    if not units[old] or units[old] != units[new] or starts[old] > ends[new] or starts[new] > ends[old]:
        return False
    old_key, new_key = clippings.key(old), clippings.key(new)
    return old_key in new_key or new_key in old_key


def _latest_versions(clippings: _Clippings, result: ImportResult) -> array:
    """The highlights (entry numbers, in file order) without those a later one in the same book extends, shortens
    or repeats; the texts of those dropped are let go."""
    by_book: dict[int, list[int]] = {}
    for index in range(len(clippings)):
        if not clippings.is_note[index]:
            by_book.setdefault(clippings.books[index], []).append(index)
    units, starts, ends = clippings.units, clippings.starts, clippings.ends
    superseded: set[int] = set()
    for entries in by_book.values():
        seen: dict[str, int] = {}
        for index in (item for item in entries if not units[item]):  # unplaced: identical text is the same highlight
            key = clippings.key(index)
            if key in seen:
                superseded.add(seen[key])
            seen[key] = index
        placed = sorted((item for item in entries if units[item]), key=lambda item: (units[item], starts[item]))
        for position, index in enumerate(placed):
            for later in range(position + 1, len(placed)):
                other = placed[later]
                if units[other] != units[index] or starts[other] > ends[index]:
                    break
                if _related(clippings, index, other):
                    superseded.add(min(index, other))
    del by_book
    if superseded:
        result.skipped["older version of an extended highlight"] = len(superseded)
        for index in superseded:
            clippings.texts[index] = ""
    return array("I", (index for index in range(len(clippings))
                       if not clippings.is_note[index] and index not in superseded))


class _Owners:
    """Finds the highlight a note belongs to among its book's highlights placed in the same unit: the note's
    location inside its range (at its end preferred, then the nearest in the file)."""

    def __init__(self, clippings: _Clippings, kept: array) -> None:
        self._clippings = clippings
        self._placed: dict[tuple[int, int], list[int]] = {}  # by book and unit, sorted by start
        for index in kept:
            if clippings.units[index]:
                self._placed.setdefault((clippings.books[index], clippings.units[index]), []).append(index)
        self._starts: dict[tuple[int, int], list[int]] = {}
        self._longest: dict[tuple[int, int], int] = {}
        for group, indexes in self._placed.items():
            indexes.sort(key=lambda index: clippings.starts[index])
            self._starts[group] = [clippings.starts[index] for index in indexes]
            self._longest[group] = max(clippings.ends[index] - clippings.starts[index] for index in indexes)

    def find(self, note: int) -> int | None:
        """The owner's entry number, or None."""
        clippings = self._clippings
        group = (clippings.books[note], clippings.units[note])
        if not group[1] or group not in self._placed:
            return None
        place = clippings.starts[note]
        indexes, starts = self._placed[group], self._starts[group]
        candidates = []
        position = bisect_right(starts, place) - 1  # the last highlight starting at or before the note
        while position >= 0 and starts[position] >= place - self._longest[group]:
            index = indexes[position]
            if clippings.ends[index] >= place:
                candidates.append(index)
            position -= 1
        if not candidates:
            return None
        return min(candidates, key=lambda index: (clippings.ends[index] != place, abs(index - note), index))
