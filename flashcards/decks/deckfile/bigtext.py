"""A card text too long to hand to the YAML emitter, written into the file as the emitter would write it.

libyaml's emitter holds two copies of a scalar while it writes it (its UTF-8 bytes, and its event's own copy),
so a 200 MB passage would cost 400 MB more than the passage itself. The styles it gives a long text as a card's
value are written here instead, a piece at a time, byte for byte as libyaml 0.2 writes them (emitter.c:
yaml_emitter_analyze_scalar, _select_scalar_style, _write_plain_scalar, _write_single_quoted_scalar,
_write_literal_scalar): plain, single-quoted and literal (`|`, `|-`, `|2`, `|2-`). Anything else (a text the
emitter would double-quote: control characters, characters outside the Basic Multilingual Plane; a literal
block keeping several final line ends, `|+`; line breaks other than `\\n`) is left to the emitter.
"""

from __future__ import annotations

import re
from typing import Protocol

import yaml

BIG = 1 << 20  # characters: a card text longer than this is written here
_PIECE = 1 << 20  # characters written at a time

# what libyaml may write unescaped (IS_PRINTABLE, with allow_unicode): \n, 0x20-0x7E, 0xA0-0xD7FF, 0xE000-0xFFFD
# but the byte order mark; and besides \n, the line breaks of YAML (IS_BREAK)
_NOT_PRINTABLE = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_FOLD = re.compile(r"(?<! ) (?! )")  # a space where a long line may be broken (not next to another space)
_LINE_START = re.compile(r"\n(?=[^\n])")  # a line end followed by a line that is not empty
_STR_TAG = "tag:yaml.org,2002:str"


class TextSink(Protocol):
    """Where YAML text is written: a text file, or anything with its write()."""

    def write(self, text: str, /) -> int: ...


def style_of(value: str) -> str | None:
    """The style libyaml gives `value` as the value of a block mapping, as the deck dumper asks (a literal block
    for text with line ends, else plain if it can): "" plain, "'" single-quoted, "|" literal; None for another
    style or a literal block this module does not write (then the emitter writes it)."""
    if not value or _NOT_PRINTABLE.search(value) or _OTHER_BREAKS.search(value):
        return None  # double-quoted (special characters), or line breaks written otherwise
    if "\n" in value:
        # block_allowed: no trailing space, no space before a line end; `|+` (several final line ends) is left out
        if value.endswith((" ", "\n\n")) or value == "\n" or " \n" in value:
            return None
        return "|"
    if value[0] == " " or value[-1] == " " or _block_indicators(value) or not _plain_implicit(value):
        return "'"  # single quotes are allowed: no line breaks, nothing special
    return ""


_BREAKS = "\n\u2028\u2029"  # the line breaks a literal block may hold (\r and \x85 are not printable)


def keeps_line_ends(value: str) -> bool | None:
    """For a text the deck dumper asks a literal block for (it has a line end): whether the emitter writes it as
    one keeping its final line ends (`|+`), which makes it end its dump with a document end marker; None when
    it is no literal block (no line end, or written double-quoted)."""
    if "\n" not in value or _NOT_PRINTABLE.search(value) or value.endswith(" ") or " \n" in value \
            or " \u2028" in value or " \u2029" in value:
        return None
    return value[-1] in _BREAKS and (len(value) == 1 or value[-2] in _BREAKS)


def _block_indicators(value: str) -> bool:
    """Whether the emitter's analysis finds block indicators (then the text cannot be plain in block context)."""
    first = value[0]
    followed_by_space = len(value) == 1 or value[1] == " "  # (tabs and breaks are not printable here, or absent)
    if value.startswith(("---", "...")) or first in _FIRST_INDICATORS:
        return True
    if first in "?:-" and followed_by_space:
        return True
    return value.find(": ", 1) >= 0 or (len(value) > 1 and value.endswith(":")) or " #" in value


def _plain_implicit(value: str) -> bool:
    """Whether the text written plain would read back as text (not a number, a date, true, null...)."""
    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG


def write(stream: TextSink, value: str, style: str, column: int, indent: int, width: int) -> None:
    """Write `value` in `style` (from style_of) into `stream`, starting at `column` of the line (just after the
    space that follows its key), continued lines indented by `indent`, broken as the emitter does at `width`."""
    if 0 <= width <= 4:  # as the emitter takes a width no more than twice its indentation (2)
        width = 80
    if style == "|":
        _write_literal(stream, value, indent)
    else:
        _write_flowing(stream, value, style == "'", column, indent, width)


def _write_flowing(stream: TextSink, value: str, quoted: bool, column: int, indent: int, width: int) -> None:
    """Plain or single-quoted: one line, broken at a space once the line is longer than `width`."""
    if quoted:
        stream.write("'")
        column += 1
    start = 0
    while True:
        fold = _next_fold(value, start, column, quoted, width)
        end = len(value) if fold is None else fold
        for at in range(start, end, _PIECE):
            piece = value[at:min(at + _PIECE, end)]
            stream.write(piece.replace("'", "''") if quoted else piece)
        if fold is None:
            break
        stream.write("\n" + " " * indent)
        start, column = fold + 1, indent
    if quoted:
        stream.write("'")


def _next_fold(value: str, start: int, column: int, quoted: bool, width: int) -> int | None:
    """The space at which the emitter breaks the line that starts at `start` (at `column`), or None: the first
    space not next to another space written past `width`."""
    found = _FOLD.search(value, _past_width(value, start, column, quoted, width))
    while found is not None and quoted and found.start() in (0, len(value) - 1):
        found = _FOLD.search(value, found.start() + 1)
    return None if found is None else found.start()


def _past_width(value: str, start: int, column: int, quoted: bool, width: int) -> int:
    """The first index of `value` written past `width` on the line that starts at `start` (at `column`); in
    single quotes a quote is written twice, two columns."""
    wanted = width - column + 1  # columns written before the first character past the width
    if wanted <= 0:
        return start
    if not quoted:
        return start + wanted
    at, used = start, 0
    while True:
        quote = value.find("'", at, at + wanted - used)
        if quote < 0:
            return at + wanted - used
        used += quote - at + 2
        at = quote + 1
        if used >= wanted:
            return at


def _write_literal(stream: TextSink, value: str, indent: int) -> None:
    """A literal block: its hints, then each line indented (an empty line stays empty)."""
    hints = ("2" if value[0] in " \n" else "") + ("" if value.endswith("\n") else "-")
    stream.write("|" + hints + "\n")
    margin = "\n" + " " * indent
    start = 0
    while start < len(value):
        end = value.find("\n", min(start + _PIECE, len(value)) - 1)  # pieces end after a line end
        end = len(value) if end < 0 else end + 1
        piece = value[start:end]
        if piece[0] != "\n":
            stream.write(margin[1:])
        stream.write(_LINE_START.sub(margin, piece))
        start = end
