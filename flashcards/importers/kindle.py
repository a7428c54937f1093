"""Kindle's `My Clippings.txt`: highlights, notes and bookmarks, in the device's language.

An entry is a title line `Title (Author)`, a metadata line (`- Your Highlight on page 12 | Location 1021-1022 |
Added on ...`, or in Chinese `- 您在第 12 页（位置 #1021-1022）的标注 | 添加于 ...`), a blank line and the text;
entries are separated by a line of ten `=`. A note becomes the back of the highlight whose location range
holds it; when a highlight was extended, Kindle keeps both versions and only the later one is kept here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

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


@dataclass(slots=True)
class _Entry:
    kind: str
    title: str
    author: str
    text: str
    line: int
    index: int
    unit: str = ""  # "location" or "page": what start/end count
    start: int = 0
    end: int = 0
    where: str = ""  # as shown in the source: "page 12, location 1021-1022"
    notes: list[str] = field(default_factory=list)
    key: str = ""  # the text as compared with other versions of it

    def __post_init__(self) -> None:
        key = normalize_front(self.text)
        self.key = self.text if key == self.text else key  # one string, not two, for most passages

    @property
    def book(self) -> tuple[str, str]:
        return self.title, self.author


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
    entries: list[_Entry] = []
    for entry_lines, first_line in _entries(lines):
        entry = _entry(entry_lines, first_line, len(entries), source, result)
        if entry is not None:
            entries.append(entry)
    highlights = _latest_versions([entry for entry in entries if entry.kind == "highlight"], result)
    placed: dict[tuple[str, str, str], list[_Entry]] = {}  # highlights by book and unit, in file order
    for entry in highlights:
        if entry.unit:
            placed.setdefault((*entry.book, entry.unit), []).append(entry)
    for note in (entry for entry in entries if entry.kind == "note"):
        owner = _owner(note, placed.get((*note.book, note.unit), []))
        if owner is None:
            result.skipped["note without a highlight"] += 1
        else:
            owner.notes.append(note.text)
    ordered = sorted(highlights, key=lambda item: item.index)
    del entries, highlights, placed  # the notes' entries are done with; each highlight's goes once it is made
    ordered.reverse()
    books: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}  # one label and tag per book, shared
    while ordered:
        entry = ordered.pop()
        if entry.book not in books:
            books[entry.book] = (book_label(entry.title, entry.author),
                                 (as_tag(entry.title),) if entry.title.strip() else ())
        book, tags = books[entry.book]
        origin = " — ".join(part for part in (book, entry.where) if part) if book else f"{file_label(source)}:{entry.line}"
        result.highlights.append(Highlight(entry.text, "\n\n".join(entry.notes), origin, tags, entry.line))
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


def _entry(lines: list[str], first_line: int, index: int, source: str, result: ImportResult) -> _Entry | None:
    """One entry, or None (counted or warned about) when it is empty, a bookmark or not understood."""
    offset = 0
    while offset < len(lines) and not lines[offset].strip(_INVISIBLE + " \t"):
        offset += 1
    if offset == len(lines):
        return None  # nothing between two separators (or after the last one)
    line = first_line + offset
    if offset + 1 >= len(lines) or not _METADATA.match(lines[offset + 1].strip(_INVISIBLE + " \t")):
        result.skipped["unrecognised entry"] += 1
        result.warnings.append(f"{source}:{line}: not a Kindle clipping (no '- Your Highlight ... | ...' line); skipped")
        return None
    title, author = _title(lines[offset])
    metadata = lines[offset + 1].strip(_INVISIBLE + " \t")
    kind = _kind(metadata)
    if kind == "bookmark":
        result.skipped["bookmark"] += 1
        return None
    if kind not in ("highlight", "note"):
        result.skipped["unrecognised entry"] += 1
        shown = metadata if len(metadata) <= 80 else metadata[:77] + "..."
        result.warnings.append(f"{source}:{line + 1}: unknown kind of clipping {shown!r}; skipped")
        return None
    body = "\n".join(lines[offset + 2:]).strip(_INVISIBLE + " \t\n")
    if not body.strip():
        result.skipped[f"empty {kind}"] += 1
        return None
    entry = _Entry(kind, title, author, body, line, index)
    _locate(entry, metadata)
    return entry


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


def _locate(entry: _Entry, metadata: str) -> None:
    """Fill the entry's location (or page) range from its metadata line."""
    parts = []
    page = _PAGE.search(metadata)
    if page:
        first = page.group(1) or page.group(3)
        last = page.group(2)
        parts.append(f"page {first}-{last}" if last else f"page {first}")
        start, end = _number(first), _number(last)
        if start is not None:
            entry.unit, entry.start, entry.end = "page", start, end if end is not None and end >= start else start
    location = _LOCATION.search(metadata)
    if location:
        start = int(location.group(1))
        end = int(location.group(2)) if location.group(2) else start
        if end < start:  # old devices abbreviate: 1021-22 means 1021-1022
            digits = location.group(2)
            end = int(location.group(1)[: -len(digits)] + digits) if len(digits) < len(location.group(1)) else start
            end = max(end, start)
        parts.append(f"location {start}-{end}" if end != start else f"location {start}")
        entry.unit, entry.start, entry.end = "location", start, end
    entry.where = ", ".join(parts)


def _related(old: _Entry, new: _Entry) -> bool:
    """Whether `new` is a re-made version of `old`: overlapping places, and one text contains the other."""
    if not old.unit or old.unit != new.unit or old.start > new.end or new.start > old.end:
        return False
    return old.key in new.key or new.key in old.key


def _latest_versions(highlights: list[_Entry], result: ImportResult) -> list[_Entry]:
    """Drop every highlight that a later one in the same book extends, shortens or repeats."""
    by_book: dict[tuple[str, str], list[_Entry]] = {}
    for entry in highlights:
        by_book.setdefault(entry.book, []).append(entry)
    superseded: set[int] = set()
    for entries in by_book.values():
        seen: dict[str, _Entry] = {}
        for entry in (item for item in entries if not item.unit):  # unplaced: identical text is the same highlight
            if entry.key in seen:
                superseded.add(seen[entry.key].index)
            seen[entry.key] = entry
        placed = sorted((entry for entry in entries if entry.unit), key=lambda item: (item.unit, item.start))
        for position, entry in enumerate(placed):
            for later in range(position + 1, len(placed)):
                other = placed[later]
                if other.unit != entry.unit or other.start > entry.end:
                    break
                if _related(entry, other):
                    superseded.add(min(entry.index, other.index))
    if superseded:
        result.skipped["older version of an extended highlight"] = len(superseded)
    return [entry for entry in highlights if entry.index not in superseded]


def _owner(note: _Entry, highlights: list[_Entry]) -> _Entry | None:
    """The highlight a note belongs to among its book's highlights placed in the same unit: the note's location
    inside its range (at its end preferred)."""
    if not note.unit:
        return None
    candidates = [entry for entry in highlights if entry.start <= note.start <= entry.end]
    if not candidates:
        return None
    return min(candidates, key=lambda entry: (entry.end != note.start, abs(entry.index - note.index)))
