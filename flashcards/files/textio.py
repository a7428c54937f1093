"""Reading text files people give us: byte-order marks, UTF-16, GB18030, line ends, binaries; each input
opened once, and what cannot be read twice (a pipe, standard input) read once, within the size cap."""

from __future__ import annotations

import codecs
import io
import os
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import FlashcardsError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
MAX_INPUT_BYTES = 512 * 1024 * 1024  # larger than any real highlight export; refused before reading
# Control characters that never appear in a text export (tab, newline, CR, form feed are fine).
_BINARY_BYTES = set(range(9)) | {11} | set(range(14, 27)) | set(range(28, 32))


def decode_bytes(data: bytes, name: str) -> str:
    """Decode an export's bytes to text with '\\n' line ends, or fail with one clear line."""
    if not data or data.isspace():  # (not strip(): that would copy a 200 MB export once more)
        raise FlashcardsError(f"{name}: file is empty")
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode(memoryview(data)[len(bom):], encoding, name, len(bom))  # no copy of the bytes
            break
    if text is None:
        text = _decode_without_bom(data, name)
    if any(ord(ch) in _BINARY_BYTES for ch in text[:65536]):
        raise FlashcardsError(f"{name}: looks like a binary file, not a text export")
    if not text or text.isspace():
        raise FlashcardsError(f"{name}: file is empty")
    if "\r" in text:  # (one scan of a text without CR, as most are; no copy of it)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode(data: bytes | memoryview, encoding: str, name: str, offset: int = 0) -> str:
    try:
        return str(data, encoding)
    except UnicodeDecodeError as exc:
        raise FlashcardsError(f"{name}: not valid {encoding.upper()} text (byte {exc.start + offset})") from None


def _decode_without_bom(data: bytes, name: str) -> str:
    sample = data[:UTF16_SAMPLE_BYTES]
    if b"\x00" in sample:
        encoding = utf16_without_bom(sample)
        if encoding is None:
            raise FlashcardsError(f"{name}: looks like a binary file, not a text export")
        return _decode(data, encoding, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FlashcardsError(f"{name}: cannot decode as UTF-8, UTF-16 or GB18030 text") from None


UTF16_SAMPLE_BYTES = 4096  # what tells UTF-16 without a byte-order mark from binary data
# What no text holds: control characters (but tab, line ends, form feed), unassigned and private-use code points.
_NOT_TEXT_CATEGORIES = {"Cc", "Cn", "Co", "Cs"}


def utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when these first bytes of a file (with no byte-order mark) are UTF-16 text,
    else None (binary data, or no zero byte at all: then it is no UTF-16 we can tell).

    In UTF-16 every character below U+0100 (ASCII: letters, digits, spaces, line ends) has a zero high byte: the
    second of its two bytes in little-endian, the first in big-endian. Mostly-English text has them on nearly
    every character, Chinese or Japanese text on its line ends, spaces and digits. Either way the zeros sit on
    one side, and the sample decodes in that byte order to characters text is made of. Binary data has zeros
    on both sides, or decodes to control characters and code points no text uses.
    """
    sample = sample[: len(sample) - len(sample) % 2]
    low_high = sample[1::2].count(0), sample[0::2].count(0)  # high bytes zero if little-, if big-endian
    if not any(low_high) or (sum(low_high) * 10 < len(sample) and _utf8(sample)):
        return None  # (UTF-8 text with a stray NUL is no UTF-16: its NULs make it binary)
    best = None
    for zeros, encoding in sorted(zip(low_high, ("utf-16-le", "utf-16-be"), strict=True), reverse=True):
        if zeros * 400 < len(sample) // 2 or zeros < 2:
            break  # too few characters below U+0100 for any text: not even a line end every 400 characters
        try:
            text, _ = codecs.utf_16_le_decode(sample) if encoding == "utf-16-le" else codecs.utf_16_be_decode(sample)
        except UnicodeDecodeError:
            continue  # (a surrogate cut at the sample's end is left undecoded, not an error)
        bad = sum(1 for char in text if char not in "\t\n\r\f" and unicodedata.category(char) in _NOT_TEXT_CATEGORIES)
        if bad * 200 <= len(text) and any(char.isalnum() for char in text):  # at most one in 200: text
            best = encoding
            break
    return best


def _utf8(sample: bytes) -> bool:
    try:
        codecs.utf_8_decode(sample, "strict", False)  # (a character cut at the sample's end is no error)
    except UnicodeDecodeError:
        return False
    return True


CHUNK_BYTES = 1 << 20


def looks_binary(head: bytes) -> bool:
    """Whether the first bytes of a file show it is not text: NULs, unless laid out as UTF-16 text."""
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    sample = head[:UTF16_SAMPLE_BYTES]
    if b"\x00" not in sample:
        return False  # control characters are found once decoded (see decode_bytes)
    return utf16_without_bom(sample) is None


@contextmanager
def reading_errors(name: str) -> Iterator[None]:
    """Reading a file: a missing file, a folder or an OS error becomes one line naming it."""
    try:
        yield
    except FileNotFoundError:
        raise FlashcardsError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise FlashcardsError(f"{name}: is a directory") from None
    except OSError as exc:
        raise FlashcardsError(f"{name}: cannot read ({exc.strerror})") from None


STDIN = "-"  # an input named so is standard input


class Input:
    """One input, opened once: what detection looks at is what is parsed.

    A regular file is read from its one open handle, seeking back as needed. Anything else (a named pipe,
    standard input, a process substitution, a device) can be read only once: it was read whole, within the
    cap, into `data`, and is read from there. Use with `with`, or close().
    """

    def __init__(self, name: str, handle: BinaryIO, path: Path | None, size: int, data: bytes | None = None) -> None:
        self.name = name
        self.path = path  # the file on disk when it is a regular file
        self.size = size
        self._handle = handle
        self._data = data

    @property
    def in_memory(self) -> bool:
        """Whether the input was read into memory (it is no regular file)."""
        return self.path is None

    def head(self, limit: int) -> bytes:
        """The first `limit` bytes."""
        if self._data is not None:
            return self._data[:limit]
        with reading_errors(self.name):
            self._handle.seek(0)
            return self._handle.read(limit)

    def stream(self) -> BinaryIO:
        """The bytes as a file, from the start (the same handle each time: one reader at a time)."""
        with reading_errors(self.name):
            self._handle.seek(0)
        return self._handle

    def read_all(self, what: str = "exports", cap: int | None = None) -> bytes:
        """Every byte, binary refused on the first ones; the last read of an input read into memory, which
        hands its bytes over (so that they can go once decoded)."""
        kind = "a text export" if what == "exports" else "a deck"
        cap = MAX_INPUT_BYTES if cap is None else cap
        if looks_binary(self.head(CHUNK_BYTES)):
            raise FlashcardsError(f"{self.name}: looks like a binary file, not {kind}")
        if self._data is not None:
            data, self._data = self._data, None
            self._handle = io.BytesIO()
            return data
        with reading_errors(self.name):
            handle = self.stream()
            data = handle.read(self.size)
            more = handle.read(CHUNK_BYTES)  # grown meanwhile?
            if not more:
                return data
            buffer = bytearray(data) + more
            del data
            while chunk := handle.read(CHUNK_BYTES):
                buffer += chunk
                if len(buffer) > cap:
                    raise FlashcardsError(f"{self.name}: more than {cap // 2**20} MiB; {what} over that are refused "
                                          "(split it)")
        return bytes(buffer)

    @contextmanager
    def as_file(self) -> Iterator[Path]:
        """A path to the bytes, for what reads a file by its name (SQLite): the file itself, or a private
        temporary copy of what was read into memory."""
        if self.path is not None:
            yield self.path
            return
        with tempfile.TemporaryDirectory(prefix="flashcards-input-") as folder:
            copy = Path(folder) / "input"
            with reading_errors(self.name), open(copy, "wb") as out:
                out.write(self._data or b"")
            yield copy

    def close(self) -> None:
        self._handle.close()
        self._data = None

    def __enter__(self) -> Input:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_input(path: Path, name: str, what: str = "exports", cap: int | None = None,
               first: Callable[[bytes], None] | None = None) -> Input:
    """Open an input once (`-` is standard input): a regular file over the cap is refused before it is read; what
    has no size is read into memory, refused once past the cap.

    `first` is shown the first bytes of what is read into memory and may refuse it at once (by raising), so that
    an endless input (/dev/zero) ends there; by default binary is refused, as for a text export or a deck.
    """
    kind = "a text export" if what == "exports" else "a deck"
    cap = MAX_INPUT_BYTES if cap is None else cap

    def refuse_binary(head: bytes) -> None:
        if looks_binary(head):
            raise FlashcardsError(f"{name}: looks like a binary file, not {kind}")

    with reading_errors(name):
        if str(path) == STDIN:
            if sys.stdin is None:
                raise FlashcardsError(f"{name}: cannot read (there is no standard input)")
            handle, owned = sys.stdin.buffer, False
        else:
            handle, owned = open(path, "rb"), True  # noqa: SIM115 (kept open by the Input, or closed below)
    try:
        with reading_errors(name):
            info = os.fstat(handle.fileno())
            if owned and stat.S_ISREG(info.st_mode) and handle.seekable():
                if info.st_size > cap:
                    raise FlashcardsError(
                        f"{name}: file is {info.st_size // 2**20} MiB; {what} over {cap // 2**20} MiB are refused (split it)"
                    )
                return Input(name, handle, path, info.st_size)
            data = _read_once(handle, name, what, cap, first or refuse_binary)
    except BaseException:
        if owned:
            handle.close()
        raise
    if owned:
        handle.close()
    return Input(name, io.BytesIO(data), None, len(data), data)


def _read_once(handle: BinaryIO, name: str, what: str, cap: int, first: Callable[[bytes], None]) -> bytes:
    """Everything `handle` gives, up to `cap` bytes; `first` sees the first chunk (and may refuse it)."""
    chunks: list[bytes] = []
    total = 0
    while chunk := handle.read(CHUNK_BYTES):  # (a whole chunk, or what is left before the end)
        if not chunks:
            first(chunk)
        total += len(chunk)
        if total > cap:
            raise FlashcardsError(f"{name}: more than {cap // 2**20} MiB; {what} over that are refused (split it)")
        chunks.append(chunk)
    if not chunks:
        first(b"")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)  # (twice the bytes, for a moment)


def read_bounded(path: Path, name: str, what: str = "exports", cap: int | None = None) -> bytes:
    """A file's bytes, read in chunks: binary is refused on the first chunk, and reading stops at `cap`.

    Works for what has no size (pipes, /dev/zero): memory never grows past the cap.
    """
    with open_input(path, name, what, cap) as opened:
        return opened.read_all(what, cap)


def read_text(path: Path, name: str | None = None) -> str:
    """Read a text export from disk; errors name the file as `name` (default: the path)."""
    name = name or str(path)
    with open_input(path, name) as opened:
        return input_text(opened)


def input_text(opened: Input) -> str:
    """An opened input's whole text (its last read, for one read into memory)."""
    data = opened.read_all()
    text = decode_bytes(data, opened.name)
    del data  # the decoded text is all that is needed from here on
    return text
