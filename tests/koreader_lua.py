"""Writing KOReader's metadata.*.lua from Python, byte for byte as KOReader does (frontend/dump.lua with ordered
keys, run by LuaJIT, behind util.writeToFile's "-- path\\nreturn " line): for tests that need files the fixtures
do not have. tests/test_import_koreader.py checks it against the fixtures that KOReader's own dump.lua wrote."""

from __future__ import annotations

import functools
import math
from pathlib import Path

INDENT = "    "


def lua_string(text: str | bytes) -> str:
    """string.format("%q", s) as LuaJIT writes it: `"`, `\\` and a newline after a backslash, other control
    characters as decimal escapes (three digits when a digit follows), everything else (UTF-8) as it is."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    out = bytearray(b'"')
    for index, byte in enumerate(data):
        if byte in b'"\\\n':
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte == 127:
            following = data[index + 1: index + 2]
            out += (b"\\%03d" if following.isdigit() else b"\\%d") % byte
        else:
            out.append(byte)
    out += b'"'
    return out.decode("utf-8", "surrogateescape")


def lua_number(value: int | float) -> str:
    """tostring(number) in LuaJIT: integers as they are, other numbers as %.14g (inf, -inf, nan)."""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return "nan"
        return f"{value:.14g}"
    return str(value)


def _tostring(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return lua_number(value)
    return str(value)


def _ordered(a: object, b: object) -> int:
    """util.orderedPairs' order: keys of one Lua type compared with <, others by tostring()."""
    def kind(value: object) -> str:
        return "boolean" if isinstance(value, bool) else "number" if isinstance(value, int | float) else "string"
    if kind(a) == kind(b) != "boolean":
        return (a > b) - (a < b)  # type: ignore[operator]
    left, right = _tostring(a), _tostring(b)
    return (left > right) - (left < right)


def dump(value: object, indent: int = 0) -> str:
    """dump(value, nil, true)."""
    if isinstance(value, dict):
        parts = ["{"]
        for key in sorted(value, key=functools.cmp_to_key(_ordered)):
            parts += ["\n", INDENT * (indent + 1), "[", dump(key, indent + 1), "] = ", dump(value[key], indent + 1), ","]
        if value:
            parts += ["\n", INDENT * indent]
        parts.append("}")
        return "".join(parts)
    if isinstance(value, list):
        return dump({index: item for index, item in enumerate(value, 1)}, indent)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return lua_number(value)
    if isinstance(value, str | bytes):
        return lua_string(value)
    if value is None:
        return "nil"
    raise TypeError(f"no Lua form for {value!r}")


def metadata_file(device_path: str, settings: dict) -> str:
    """The whole file as util.writeToFile(dump(settings, nil, true), path, true, true) writes it."""
    return f"-- {device_path}\nreturn {dump(settings)}\n"


def write_metadata(path: Path, settings: dict, device_path: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(metadata_file(device_path or f"/mnt/onboard/{path.parent.name}/{path.name}", settings)
                     .encode("utf-8", "surrogateescape"))
    return path
