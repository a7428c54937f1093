"""Text for the terminal: control characters made visible, and line breaking that knows Chinese and Japanese.

rich breaks lines at spaces and, in text without spaces, anywhere; that splits Latin words in Chinese text
("为什么A" / "I进步") and starts lines with "。". `wrap` breaks between CJK characters and at spaces, keeps
Latin words whole (unless a word alone is wider than the line), never starts a line with closing punctuation
and never ends one with opening punctuation (the basic kinsoku rules). Widths are terminal cells.
"""

from __future__ import annotations

import re
import unicodedata

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

# may not start a line (closing brackets, stops, small kana, iteration and prolongation marks)
NO_START = frozenset(
    "、。，．,.：:；;！!？?）)］]｝}〕〉》」』】〙〗〟’”»›…‥・ー々ゝゞヽヾ〻"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ％%‰℃°゛゜"
)
# may not end a line (opening brackets and quotes)
NO_END = frozenset("（(［[｛{〔〈《「『【〘〖〝‘“«‹")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TAB = "    "


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL, ...
    if code == 0x7F:
        return "␡"
    return f"<{code:02X}>"  # C1 controls (CSI, OSC as one byte) have no picture


def visible(text: str) -> str:
    """Text safe to write to a terminal: newlines kept, tabs as spaces, every other control character
    (ESC, BEL, CR, C1 controls, ...) replaced by a visible stand-in such as "␛", so card text can never
    move the cursor, set the title, write the clipboard or hide links."""
    return _CONTROL.sub(_picture, text.replace("\r\n", "\n").replace("\t", TAB))


def _breaks_anywhere(char: str) -> bool:
    """A character that forms a unit of its own (CJK ideographs, kana, full-width forms, emoji)."""
    if char in NO_START or char in NO_END:
        return unicodedata.east_asian_width(char) in "WF"
    return cell_len(char) == 2 and not _HANGUL.match(char)


def _atoms(paragraph: str) -> list[tuple[str, str]]:
    """The paragraph as (spaces before, unbreakable piece), kinsoku pieces glued to their neighbours."""
    atoms: list[list[str]] = []  # [spaces before, text]
    spaces = ""
    glue_next = False  # the previous piece ends with opening punctuation: the next piece joins it
    word = False  # the last piece is a Latin word still growing
    for char in paragraph:
        if char.isspace():
            spaces += char
            word = False
            continue
        unit = _breaks_anywhere(char)
        if atoms and atoms[-1][1] and (char in NO_START or cell_len(char) == 0):
            atoms[-1][1] += spaces + char  # closing punctuation and combining marks stay with what they follow
            word = word and not unit and not spaces
        elif atoms and atoms[-1][1] and (glue_next or (word and not unit and not spaces)):
            atoms[-1][1] += spaces + char  # as does what follows opening punctuation
            word = not unit
        else:
            atoms.append([spaces, char])
            word = not unit
        spaces = ""
        glue_next = char in NO_END
    if spaces and atoms:
        atoms.append([spaces, ""])
    return [(before, text) for before, text in atoms]


def _fold(text: str, width: int) -> list[str]:
    """A piece wider than the line, cut at a space inside it when one fits (punctuation glued across a
    space), else by cells (the only place a word is ever split), still never before closing punctuation
    where an earlier cut is possible."""
    pieces: list[str] = []
    while cell_len(text) > width:
        cut = 1
        while cut < len(text) and cell_len(text[: cut + 1]) <= width:
            cut += 1
        space = text.rfind(" ", 1, cut + 1)
        if space > 0 and text[:space].strip():
            cut = space
        while cut > 1 and text[cut] in NO_START:
            cut -= 1
        pieces.append(text[:cut].rstrip(" "))
        text = text[cut:].lstrip(" ")  # a space at the cut is the break itself (punctuation after a space)
    return [*pieces, text] if text else pieces


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells (hard newlines kept; spaces at a break dropped)."""
    width = max(width, 2)
    lines: list[str] = []
    for paragraph in visible(text).split("\n"):
        line = ""
        atoms = _atoms(paragraph)
        if atoms and not atoms[0][1]:  # only spaces
            atoms = []
        for index, (spaces, piece) in enumerate(atoms):
            lead = spaces if line or index == 0 else ""
            if cell_len(line + lead + piece) <= width:
                line += lead + piece
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            if cell_len(piece) > width:
                *full, line = _fold(piece, width)
                lines.extend(full)
            else:
                line = piece
        lines.append(line.rstrip())
    return lines


class Wrapped:
    """A rich renderable: text made `visible` and broken into lines by `wrap` at the width it is drawn in."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(wrap(self.text, options.max_width)), style=self.style, no_wrap=True, overflow="crop")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = wrap(self.text, options.max_width)
        return Measurement(1, max((cell_len(line) for line in lines), default=1))


__all__ = ["NO_END", "NO_START", "Wrapped", "visible", "wrap"]
