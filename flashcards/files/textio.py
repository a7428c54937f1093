"""Reading text files people give us: byte-order marks, UTF-16, GB18030, line ends, binaries."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
            try:
                text = str(memoryview(data)[len(bom):], encoding)  # no copy of the bytes
            except UnicodeDecodeError as exc:
                raise FlashcardsError(f"{name}: not valid {encoding.upper()} text (byte {exc.start + len(bom)})") from None
            break
    if text is None:
        text = _decode_without_bom(data, name)
    if any(ord(ch) in _BINARY_BYTES for ch in text[:65536]):
        raise FlashcardsError(f"{name}: looks like a binary file, not a text export")
    if not text or text.isspace():
        raise FlashcardsError(f"{name}: file is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_without_bom(data: bytes, name: str) -> str:
    sample = data[:4096]
    if b"\x00" in sample:
        # UTF-16 without a byte-order mark shows as every other byte zero in mostly-ASCII text.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2 or 1
        for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
            if zeros > half * 0.3 and len(data) % 2 == 0:
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    break
        raise FlashcardsError(f"{name}: looks like a binary file, not a text export")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FlashcardsError(f"{name}: cannot decode as UTF-8, UTF-16 or GB18030 text") from None


CHUNK_BYTES = 1 << 20


def looks_binary(head: bytes) -> bool:
    """Whether the first bytes of a file show it is not text: NULs, unless laid out as UTF-16 text."""
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    sample = head[:4096]
    if b"\x00" not in sample:
        return False  # control characters are found once decoded (see decode_bytes)
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2 or 1
    utf16 = (odd > half * 0.3 or even > half * 0.3) and min(even, odd) < half * 0.1
    return not utf16


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


def read_bounded(path: Path, name: str, what: str = "exports", cap: int | None = None) -> bytes:
    """A file's bytes, read in chunks: binary is refused on the first chunk, and reading stops at `cap`.

    Works for what has no size (pipes, /dev/zero): memory never grows past the cap.
    """
    kind = "a text export" if what == "exports" else "a deck"
    cap = MAX_INPUT_BYTES if cap is None else cap
    with reading_errors(name), open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > cap:
            raise FlashcardsError(f"{name}: file is {size // 2**20} MiB; {what} over {cap // 2**20} MiB are refused (split it)")
        head = handle.read(CHUNK_BYTES)
        if looks_binary(head):
            raise FlashcardsError(f"{name}: looks like a binary file, not {kind}")
        if size >= len(head) and handle.seekable():  # a regular file: read whole, in one piece
            handle.seek(0)
            data = handle.read(size)
            more = handle.read(CHUNK_BYTES)  # grown meanwhile?
            if not more:
                return data
            buffer = bytearray(data) + more
            del data
        else:
            buffer = bytearray(head)
        while chunk := handle.read(CHUNK_BYTES):
            buffer += chunk
            if len(buffer) > cap:
                raise FlashcardsError(f"{name}: more than {cap // 2**20} MiB; {what} over that are refused (split it)")
    return bytes(buffer)


def read_text(path: Path, name: str | None = None) -> str:
    """Read a text export from disk; errors name the file as `name` (default: the path)."""
    name = name or str(path)
    data = read_bounded(path, name)
    text = decode_bytes(data, name)
    del data  # the decoded text is all that is needed from here on
    return text
