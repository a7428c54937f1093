"""The text under a PDF annotation's quadrilaterals: every glyph is placed on the page (from the text and
transformation matrices pypdf's extraction visitor reports, and the font's widths), and the glyphs whose centre
falls inside a quad are kept, whole words at a time. Pure geometry over pypdf's page object; no file access."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

Quad = tuple[float, float, float, float]  # x_min, y_min, x_max, y_max in page space
_NARROW = set("ijlt.,;:!'|fr()[] ")
_WIDE = set("mwMW@")


@dataclass
class Glyph:
    char: str
    x0: float
    x1: float
    y: float  # baseline
    height: float
    chunk: int  # which show-text chunk it came from (words never span chunks)


def _multiply(a: list[float], b: list[float]) -> list[float]:
    """The product of two PDF matrices [a b c d e f] (a point is transformed by `a`, then by `b`)."""
    return [
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def is_wide(char: str) -> bool:
    """Whether a character is full width (Chinese, Japanese, Korean): it is a word of its own."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _estimate(char: str) -> float:
    """A width in 1/1000 em for a font whose widths are unknown (close to Helvetica's)."""
    if is_wide(char):
        return 1000.0
    if char in _NARROW:
        return 278.0
    if char in _WIDE:
        return 833.0
    return 667.0 if char.isupper() else 556.0


class _Widths:
    """Character widths per font dictionary: pypdf's own font metrics where it has them, else an estimate."""

    def __init__(self) -> None:
        self._fonts: dict[int, dict[str, float]] = {}

    def of(self, font: Any) -> dict[str, float]:
        key = id(font)
        if key not in self._fonts:
            self._fonts[key] = _font_widths(font)
        return self._fonts[key]


def _font_widths(font: Any) -> dict[str, float]:
    if font is None:
        return {}
    try:  # pypdf's font reader (core 14 metrics, /Widths, CID widths); its module is private, so guarded
        from pypdf.generic._font import Font

        widths = Font.from_font_resource(font).character_widths
        return {char: float(value) for char, value in widths.items() if isinstance(char, str)}
    except Exception:
        return {}


def page_glyphs(page: Any) -> list[Glyph]:
    """Every glyph pypdf extracts from the page, placed in page space."""
    glyphs: list[Glyph] = []
    widths = _Widths()
    chunk = 0

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        nonlocal chunk
        if not text or text.isspace() or not size:
            return
        chunk += 1
        matrix = _multiply([float(v) for v in tm], [float(v) for v in cm])
        scale_x = math.hypot(matrix[0], matrix[1]) or 1.0
        scale_y = math.hypot(matrix[2], matrix[3]) or 1.0
        table = widths.of(font)
        default = table.get("default") or 0.0
        x, y = matrix[4], matrix[5]
        for char in text:
            if char in "\r\n":
                continue
            width = (table.get(char) or default or _estimate(char)) / 1000 * float(size) * scale_x
            glyphs.append(Glyph(char, x, x + width, y, float(size) * scale_y, chunk))
            x += width

    page.extract_text(visitor_text=visit)
    return glyphs


def quads(annotation: Any) -> list[Quad]:
    """An annotation's quadrilaterals as boxes (its /QuadPoints, else its /Rect)."""
    points = annotation.get("/QuadPoints")
    boxes = []
    try:
        values = [float(value) for value in points] if points is not None else []
    except (TypeError, ValueError):
        values = []
    for start in range(0, len(values) - 7, 8):
        xs, ys = values[start:start + 8:2], values[start + 1:start + 8:2]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    if not boxes:
        rect = annotation.get("/Rect")
        try:
            x0, y0, x1, y1 = (float(value) for value in rect)
            boxes.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        except (TypeError, ValueError):
            pass
    return boxes


def _inside(glyph: Glyph, box: Quad) -> bool:
    centre_x = (glyph.x0 + glyph.x1) / 2
    middle_y = glyph.y + glyph.height * 0.3  # half the height of a lower-case letter above the baseline
    slack = glyph.height * 0.2
    return box[0] <= centre_x <= box[2] and box[1] - slack <= middle_y <= box[3] + slack


def text_in(glyphs: list[Glyph], boxes: list[Quad]) -> str:
    """The text whose glyphs lie inside the boxes, whole words (a word counts when half its letters are in)."""
    inside = [any(_inside(glyph, box) for box in boxes) for glyph in glyphs]
    start = 0
    while start < len(glyphs):  # snap to words: runs of letters in one chunk, CJK characters one by one
        end = start + 1
        if not glyphs[start].char.isspace() and not is_wide(glyphs[start].char):
            while (end < len(glyphs) and glyphs[end].chunk == glyphs[start].chunk
                   and not glyphs[end].char.isspace() and not is_wide(glyphs[end].char)):
                end += 1
            keep = sum(inside[start:end]) * 2 >= end - start
            inside[start:end] = [keep] * (end - start)
        start = end
    parts: list[str] = []
    last = -1
    for index, (glyph, kept) in enumerate(zip(glyphs, inside, strict=True)):
        if not kept:
            continue
        previous = glyphs[last] if last >= 0 else None
        apart = index != last + 1 or (previous is not None and glyph.chunk != previous.chunk)
        if previous is not None and apart and not (is_wide(glyph.char) and is_wide(previous.char)):
            parts.append(" ")  # a new line or a gap: a word break, except between CJK characters
        parts.append(glyph.char)
        last = index
    return " ".join("".join(parts).split())
