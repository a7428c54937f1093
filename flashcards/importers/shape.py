"""What a text is made of, judged by its structure: a markup document (a web page, XML, an SVG) or source code
(a Python or Lua file), as opposed to lines of prose that quote a tag or a line of code here and there."""

from __future__ import annotations

import re

from .base import first_lines

_SAMPLE_LINES = 400  # non-blank lines judged
_DECLARATION = re.compile(r"\s*<(?:\?xml[\s?]|!doctype\s)", re.IGNORECASE)
_ROOT = re.compile(r"\s*(?:<!--.*?-->\s*)*<([A-Za-z][\w:.-]*)[\s/>]", re.DOTALL)
_TAG_LINE = re.compile(r"\s*<(?:[A-Za-z/!?]).*>\s*$")  # a line that is a tag (or tags) from end to end

# Lines that prose does not look like, each with the language it is typical of ("" for many).
_CODE_LINES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((language, re.compile(pattern)) for language, pattern in (
    ("Python", r"^\s*(?:async\s+)?def\s+\w+\s*\(.*$|^\s*class\s+\w+.*:\s*(?:#.*)?$"),
    ("Python", r"^\s*(?:import\s+[\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+)*|from\s+[\w.]+\s+import\s+.+)\s*$"),
    ("Python", r"^\s*(?:if|elif|while|for|with|try|except|else|finally)\b[^.!?]*:\s*(?:#.*)?$"),
    ("Python", r"^\s*@[\w.]+(?:\(.*\))?\s*$|^\s*(?:pass|self\.\w+.*)$|^\s*(?:'''|\"\"\")"),
    ("Lua", r"^\s*local\s+\w+|^\s*(?:local\s+)?function\b|\bthen\s*(?:--.*)?$|^\s*(?:end|until\b.*|repeat)[\s),;]*$"),
    ("Lua", r"^\s*--|^\s*\[(?:\"(?:[^\"\\]|\\.)*\"|-?\d+)\]\s*=|^\s*return\s*\{"),
    ("C", r"^\s*#\s*(?:include|define|ifn?def|endif|pragma)\b"),
    ("JavaScript", r"^\s*(?:const|let|var|export|import)\s+[\w{*\[]|=>\s*\{?\s*$"),
    ("shell", r"^#!|^\s*(?:fi|esac|done)\s*$|^\s*(?:echo|export|cd|set)\s+\S"),
    ("", r"[;{]\s*(?://.*)?$|^\s*[})\]]+[;,)]*\s*$|^\s*//|^\s*/\*|^\s+\*(?:\s|/)"),
    ("", r"^\s*[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*(?:=|<-|:=|\+=|-=|\|\|=)\s*\S"),
    ("", r"^\s*return\b|^\s*#(?!#)\S|^\s*[\w.]+\([^()]*\)\s*[;,]?\s*$|^\s*(?:\w+\s*,\s*)*\w+\s*=\s*$"),
))


def _sample(text: str) -> list[str]:
    lines = [line for line in first_lines(text, 65536) if line.strip()]
    return lines[:_SAMPLE_LINES]


def markup_document(text: str) -> bool:
    """Whether the text is a document made of markup: it opens with a declaration or doctype, or is one root
    element (its first tag's element closed where the text ends: a web page, an SVG, minified XML), or most of
    its lines are tags. Prose that contains a few tags, even at its start (`<script>alert('x')</script> is a
    tag`), is not."""
    start = text.lstrip("\ufeff")
    if _DECLARATION.match(start):
        return True
    lines = _sample(start)
    tags = sum(1 for line in lines if _TAG_LINE.match(line))
    if tags >= 2 and tags * 2 >= len(lines):
        return True
    root = _ROOT.match(start)
    if root is None:
        return False
    closed = re.search(rf"</{re.escape(root.group(1))}\s*>\s*$", start[-4096:], re.IGNORECASE)
    return closed is not None and (len(lines) <= 3 or tags * 10 >= len(lines) * 3)


def source_code(text: str) -> str | None:
    """The language the text is written in when it is source code (most of its lines are code: definitions,
    imports, assignments, blocks, comments), e.g. "Python" or "Lua" ("" when it cannot tell which); None for
    prose, even prose that quotes a line of code (`x <- f(g)`)."""
    lines = _sample(text)
    if not lines:
        return None
    votes: dict[str, int] = {}
    code = 0
    for line in lines:
        matched = [language for language, pattern in _CODE_LINES if pattern.search(line)]
        if matched:
            code += 1
            for language in set(matched):
                if language:
                    votes[language] = votes.get(language, 0) + 1
    shebang = lines[0].startswith("#!")
    if not shebang and (code < 4 or code < 0.6 * len(lines)):
        return None
    if shebang and "python" in lines[0]:
        return "Python"
    return max(votes, key=lambda language: votes[language]) if votes else ""
