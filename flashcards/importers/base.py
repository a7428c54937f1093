"""What every importer returns, and the options a caller may pass."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Highlight

_WHITESPACE = re.compile(r"\s+")


@dataclass
class ImportOptions:
    """Options for importers that need them (tables name their columns)."""

    front_col: str | None = None
    back_col: str | None = None


@dataclass
class ImportResult:
    """The highlights found in one file, with warnings (file:line: ...) and skipped entries by reason."""

    format: str
    highlights: Sequence[Highlight] = field(default_factory=list)  # a list, or made as read (kindle.KindleHighlights)
    warnings: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def add(self, highlight: Highlight) -> None:
        """One more highlight found, for importers that collect them in a list."""
        if not isinstance(self.highlights, list):
            raise TypeError("these highlights are made as they are read; nothing can be added to them")
        self.highlights.append(highlight)


_JSON_START = re.compile(r'\s*(?:\{\s*(?:"|\}|$)|\[\s*(?:[{\["\]]|-?\d|true\b|false\b|null\b|$))')


def looks_like_json(text: str) -> bool:
    """Whether the text starts the way a JSON object or array does (valid or not)."""
    return _JSON_START.match(text[:4096]) is not None


def as_tag(text: str) -> str:
    """A tag from free text (a book title, a user's tag): white space becomes `_`."""
    return _WHITESPACE.sub("_", text.strip())


def one_line(text: str) -> str:
    """Free text for a source line: white space (line breaks too) collapsed to single spaces."""
    return _WHITESPACE.sub(" ", text).strip()


def first_lines(text: str, limit: int = 65536) -> list[str]:
    """The complete lines among the first `limit` characters: enough for a detector to judge by."""
    sample = text[:limit]
    if len(text) > limit and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    return sample.split("\n")


def file_label(source: str) -> str:
    """A file as cards name it: its name without the folders (`notes/week 1.md` -> `week 1.md`)."""
    return source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or source


def book_label(title: str, author: str) -> str:
    """`Title (Author)`, or whichever of the two is known."""
    title, author = one_line(title), one_line(author)
    return f"{title} ({author})" if title and author else title or author
