"""KOReader's book metadata (e-ink readers: Kobo, Kindle, PocketBook, Android): `BOOK.sdr/metadata.<ext>.lua`
beside each book (or under KOReader's docsettings/ or hashdocsettings/ folders), a Lua table that KOReader's
dump() writes (`-- path` then `return { ["key"] = value, ... }`). Read with lua_table, which runs nothing.

Two shapes. The current one (KOReader 2024 and later) is `["annotations"]`, in the book's order: `text` is the
highlighted text, `note` the reader's note, with `chapter`, `pageno`/`pageref` (or `page`, a number in a PDF),
`datetime`, `drawer`, `color`, `pos0`/`pos1`; an entry without `pos0` and `drawer` is a page bookmark. When
it is there it is the whole truth: the older tables a migration left beside it are stale (KOReader no longer
reads them, and a highlight deleted since may still be in them). The older shape is `["highlight"][page][i]`
(`text`: the highlighted text) with `["bookmarks"]`, where `notes` holds the highlighted text again and `text`
the reader's note (or KOReader's own "Page N ... @ time"); an entry of both tables is one highlight, matched by
`datetime` (else by its text). The `_paging`/`_rolling` copies KOReader keeps when a book was opened by its
other engine are read too, each highlight once.

The book is `["doc_props"]`'s title and authors; the reader's own (Book information, in custom_metadata.lua
beside the file) come first; without either, the book's file name from `doc_path`, or the `.sdr` folder's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import FlashcardsError
from ..files import textio
from ..model import Highlight
from .base import ImportOptions, ImportResult, as_tag, book_label, file_label, one_line
from .lua_table import LuaSyntaxError, LuaTable, loads

NAME = "koreader"
CUSTOM_METADATA = "custom_metadata.lua"
_RETURN_TABLE = re.compile(r"return\s*\{")
_LONG_BRACKET = re.compile(r"--\[(=*)\[")
_KEY = r'(?:\[\s*"{0}"\s*\]|\b{0})\s*='
_BOOK_KEYS = re.compile("|".join(_KEY.format(name) for name in ("annotations", "doc_props", "doc_path", "custom_props")))
_OTHER_KEYS = re.compile("|".join(_KEY.format(name) for name in (
    "highlight", "bookmarks", "highlights_imported", "bookmarks_version", "partial_md5_checksum", "percent_finished",
    "summary", "cre_dom_version", "last_xpointer", "last_page", "doc_pages", "stats", "device_id")))
_HASH_FOLDER = re.compile(r"[0-9a-f]{32}\.sdr", re.IGNORECASE)
_LINE_ENDS = re.compile(r"\r\n?")


@dataclass
class _Entry:
    text: str
    note: str
    chapter: str
    page: str
    line: int


def detect_bytes(head: bytes) -> float:
    """Sure for a Lua file that returns a table with KOReader's book keys (annotations, doc_props, doc_path...)."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    start = _after_comments(text)
    if not _RETURN_TABLE.match(text, start):
        return 0.0
    rest = text[start:]
    if _BOOK_KEYS.search(rest) or len({match.group() for match in _OTHER_KEYS.finditer(rest)}) >= 2:
        return 0.95
    return 0.0


def _after_comments(text: str) -> int:
    """Where the text's first token is, past white space and Lua comments (a long comment left open is taken as
    a line comment here: the parser then says where it opens)."""
    position = 0
    unclosed: set[str] = set()  # long-comment levels whose closing bracket the text does not have
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if not text.startswith("--", position):
            return position
        opened = _LONG_BRACKET.match(text, position)
        close = -1
        if opened and opened.group(1) not in unclosed:
            close = text.find(f"]{opened.group(1)}]", opened.end())
            if close < 0:
                unclosed.add(opened.group(1))
                if len(unclosed) > 8:
                    return position  # no file KOReader writes
        if opened and close >= 0:
            position = close + len(opened.group(1)) + 2
        else:
            end = text.find("\n", position)
            position = len(text) if end < 0 else end + 1


def parse_file(path: Path, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per highlighted passage, its note as the back; page bookmarks counted as skipped."""
    settings = _read(path, source)
    result = ImportResult(NAME)
    title, author = _book(settings, path, source, result)
    book = book_label(title, author)
    tags = (as_tag(title),) if title else ()
    seen: set[tuple[str, str]] = set()
    for entry in _entries(settings, result):
        if (entry.text, entry.note) in seen:
            continue  # the same highlight in another engine's copy
        seen.add((entry.text, entry.note))
        place = ", ".join(part for part in (entry.chapter, f"page {entry.page}" if entry.page else "") if part)
        origin = " — ".join(part for part in (book, place) if part) if book else f"{file_label(source)}:{entry.line}"
        result.add(Highlight(entry.text, entry.note, origin, tags, entry.line))
    return result


def _read(path: Path, source: str) -> LuaTable:
    data = textio.read_bounded(path, source)
    try:
        value = loads(data.decode("utf-8", "surrogateescape"))
    except LuaSyntaxError as error:
        backup = f"; KOReader keeps the version before as {path.name}.old beside it" if path.suffix == ".lua" else ""
        raise FlashcardsError(f"{source}:{error.line}: not a readable Lua table: {error.message}{backup}") from None
    if not isinstance(value, LuaTable):
        raise FlashcardsError(f"{source}:1: not KOReader book metadata (the file returns no table)")
    return value


def _entries(settings: LuaTable, result: ImportResult) -> list[_Entry]:
    if "annotations" in settings:
        found: list[_Entry] = []
        for key in ("annotations", "annotations_rolling", "annotations_paging"):
            found += _annotations(settings.get(key), result)
        return found
    found = []
    for suffix in ("", "_rolling", "_paging"):
        found += _highlights_and_bookmarks(settings.get(f"highlight{suffix}"), settings.get(f"bookmarks{suffix}"), result)
    return found


def _annotations(table: object, result: ImportResult) -> list[_Entry]:
    """The current shape: one entry per annotation, in the book's order."""
    found = []
    for item in _array(table):
        if not isinstance(item, LuaTable):
            result.skipped["unreadable entry"] += 1
            continue
        text, note = _text(item.get("text")), _text(item.get("note"))
        if item.get("drawer") is None and item.get("pos0") is None:  # a page bookmark; its text is the chapter's name
            result.skipped["bookmark with a note but no highlighted text" if note else "bookmark (a marked page)"] += 1
        elif not text:
            result.skipped["note on a highlight without text" if note else "highlight without text"] += 1
        else:
            page = next((value for value in (_page(item.get("pageref")), _page(item.get("pageno")),
                                             _page(item.get("page"))) if value), "")
            found.append(_Entry(text, note, one_line(_text(item.get("chapter"))), page, item.line))
    return found


def _highlights_and_bookmarks(highlights: object, bookmarks: object, result: ImportResult) -> list[_Entry]:
    """The older shape: each highlight with the note of its bookmark, then the highlighted bookmarks with no
    highlight entry; page bookmarks counted."""
    marks = [item for item in _array(bookmarks) if isinstance(item, LuaTable)]
    matched: set[int] = set()
    found = []
    pages = highlights if isinstance(highlights, LuaTable) else LuaTable()
    for page in sorted(pages, key=lambda key: (not isinstance(key, int | float), key if isinstance(key, int | float)
                                               else 0, str(key))):
        for item in _array(pages[page]):
            if not isinstance(item, LuaTable):
                result.skipped["unreadable entry"] += 1
                continue
            text = _text(item.get("text"))
            mark = _bookmark_of(item, text, marks, matched)
            note = _bookmark_note(mark) if mark is not None else ""
            if not text:
                result.skipped["note on a highlight without text" if note else "highlight without text"] += 1
                continue
            chapter = _text(item.get("chapter")) or (_text(mark.get("chapter")) if mark is not None else "")
            found.append(_Entry(text, note, one_line(chapter), _page(page), item.line))
    for index, mark in reversed(list(enumerate(marks))):  # newest page first in the file: read in the book's order
        if index in matched:
            continue
        note = _bookmark_note(mark)
        if mark.get("highlighted") is not True:
            result.skipped["bookmark with a note but no highlighted text" if note else "bookmark (a marked page)"] += 1
            continue
        text = _text(mark.get("notes"))
        if not text:
            result.skipped["note on a highlight without text" if note else "highlight without text"] += 1
            continue
        found.append(_Entry(text, note, one_line(_text(mark.get("chapter"))), _page(mark.get("page")), mark.line))
    return found


def _bookmark_of(item: LuaTable, text: str, marks: list[LuaTable], matched: set[int]) -> LuaTable | None:
    """The highlighted bookmark that is this highlight: the same datetime (else, without one, the same text)."""
    when = item.get("datetime")
    for index, mark in enumerate(marks):
        if index in matched or mark.get("highlighted") is not True:
            continue
        same = mark.get("datetime") == when if when is not None and mark.get("datetime") is not None \
            else _text(mark.get("notes")) == text
        if same:
            matched.add(index)
            return mark
    return None


def _bookmark_note(mark: LuaTable) -> str:
    """An older bookmark's note: its `text`, unless that is KOReader's own ("Page 12 <the text> @ <time>")."""
    note, quoted, when = _text(mark.get("text")), _text(mark.get("notes")), _text(mark.get("datetime"))
    if not note or note == quoted:
        return ""
    if when and when in note and quoted in note and len(note) - len(quoted) - len(when) < 40:
        return ""
    return note


def _book(settings: LuaTable, path: Path, source: str, result: ImportResult) -> tuple[str, str]:
    """The book's title and author: the reader's custom ones, the document's, else the book's file name."""
    props = settings.get("doc_props")
    custom = settings.get("custom_props")
    beside = path.with_name(CUSTOM_METADATA)
    if not isinstance(custom, LuaTable) and path.name != CUSTOM_METADATA and beside.is_file():
        try:
            custom = loads(beside.read_bytes().decode("utf-8", "surrogateescape"))
            custom = custom.get("custom_props") if isinstance(custom, LuaTable) else None
        except (LuaSyntaxError, OSError) as error:
            reason = f"line {error.line}: {error.message}" if isinstance(error, LuaSyntaxError) else error.strerror
            result.warnings.append(f"{source}: {CUSTOM_METADATA} beside it cannot be read ({reason}); the book's "
                                   "own title is used")
            custom = None
    stats = settings.get("stats")
    tables = [table for table in (custom, props, stats) if isinstance(table, LuaTable)]
    title = next((one_line(_text(table.get("title"))) for table in tables if _text(table.get("title"))), "")
    authors = next((_text(table.get("authors")) for table in tables if _text(table.get("authors"))), "")
    author = ", ".join(part.strip() for part in authors.split("\n") if part.strip())
    if not title:
        title = _file_title(_text(settings.get("doc_path")), path)
    return title, author


def _file_title(doc_path: str, path: Path) -> str:
    """The book's file name without its extension (from doc_path, else the `.sdr` folder the file is in)."""
    name = PurePosixPath(doc_path.replace("\\", "/")).name if doc_path else ""
    if name:
        return name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    folder = path.parent.name
    if folder.endswith(".sdr") and not _HASH_FOLDER.fullmatch(folder):
        return folder[: -len(".sdr")]
    return ""


def _array(table: object) -> list[object]:
    """A table's positional values (keys 1, 2, ... in order); anything else gives nothing."""
    if not isinstance(table, LuaTable):
        return []
    keys = sorted(key for key in table if isinstance(key, int) and not isinstance(key, bool) and key > 0)
    return [table[key] for key in keys]


def _text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return _LINE_ENDS.sub("\n", value).strip() if isinstance(value, str) else ""


def _page(value: object) -> str:
    """A page as people read it: a number or a page label (an xpointer, or a position table, is none)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip() and not value.lstrip().startswith("/") and len(value) <= 12:
        return value.strip()
    return ""
