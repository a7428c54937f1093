"""Reading a large text export as lines, decoded as it is read: the bytes and the whole text are never held.

Only the plain cases stream (an input larger than the head, UTF-8, UTF-16 or a byte-order mark, no control
characters at its start). Anything else, and any byte that does not decode, returns None or raises
`NotStreamable`: the caller then reads the file whole (textio.read_text), which gives the exact messages.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import FlashcardsError
from ..files import textio

CHUNK_BYTES = 1 << 18  # read and decoded at a time: small, as each chunk is briefly held several times over
HEAD_CHARS = 2**20 + 1  # detectors judge by at most this many characters (but see _unusual: csv may look further)
_DECODERS: dict[str, Callable[[bytes, str, bool], tuple[str, int]]] = {
    "utf-8": codecs.utf_8_decode,
    "utf-16-le": codecs.utf_16_le_decode,
    "utf-16-be": codecs.utf_16_be_decode,
    "utf-32-le": codecs.utf_32_le_decode,
    "utf-32-be": codecs.utf_32_be_decode,
}


class NotStreamable(Exception):
    """The file turned out not to decode as guessed: read it whole instead."""


class TextLines:
    """A text export as lines (without their line ends, numbered as `text.split('\\n')` numbers them).

    `head` is the start of the text (HEAD_CHARS characters, the last line cut there): an exact prefix of what
    textio.read_text would return, for the detectors. Iterate once for every line.
    """

    def __init__(self, name: str, handle: BinaryIO, decode: Callable[[bytes, str, bool], tuple[str, int]],
                 skip: int, opened: textio.Input | None = None) -> None:
        self.name = name
        self._handle = handle
        self._opened = opened  # the input, when these lines own it (open_lines): closed with them
        self._decode = decode
        self._read = skip
        self._chunks = self._decoded()
        self._head_lines: list[str] = []
        self._rest: Iterator[str] = self._lines()
        size = 0
        for line in self._rest:
            self._head_lines.append(line)
            size += len(line) + 1
            if size > HEAD_CHARS:
                break
        self.complete = size <= HEAD_CHARS  # the head is the whole file: nothing to gain from streaming
        self.head = _prefix(self._head_lines, HEAD_CHARS)

    def _decoded(self) -> Iterator[str]:
        pending = b""
        cap = textio.MAX_INPUT_BYTES
        while True:
            try:
                chunk = self._handle.read(CHUNK_BYTES)
            except OSError as exc:
                raise FlashcardsError(f"{self.name}: cannot read ({exc.strerror})") from None
            self._read += len(chunk)
            if self._read > cap:
                raise FlashcardsError(f"{self.name}: more than {cap // 2**20} MiB; exports over that are refused (split it)")
            data = pending + chunk if pending else chunk
            try:
                text, used = self._decode(data, "strict", not chunk)
            except UnicodeDecodeError:
                raise NotStreamable from None
            pending = data[used:]
            if text:
                yield text
            if not chunk:
                return

    def _lines(self) -> Iterator[str]:
        """Lines with '\\r\\n' and '\\r' read as line ends, as textio.decode_bytes reads them.

        A line longer than a chunk is kept as the chunks it came in and joined once, when it ends: never built
        again for every chunk (which took time growing with the square of its length)."""
        parts: list[str] = []  # the line not yet ended
        held = ""  # a '\\r' at a chunk's end: the next chunk may start with the '\\n' of the same line end
        for decoded in self._chunks:
            piece, held = held + decoded if held else decoded, ""
            if piece.endswith("\r"):
                piece, held = piece[:-1], "\r"
            if "\r" in piece:
                piece = piece.replace("\r\n", "\n").replace("\r", "\n")
            if "\n" not in piece:
                if piece:
                    parts.append(piece)
                continue
            lines = piece.split("\n")
            parts.append(lines[0])
            yield _joined(parts)
            yield from lines[1:-1]
            if lines[-1]:
                parts.append(lines[-1])
        if held:  # the text ends with a '\\r': a line end, then an empty last line
            yield _joined(parts)
        yield _joined(parts)

    def close(self) -> None:
        """Close the input behind the lines, when they own it."""
        if self._opened is not None:
            self._opened.close()

    def __iter__(self) -> Iterator[str]:
        self.head = ""  # detection is over: the lines themselves are all that is needed now
        head, self._head_lines = self._head_lines, []
        head.reverse()
        while head:
            yield head.pop()
        yield from self._rest


def _joined(parts: list[str]) -> str:
    """The pieces of a line as one string, `parts` emptied: the pieces are not held while the line is used."""
    line = parts[0] if len(parts) == 1 else "".join(parts)
    parts.clear()
    return line


def open_lines(path: Path, name: str) -> TextLines | None:
    """The file as lines decoded while read, or None when it should be read whole (small, unusual, or
    anything textio.decode_bytes would refuse or treat specially). Close them with close_lines."""
    try:
        opened = textio.open_input(path, name)
    except FlashcardsError:
        return None
    lines = lines_of(opened, owned=True)
    if lines is None:
        opened.close()
    return lines


def lines_of(opened: textio.Input, owned: bool = False) -> TextLines | None:
    """An opened input as lines decoded while read, or None when it should be read whole (from the same input).
    `owned`: the lines close the input when they are closed."""
    if opened.size <= HEAD_CHARS:
        return None
    try:
        handle = opened.stream()
        start = handle.read(textio.UTF16_SAMPLE_BYTES)
        encoding, skip = _encoding(start)
        handle.seek(skip)
        lines = TextLines(opened.name, handle, _DECODERS[encoding], skip, opened if owned else None)
        if lines.complete or _unusual(lines.head):
            raise NotStreamable
        return lines
    except (NotStreamable, OSError):
        return None


def close_lines(lines: TextLines) -> None:
    """Close the file behind the lines (when they opened it: open_lines)."""
    lines.close()


def _prefix(lines: list[str], limit: int) -> str:
    """The first `limit` characters of the lines joined by line ends (a long line is cut, never copied whole)."""
    pieces: list[str] = []
    room = limit
    for index, line in enumerate(lines):
        if index:
            if not room:
                break
            pieces.append("\n")
            room -= 1
        if len(line) >= room:
            pieces.append(line[:room])
            break
        pieces.append(line)
        room -= len(line)
    return "".join(pieces)


def _encoding(start: bytes) -> tuple[str, int]:
    for bom, encoding in textio._BOMS:
        if start.startswith(bom):
            return encoding, len(bom)
    if b"\x00" in start:
        utf16 = textio.utf16_without_bom(start)  # as decode_bytes judges it, on the same first bytes
        if utf16 is None:
            raise NotStreamable  # binary: decode_bytes says so
        return utf16, 0
    return "utf-8", 0  # (GB18030 text fails to decode as UTF-8 further on: then it is read whole)


def _unusual(head: str) -> bool:
    """Whether the start of the text is one decode_bytes or a detector looks further into."""
    from .base import looks_like_json

    stripped = head.lstrip()
    if len(stripped) < 8 or looks_like_json(head):
        return True  # (nearly) blank; or JSON, which the hypothesis detector parses whole
    if any(ord(char) in textio._BINARY_BYTES for char in head[:65536]):
        return True
    return _table_looks_further(head)


def _table_looks_further(head: str) -> bool:
    """Whether the csv detector would widen its sample past the head (table.sample_records: fewer than two
    records in its second window), so that it must see the whole text."""
    from . import table
    from .base import first_lines

    delimiter = table.sniff_delimiter(head)
    if delimiter is None or table.header_too_long(head):
        return False  # no table, judged on the head as on the whole text
    records = 0
    try:
        sample = "\n".join(first_lines(head, table.SAMPLE_WINDOWS[1]))
        for _ in table.read_records(sample, "", delimiter):
            records += 1
            if records >= 2:
                return False
    except FlashcardsError:
        pass
    return True
