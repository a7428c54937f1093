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
    "utf16-le-no-bom": _text("\r\n").encode("utf-16-le"),
    "utf16-be-no-bom": _text().encode("utf-16-be"),
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


# Chinese notes: few characters below U+0100 (the line ends, the odd digit), so few zero bytes in UTF-16; and
# some characters' low byte is zero (一 is U+4E00), on the other side from the line ends'.
CHINESE = [(f"第{index}段：一切有为法，如梦幻泡影，如露亦如电{'一' * (index % 3)}",
            f"评论{index}：应作如是观。万物皆流，无物常驻，一念之间。") for index in range(40)]


def _chinese(newline: str = "\n") -> str:
    return "".join(f"{front}{newline}{back}{newline}{newline}" for front, back in CHINESE)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_chinese_in_utf16_without_a_byte_order_mark_is_read(tmp_path, encoding, newline):
    path = tmp_path / "notes.txt"
    path.write_bytes(_chinese(newline).encode(encoding))
    result = import_file(path, "notes.txt")
    assert [(h.front, h.back) for h in result.highlights] == CHINESE


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_large_utf16_file_without_a_byte_order_mark_is_read_as_the_same_file_with_one(tmp_path, encoding):
    from flashcards.importers import stream

    text = _chinese() * 300 + "".join(f"passage {index}\nnote {index}\n" for index in range(20_000))
    bare, marked = tmp_path / "bare.txt", tmp_path / "marked.txt"
    bare.write_bytes(text.encode(encoding))
    marked.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    lines = stream.open_lines(bare, "bare.txt")
    assert lines is not None  # streamed, as the marked one is
    stream.close_lines(lines)
    assert import_file(bare, "x.txt").highlights == import_file(marked, "x.txt").highlights


def test_utf16_without_a_byte_order_mark_converts_through_the_cli(tmp_path, cli):
    path = tmp_path / "bare.txt"
    path.write_bytes(_chinese().encode("utf-16-be"))
    result = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert result.code == 0, result.stderr
    assert "bare.txt: pairs, 40 cards added" in result.stdout


@pytest.mark.parametrize("data", [
    bytes(range(1, 200)) * 40,  # bytes counting up: zeros nowhere
    b"".join(index.to_bytes(2, "little") for index in range(3000)),  # small numbers, 16 bits each: zeros on one side
    b"\x00\x00\x00\x01" * 1000,  # 32-bit numbers
    b"\x01\x00\x02\x00" * 1000,  # zeros on one side; control characters in either byte order
    ("A passage line, then its note. " * 40 + "\n").encode("utf-8") * 2 + b"\x00",  # UTF-8 text with a NUL
    _chinese().encode("gb18030")[:501] + b"\x00" + _chinese().encode("gb18030")[501:],  # GB18030 with a NUL
])
def test_binary_data_with_zero_bytes_is_still_refused(tmp_path, data):
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    with pytest.raises(FlashcardsError, match=r"^blob\.bin: binary data, not a text export; "):
        import_file(path, "blob.bin")
