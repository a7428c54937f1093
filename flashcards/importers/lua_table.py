"""A reader for Lua data files: an optional `return` and one value (a table constructor, a string, a number, a
boolean, nil), with comments, as KOReader's dump() writes its settings and as people write them by hand.

It reads data and never runs anything: a name, a call, an operator or anything else that would need Lua to
evaluate is an error, as is a table nested deeper than MAX_DEPTH. Strings are Lua's byte strings: escapes
(`\\n`, `\\ddd`, `\\xXX`, `\\u{XXX}`, `\\z`, a backslash before a line end) give bytes, and the whole string is
then read as UTF-8 (an invalid byte becomes U+FFFD). A table is a LuaTable (a dict that knows its line): positional
values get the keys 1, 2, ...; a nil value leaves its key out, as in Lua. Errors are LuaSyntaxError, with the line of the problem.
"""

from __future__ import annotations

import re

MAX_DEPTH = 200
_SPACE = re.compile(r"[ \t\r\n\f\v]*")
_LONG_OPEN = re.compile(r"\[(=*)\[")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(
    r"0[xX](?:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?|\.[0-9A-Fa-f]+)(?:[pP][+-]?[0-9]+)?"
    r"|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
)
_STRINGS = {
    '"': re.compile(r'"((?:[^"\\\r\n]|\\z\s*|\\\r\n?|\\\n\r?|\\[\s\S])*)"'),
    "'": re.compile(r"'((?:[^'\\\r\n]|\\z\s*|\\\r\n?|\\\n\r?|\\[\s\S])*)'"),
}
_ESCAPE = re.compile(r"\\(?:([abfnrtv\\\"'])|(\r\n?|\n\r?)|z\s*|x([0-9A-Fa-f]{2})|([0-9]{1,3})|u\{([0-9A-Fa-f]{1,8})\}"
                     r"|([\s\S]?))")
_SIMPLE = {"a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v", "\\": b"\\",
           '"': b'"', "'": b"'"}
_KEYWORDS = {"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in", "local",
             "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}
_CONSTANTS = {"true": True, "false": False, "nil": None}
_ODD_NUMBERS = {"inf": float("inf"), "nan": float("nan")}  # what tostring() gives for them, and dump() writes


class LuaSyntaxError(ValueError):
    """The text is not a Lua value this reader accepts; `line` is where (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def loads(text: str) -> object:
    """The value a Lua data file returns. `text` is the file decoded as UTF-8 (with surrogateescape, for bytes that
    are not UTF-8: they are read back as the bytes they were)."""
    return _Reader(text).chunk()


class LuaTable(dict[object, object]):
    """A Lua table as a dict, with the line its constructor starts on (`line`)."""

    line: int = 0


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._counted = (0, 1)  # (a position, its line): lines are counted forward from the last one asked for

    # ------------------------------------------------------------------ lexing

    def line(self, pos: int | None = None) -> int:
        pos = self.pos if pos is None else pos
        known, line = self._counted
        if pos < known:
            return self.text.count("\n", 0, pos) + 1
        line += self.text.count("\n", known, pos)
        self._counted = (pos, line)
        return line

    def fail(self, message: str, pos: int | None = None) -> LuaSyntaxError:
        return LuaSyntaxError(self.line(pos), message)

    def skip(self) -> None:
        """White space and comments."""
        text = self.text
        while True:
            self.pos = _SPACE.match(text, self.pos).end()  # type: ignore[union-attr]  # (matches the empty string)
            if not text.startswith("--", self.pos):
                return
            start = self.pos
            opened = _LONG_OPEN.match(text, self.pos + 2)
            if opened:
                end = text.find(f"]{opened.group(1)}]", opened.end())
                if end < 0:
                    raise self.fail("unfinished long comment (the file ends inside it)", start)
                self.pos = end + len(opened.group(1)) + 2
            else:
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos: self.pos + 1]

    def expect(self, char: str, what: str, opened: int | None = None) -> None:
        if self.peek() != char:
            raise self.unexpected(what, opened)
        self.pos += 1

    def unexpected(self, what: str, opened: int | None = None) -> LuaSyntaxError:
        if self.pos >= len(self.text):
            where = f" (the table opened at line {self.line(opened)} is not closed)" if opened is not None else ""
            return self.fail(f"the file ends where {what} should be{where}")
        found = self.text[self.pos: self.pos + 12].split("\n")[0]
        return self.fail(f"{what} expected, found {found!r}")

    # ------------------------------------------------------------------ grammar

    def chunk(self) -> object:
        self.skip()
        if self.text.startswith("return", self.pos) and not _NAME.match(self.text, self.pos + 6):
            self.pos += 6
        value = self.value(0)
        if self.peek() == ";":
            self.pos += 1
        if self.peek():
            raise self.unexpected("the end of the file")
        return value

    def value(self, depth: int) -> object:
        char = self.peek()
        text, pos = self.text, self.pos
        if char == "{":
            return self.table(depth + 1)
        if char in ('"', "'"):
            return self.quoted(char)
        if char == "[":
            opened = _LONG_OPEN.match(text, pos)
            if opened:
                return self.long_string(opened)
        if char == "-":
            self.pos += 1
            self.skip()
            number = self.number()
            if number is None:
                name = _NAME.match(self.text, self.pos)
                if not name or name.group() not in _ODD_NUMBERS:
                    raise self.unexpected("a number after '-'")
                self.pos = name.end()
                number = _ODD_NUMBERS[name.group()]
            return -number
        number = self.number()
        if number is not None:
            return number
        name = _NAME.match(text, pos)
        if name:
            word = name.group()
            if word in _CONSTANTS:
                self.pos = name.end()
                return _CONSTANTS[word]
            if word in _ODD_NUMBERS:
                self.pos = name.end()
                return _ODD_NUMBERS[word]
            raise self.fail(f"{word!r} is a name, not data: this reader runs nothing")
        raise self.unexpected("a value")

    def number(self) -> int | float | None:
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            return None
        after = match.end()
        if after < len(self.text) and (self.text[after].isalnum() or self.text[after] in "_."):
            raise self.fail(f"malformed number near {self.text[match.start(): after + 1]!r}")
        self.pos = after
        token = match.group()
        if token[:2] in ("0x", "0X"):
            if "." in token or "p" in token.lower():
                mantissa = token if "p" in token.lower() else token + "p0"
                return float.fromhex(mantissa)
            return int(token, 16)
        if "." in token or "e" in token.lower():
            return float(token)
        return int(token)

    def quoted(self, quote: str) -> str:
        match = _STRINGS[quote].match(self.text, self.pos)
        if not match:
            end = self.text.find("\n", self.pos)
            raise self.fail("unfinished string (it runs to the end of its line)" if end >= 0 else
                            "unfinished string (the file ends inside it)")
        body = match.group(1)
        self.pos = match.end()
        if "\\" not in body:
            return _text(body.encode("utf-8", "surrogateescape"))
        return _text(self.unescape(body, match.start(1)))

    def unescape(self, body: str, start: int) -> bytes:
        out = bytearray()
        last = 0
        for escape in _ESCAPE.finditer(body):
            out += body[last: escape.start()].encode("utf-8", "surrogateescape")
            last = escape.end()
            simple, line_end, hexa, decimal, code, other = escape.groups()
            if simple:
                out += _SIMPLE[simple]
            elif line_end:
                out += b"\n"
            elif hexa:
                out.append(int(hexa, 16))
            elif decimal:
                if int(decimal) > 255:
                    raise self.fail(f"escape '\\{decimal}' is too large (a byte is at most 255)", start + escape.start())
                out.append(int(decimal))
            elif code:
                if int(code, 16) > 0x7FFFFFFF:
                    raise self.fail("UTF-8 value too large in '\\u{...}'", start + escape.start())
                out += chr(min(int(code, 16), 0x10FFFF)).encode("utf-8", "surrogatepass")
            elif other is None:
                pass  # \z: the white space after it is skipped
            else:
                raise self.fail(f"invalid escape '\\{other}' in a string", start + escape.start())
        out += body[last:].encode("utf-8", "surrogateescape")
        return bytes(out)

    def long_string(self, opened: re.Match[str]) -> str:
        close = f"]{opened.group(1)}]"
        end = self.text.find(close, opened.end())
        if end < 0:
            raise self.fail("unfinished long string (the file ends inside it)")
        body = self.text[opened.end(): end]
        if body.startswith(("\r\n", "\n\r")):
            body = body[2:]
        elif body[:1] in ("\n", "\r"):
            body = body[1:]
        self.pos = end + len(close)
        return _text(body.encode("utf-8", "surrogateescape"))

    def table(self, depth: int) -> LuaTable:
        if depth > MAX_DEPTH:
            raise self.fail(f"tables nested more than {MAX_DEPTH} deep")
        opened = self.pos
        self.pos += 1  # '{'
        result = LuaTable()
        result.line = self.line(opened)
        index = 0
        while True:
            char = self.peek()
            if char == "}":
                self.pos += 1
                return result
            if not char:
                raise self.unexpected("'}'", opened)
            key: object
            if char == "[" and not _LONG_OPEN.match(self.text, self.pos):
                self.pos += 1
                key_at = self.pos
                key = self.value(depth)
                self.expect("]", "']'", opened)
                self.expect("=", "'='", opened)
                key = _key(key, self, key_at)
                value = self.value(depth)
            else:
                name = _NAME.match(self.text, self.pos)
                after = _SPACE.match(self.text, name.end()).end() if name else 0  # type: ignore[union-attr]
                if name and name.group() not in _KEYWORDS and self.text.startswith("=", after) \
                        and not self.text.startswith("==", after):
                    self.pos = after + 1
                    key = name.group()
                    value = self.value(depth)
                else:
                    index += 1
                    key = index
                    value = self.value(depth)
            if value is None:
                result.pop(key, None)
            else:
                result[key] = value
            char = self.peek()
            if char in (",", ";"):
                self.pos += 1
            elif char != "}":
                raise self.unexpected("',' or '}'", opened)


def _key(key: object, reader: _Reader, pos: int) -> object:
    if key is None:
        raise reader.fail("a table key is nil", pos)
    if isinstance(key, float):
        if key != key:
            raise reader.fail("a table key is NaN", pos)
        if key.is_integer():
            return int(key)
    return key


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")
