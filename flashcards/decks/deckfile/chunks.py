"""A deck file cut into per-card chunks by its text alone (no YAML): the header, then one chunk per top-level
`- ` item of the `cards:` list, each with its first line and a hash of its bytes.

Comparing the hashes with the store's tells which cards a hand edit touched, so only those are parsed
again. The cut is trusted only for files of the plain shape (`cards:` alone on its line, the items at one
indentation, nothing less indented after them); anything else gives None and the file is parsed whole.
A cut is also checked against a full parse once (card lines equal chunk lines) before it is relied on.

The chunks are also kept in runs of neighbours of about GROUP_BYTES, each hashed whole (Groups): hashing a changed
file a run at a time from both ends finds the few runs a hand edit touched without cutting the rest into chunks
(refresh.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
from bisect import bisect_left
from collections.abc import Iterator, Sequence
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

    def groups(self) -> Groups:
        """The chunks in runs of about GROUP_BYTES, hashed."""
        return make_groups(self.data, self.starts, range(len(self.starts)), len(self.data))

    def lines(self) -> list[int]:
        """Every chunk's first line."""
        lines, line, previous = [], 1, 0
        for start in self.starts:
            line += self.data.count(b"\n", previous, start)
            lines.append(line)
            previous = start
        return lines


def digest(data: bytes | memoryview) -> str:
    """The hash the store keeps for a chunk."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


GROUP_BYTES = 1 << 16  # a run of neighbouring chunks hashed as one is about this long (a chunk is never cut)
_GROUP_DIGEST = 20
_READ_PIECE = 1 << 20  # bytes of a file read at a time to hash a run


@dataclass(frozen=True)
class Groups:
    """A deck's chunks as runs of neighbours: where each run starts in the file (a chunk's start), the position of
    its first chunk, and the hash of its bytes (up to the next run's start, or the end of the file)."""

    starts: list[int]
    firsts: list[int]
    digests: list[bytes]

    def to_blob(self) -> bytes:
        """As the store keeps it."""
        return struct.pack(f"<{2 * len(self.starts)}q", *self.starts, *self.firsts) + b"".join(self.digests)

    @classmethod
    def from_blob(cls, blob: bytes | None) -> Groups | None:
        """What to_blob() made, or None (nothing kept, or not of that shape)."""
        if not blob:
            return None
        count, rest = divmod(len(blob), 16 + _GROUP_DIGEST)
        if rest:
            return None
        numbers = struct.unpack_from(f"<{2 * count}q", blob)
        digests = blob[16 * count:]
        return cls(list(numbers[:count]), list(numbers[count:]),
                   [digests[at:at + _GROUP_DIGEST] for at in range(0, len(digests), _GROUP_DIGEST)])


def group_digest(data: bytes | memoryview) -> bytes:
    """The hash the store keeps for a run of chunks."""
    return hashlib.sha1(data, usedforsecurity=False).digest()


def file_group_digest(fd: int, start: int, end: int) -> bytes:
    """group_digest() of the bytes `start` to `end` of an open file, read a piece at a time."""
    digest = hashlib.sha1(usedforsecurity=False)
    while start < end:
        piece = os.pread(fd, min(_READ_PIECE, end - start), start)
        if not piece:
            break  # the file is shorter: a digest that cannot match
        digest.update(piece)
        start += len(piece)
    return digest.digest()


def make_groups(data: bytes | memoryview, starts: Sequence[int], positions: Sequence[int], end: int) -> Groups:
    """Chunks starting at `starts` in `data` (and ending at `end`), at these positions of their deck, as runs of
    about GROUP_BYTES."""
    view = memoryview(data)
    found = Groups([], [], [])
    for at, following in _runs_of(starts):
        found.starts.append(starts[at])
        found.firsts.append(positions[at])
        found.digests.append(group_digest(view[starts[at]:starts[following] if following < len(starts) else end]))
    return found


def _runs_of(starts: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(first, next run's first) of chunks starting at `starts`, in runs of about GROUP_BYTES."""
    at = 0
    while at < len(starts):
        following = bisect_left(starts, starts[at] + GROUP_BYTES, at + 1)
        yield at, following
        at = following


def grown_groups(fd: int, groups: Groups, old_size: int, old_count: int, sizes: Sequence[int]) -> Groups | None:
    """The runs of a file (open as `fd`) that grew at its end, from `old_size`, by chunks of these lengths: its
    last run takes them in while it is short, the rest make runs of their own. None when the file is shorter."""
    starts, positions = [], []
    at = old_size
    for position, size in enumerate(sizes, old_count):
        starts.append(at)
        positions.append(position)
        at += size
    kept = len(groups.starts)
    if kept and old_size - groups.starts[-1] < GROUP_BYTES:  # read as one chunk: a run is never cut
        kept -= 1
        starts.insert(0, groups.starts[-1])
        positions.insert(0, groups.firsts[-1])
    if os.fstat(fd).st_size < at:
        return None
    grown = Groups(groups.starts[:kept], groups.firsts[:kept], groups.digests[:kept])
    for first, following in _runs_of(starts):
        grown.starts.append(starts[first])
        grown.firsts.append(positions[first])
        grown.digests.append(file_group_digest(fd, starts[first], starts[following] if following < len(starts) else at))
    return grown


def items_pattern(indent: int) -> re.Pattern[bytes]:
    """The start of an item of the `cards:` list at this indentation (from the newline before it)."""
    return re.compile(rb"\n {%d}-(?=[ \r\n])" % indent)


def plain_between(data: bytes | memoryview, indent: int, start: int, end: int) -> bool:
    """Whether the lines that start after a newline in data[start:end] keep the plain shape: each an item, more
    indented than the items, blank or a comment (`end` is the end of the file, or the newline before an item)."""
    return not any(pattern.search(data, start, end) for pattern in _odd_lines(indent))


def _odd_lines(indent: int) -> list[re.Pattern[bytes]]:
    """A line less indented than the items (or as indented but not an item): it ends the list."""
    odd = [re.compile(rb"\n {%d}(?![ \r\n#]|-[ \r\n]|\Z)" % indent)]
    if indent:
        odd.append(re.compile(rb"\n(?> {0,%d})(?![ \r\n#]|\Z)" % (indent - 1)))
    return odd


def split_cards(data: bytes) -> Layout | None:
    """The file cut into header and card chunks, or None when its shape is not the plain one."""
    shape = _shape(data)
    if shape is None:
        return None
    start, indent = shape
    if start == len(data):  # `cards:` with nothing after it: no cards
        return Layout(data, len(data), digest(data), 0, [], [])
    starts = [match.start() + 1 for match in items_pattern(indent).finditer(data, start - 1)]
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
    if not items_pattern(indent).match(data, start - 1):  # patterns start with a newline: fast
        return None
    if not plain_between(data, indent, start - 1, len(data)):  # a line that ends the list: not the plain shape
        return None
    return start, indent
