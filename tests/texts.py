"""Text that breaks naive YAML, HTML or terminal handling: shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

YAML_TRAPS = st.sampled_from([
    "yes", "no", "on", "off", "null", "~", "NULL", "0x1F", "0o17", "1e3", ".inf", "-.nan", "2001-12-14",
    ": ", "- ", "#", " # not a comment", "key: value", "- item", "  leading spaces", "trailing spaces  ",
    "\ttab", "a\tb", "😀 emoji 🧠", "שלום עולם", "مرحبا", "\u202eright-to-left override", "\x07bell",
    "\x1b[31mred", "line\nbreak", "\n\nleading newlines", "trailing newline\n", "crlf\r\nline", "\u2028sep",
    "\x85nel", "'quoted'", '"double"', "{flow: map}", "[flow, seq]", "&anchor", "*alias", "!tag", "%directive",
    "|", ">", "---", "...", "@at", "`backtick`", "\\backslash", "\ufeffbom", "\x00nul", "\ud7ff", "\uffff",
])
