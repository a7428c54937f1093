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

_CARDS_KEY = re.compile(rb"\ncards:[ \t]*(?:#[^\r\n]*)?\r?\n")
_FIRST_CONTENT = re.compile(rb"^(?![ \t]*(?:#[^\n]*)?\r?$)( *)(.)", re.M)  # the first line not blank nor comment


@dataclass(frozen=True)
class Layout:
    """A deck file's cut: everything before the first card (hashed), the items' indentation, the card chunks
    (where each starts, and its hash)."""

    data: bytes
    header_end: int
    header_digest: str
    indent: int
    starts: list[int]
    digests: list[str]

    @property
    def key(self) -> str:
        """The header's identity as the store keeps it."""
        return f"{self.indent}:{self.header_digest}"

    def items(self, first: int, last: int) -> bytes:
        """The chunks `first` to `last` (included) as a YAML document of their own: a `cards:` list."""
        end = self.starts[last + 1] if last + 1 < len(self.starts) else len(self.data)
        return b"cards:\n" + self.data[self.starts[first]:end]

    def lines(self) -> list[int]:
        """Every chunk's first line."""
        lines, line, previous = [], 1, 0
        for start in self.starts:
            line += self.data.count(b"\n", previous, start)
            lines.append(line)
            previous = start
        return lines


def digest(data: bytes) -> str:
    """The hash the store keeps for a chunk."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def split_cards(data: bytes) -> Layout | None:
    """The file cut into header and card chunks, or None when its shape is not the plain one."""
    shape = _shape(data)
    if shape is None:
        return None
    start, indent = shape
    if start == len(data):  # `cards:` with nothing after it: no cards
        return Layout(data, len(data), digest(data), 0, [], [])
    items = re.compile(rb"\n {%d}-(?=[ \r\n])" % indent)
    starts = [match.start() + 1 for match in items.finditer(data, start - 1)]
    view = memoryview(data)
    blake = hashlib.blake2b
    digests = [blake(view[begin:end], digest_size=12).hexdigest()
               for begin, end in zip(starts, [*starts[1:], len(data)], strict=True)]
    return Layout(data, start, digest(data[:start]), indent, starts, digests)


def items_indent(data: bytes) -> int | None:
    """The indentation of the `cards:` items when the file has the plain shape (0 without items), else None."""
    shape = _shape(data)
    return None if shape is None else shape[1]


def _shape(data: bytes) -> tuple[int, int] | None:
    """(where the first item starts, the items' indentation) of a plain-shaped file, else None; a file
    whose list is empty gives (its length, 0)."""
    if data.startswith(b"cards:"):  # the key on the first line: search a copy that starts with a newline
        found = list(_CARDS_KEY.finditer(b"\n" + data))
        body = found[0].end() - 1 if len(found) == 1 else 0
    else:
        found = list(_CARDS_KEY.finditer(data))
        body = found[0].end() if len(found) == 1 else 0
    if len(found) != 1:
        return None
    first = _FIRST_CONTENT.search(data, body)
    if first is None:
        return len(data), 0
    indent = len(first.group(1))
    start = first.start()  # a line start after the `cards:` line: data[start - 1] is its newline
    if not re.compile(rb"\n {%d}-(?=[ \r\n])" % indent).match(data, start - 1):  # patterns start with a newline: fast
        return None
    # a line less indented than the items (or as indented but not an item) ends the list: not the plain shape
    odd = [re.compile(rb"\n {%d}(?![ \r\n#]|-[ \r\n]|\Z)" % indent)]
    if indent:
        odd.append(re.compile(rb"\n(?> {0,%d})(?![ \r\n#]|\Z)" % (indent - 1)))
    if any(pattern.search(data, start - 1) for pattern in odd):
        return None
    return start, indent
