"""Every encoding and line-end variant of the seeds' format converts to the same cards."""

from __future__ import annotations

import codecs

import pytest

from flashcards.errors import FlashcardsError
from flashcards.importers import import_file

PAIRS = [
    ("The map is not the territory.", "地图不是疆域本身：模型永远只是近似。"),
    ("To be is to be perceived.", "存在就是被感知——贝克莱的观点。"),
    ("物の哀れ", "日本美学：对事物无常的感伤。"),
]


def _text(newline: str = "\n", blank_between: bool = False) -> str:
    lines = []
    for front, back in PAIRS:
        lines += [front, back] + ([""] if blank_between else [])
    return newline.join(lines) + newline


VARIANTS = {
    "utf8": _text().encode("utf-8"),
    "utf8-bom": codecs.BOM_UTF8 + _text().encode("utf-8"),
    "crlf": _text("\r\n").encode("utf-8"),
    "crlf-bom-blank-lines": codecs.BOM_UTF8 + _text("\r\n", blank_between=True).encode("utf-8"),
    "blank-lines": _text(blank_between=True).encode("utf-8"),
    "utf16-le-bom": codecs.BOM_UTF16_LE + _text("\r\n").encode("utf-16-le"),
    "utf16-be-bom": codecs.BOM_UTF16_BE + _text().encode("utf-16-be"),
    "gb18030": _text("\r\n").encode("gb18030"),
    "old-mac-cr": _text("\r").encode("utf-8"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_encoding_and_line_end_gives_the_same_pairs(tmp_path, variant):
    path = tmp_path / f"{variant}.txt"
    path.write_bytes(VARIANTS[variant])
    result = import_file(path, path.name)
    assert [(h.front, h.back) for h in result.highlights] == PAIRS
    assert not result.warnings


def test_gb18030_is_not_mistaken_for_utf8(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("被感知\n存在".encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert import_file(path, "gbk.txt").highlights[0].front == "被感知"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "an image (PNG), not text"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00", "binary data, not a text export"),
        (b"", "file is empty"),
        (b"  \n\r\n\t\n", "file is empty"),
        (codecs.BOM_UTF8, "file is empty"),
        (codecs.BOM_UTF8 + b"caf\xe9 \xff\xfe\xfd", "not valid UTF-8"),
    ],
)
def test_unreadable_input_is_one_clear_error_naming_the_file(tmp_path, data, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(FlashcardsError) as error:
        import_file(path, "exports/bad.txt")
    assert str(error.value).startswith("exports/bad.txt: ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_last_passage_without_commentary_becomes_card_with_empty_back_and_a_warning(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_text("First passage\nFirst note\n\nLonely passage\n", encoding="utf-8")
    result = import_file(path, "odd.txt")
    assert [(h.front, h.back) for h in result.highlights] == [("First passage", "First note"), ("Lonely passage", "")]
    assert result.warnings == ["odd.txt:4: last passage has no commentary; its card has an empty back"]
