"""A deck file cut into per-card chunks by its text alone (no YAML): the header, then one chunk per top-level
`- ` item of the `cards:` list, each with its first line and a hash of its bytes.

Comparing the hashes with the store's tells which cards a hand edit touched, so only those are parsed
again. The cut is trusted only for files of the plain shape (`cards:` alone on its line, the items at one
indentation, nothing less indented after them); anything else gives None and the file is parsed whole.
A cut is also checked against a full parse once (card lines equal chunk lines) before it is relied on.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_CARDS_KEY = re.compile(rb"^cards:[ \t]*(?:#[^\r\n]*)?\r?\n", re.M)
_FIRST_CONTENT = re.compile(rb"^(?![ \t]*(?:#[^\n]*)?\r?$)( *)(.)", re.M)  # the first line not blank nor comment


@dataclass(frozen=True)
class Chunk:
    """One card's text: bytes [start, end) of the file, from line `line` (1-based)."""

    line: int
    start: int
    end: int
    digest: str


@dataclass(frozen=True)
class Layout:
    """A deck file's cut: everything before the first card (hashed), the items' indentation, the card chunks."""

    header_end: int
    header_digest: str
    indent: int
    chunks: list[Chunk]

    @property
    def key(self) -> str:
        """The header's identity as the store keeps it."""
        return f"{self.indent}:{self.header_digest}"


def digest(data: bytes) -> str:
    """The hash the store keeps for a chunk."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def split_cards(data: bytes) -> Layout | None:
    """The file cut into header and card chunks, or None when its shape is not the plain one."""
    found = list(_CARDS_KEY.finditer(data))
    if len(found) != 1:
        return None
    body = found[0].end()
    first = _FIRST_CONTENT.search(data, body)
    if first is None:  # `cards:` with nothing after it: no cards
        return Layout(len(data), digest(data), 0, [])
    indent = len(first.group(1))
    items = re.compile(rb"^ {%d}-(?=[ \r\n])" % indent, re.M)
    start = first.start()
    if not items.match(data, start):
        return None
    # a line less indented than the items (or as indented but not an item) ends the list: not the plain shape
    odd = [re.compile(rb"^ {%d}(?![ \r\n#]|-[ \r\n]|\Z)" % indent, re.M)]
    if indent:
        odd.append(re.compile(rb"^(?> {0,%d})(?![ \r\n#]|\Z)" % (indent - 1), re.M))
    if any(pattern.search(data, start) for pattern in odd):
        return None
    starts = [match.start() for match in items.finditer(data, start)]
    chunks = []
    line = data.count(b"\n", 0, start) + 1
    for index, begin in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        chunks.append(Chunk(line, begin, end, digest(data[begin:end])))
        line += data.count(b"\n", begin, end)
    return Layout(start, digest(data[:start]), indent, chunks)


def chunk_text(data: bytes, chunk: Chunk) -> bytes:
    """A chunk as a YAML document of its own whose lines are the file's lines (errors keep their file:line)."""
    return b"\n" * (chunk.line - 2) + b"cards:\n" + data[chunk.start:chunk.end]
