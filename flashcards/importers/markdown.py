"""Markdown reading notes: each `> ` blockquote is a passage, the paragraphs after it (up to the next
blockquote or heading) its commentary. Headings, rules, front matter and text before the first quote are ignored.
"""

from __future__ import annotations

import re

from ..model import Highlight
from .base import ImportOptions, ImportResult, file_label, first_lines

NAME = "markdown"
_QUOTE = re.compile(r" {0,3}> ?")
_HEADING = re.compile(r" {0,3}#{1,6}(?:\s|$)")
_RULE = re.compile(r" {0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_BLANK_RUNS = re.compile(r"\n{3,}")
WARNED_BARE_QUOTES = 10  # quotes without commentary warned of one by one; those after them are counted


def detect(text: str) -> float:
    """Likely when some line starts a `>` blockquote."""
    return 0.6 if any(_QUOTE.match(line) for line in first_lines(text)) else 0.0


class _Notes:
    """The passage being read and its commentary, until the next quote or heading closes them."""

    def __init__(self, source: str, result: ImportResult) -> None:
        self.source, self.result = source, result
        self.quote: list[str] = []
        self.comment: list[str] = []
        self.line = 0
        self.bare = 0  # quotes without commentary so far

    def close(self) -> None:
        if self.line:
            front = _BLANK_RUNS.sub("\n\n", "\n".join(self.quote)).strip()
            back = _BLANK_RUNS.sub("\n\n", "\n".join(line.rstrip() for line in self.comment)).strip()
            if front:
                where = f"{file_label(self.source)}:{self.line}"
                self.result.add(Highlight(front, back, where, (), self.line))
                if not back:
                    self.bare += 1
                    if self.bare <= WARNED_BARE_QUOTES:  # (as pairs warns of a last passage alone)
                        self.result.warnings.append(
                            f"{self.source}:{self.line}: passage has no commentary; its card has an empty back")
            else:
                self.result.skipped["empty quote"] += 1
        self.quote, self.comment, self.line = [], [], 0


def parse(text: str, source: str, options: ImportOptions) -> ImportResult:
    """One highlight per blockquote, its commentary the text that follows it."""
    result = ImportResult(NAME)
    notes = _Notes(source, result)
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":  # YAML front matter
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        start = end + 1 if end is not None else 0
    state = "outside"  # outside | quote | after quote | comment
    fence = ""
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if fence:
            if state == "comment":
                notes.comment.append(line)
            if line.strip().startswith(fence):
                fence = ""
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            if state in ("after quote", "comment", "quote"):
                state = "comment"
                notes.comment.append(line)
            continue
        quoted = _QUOTE.match(line)
        if quoted:
            if state != "quote":
                notes.close()
                notes.line = number
                state = "quote"
            notes.quote.append(line[quoted.end():])
        elif _HEADING.match(line) or _RULE.match(line):
            notes.close()
            state = "outside"
        elif not line.strip():
            if state == "quote":
                state = "after quote"
            elif state == "comment":
                notes.comment.append("")
        elif state != "outside":
            state = "comment"
            notes.comment.append(line)
    notes.close()
    if notes.bare > WARNED_BARE_QUOTES:
        result.warnings.append(f"{source}: {notes.bare - WARNED_BARE_QUOTES} more passages have no commentary; "
                               "their cards have empty backs")
    return result
