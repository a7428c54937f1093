"""Choosing an importer by content: every sample export is recognised, the encodings textio reads reach every
format, --format overrides detection, and text that fits no format is one clear error."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from flashcards.errors import FlashcardsError
from flashcards.files.textio import read_text
from flashcards.importers import FORMATS, detect_format, import_file
from flashcards.importers.kindle import SEPARATOR

FIXTURES = Path(__file__).parent / "fixtures" / "import"

# sample file -> (the module that detection picks, the format the result reports)
SAMPLES = {
    "kindle_en.txt": ("kindle", "kindle"),
    "kindle_zh.txt": ("kindle", "kindle"),
    "hypothesis_api.json": ("hypothesis", "hypothesis"),
    "hypothesis_export.json": ("hypothesis", "hypothesis"),
    "readwise.csv": ("readwise", "readwise"),
    "notes.md": ("markdown", "markdown"),
    "cards.csv": ("csv", "csv"),
    "plain.csv": ("csv", "csv"),
    "words.tsv": ("csv", "tsv"),
}


def _summary(result):
    return [(h.front, h.back, h.source, h.tags, h.line) for h in result.highlights], dict(result.skipped)


def test_every_sample_has_an_expected_format():
    assert sorted(SAMPLES) == sorted(path.name for path in FIXTURES.iterdir())


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_is_detected_by_its_content(name):
    module, reported = SAMPLES[name]
    text = read_text(FIXTURES / name)
    detected = detect_format(text, name).NAME
    assert detected == module
    result = import_file(FIXTURES / name, name)
    assert result.format == reported
    assert result.highlights


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_detection_does_not_depend_on_the_file_name(tmp_path, name):
    copy = tmp_path / "export.txt"
    copy.write_bytes((FIXTURES / name).read_bytes())
    assert import_file(copy, "export.txt").format == SAMPLES[name][1]


def test_a_readwise_export_is_readwise_though_it_is_also_a_valid_table():
    text = read_text(FIXTURES / "readwise.csv")
    assert FORMATS["csv"].detect(text) > FORMATS["pairs"].detect(text) > 0
    assert FORMATS["readwise"].detect(text) > FORMATS["csv"].detect(text)


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda path: path.name)
def test_the_seeds_are_still_pairs(seed):
    detected = detect_format(read_text(seed), seed.name).NAME
    assert detected == "pairs"


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "settings", "items": [1, 2, 3]}',
        "[1, 2, 3]\n",
        '[{"title": "not an annotation"}]',
        "[]",
    ],
)
def test_json_that_is_no_hypothesis_export_is_refused_naming_the_formats(tmp_path, text):
    path = tmp_path / "data.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FlashcardsError) as error:
        import_file(path, "in/data.json")
    assert str(error.value).startswith("in/data.json: JSON that is not a Hypothesis export; ")
    assert "(formats read: Kindle clippings or notebook export, Kobo KoboReader.sqlite, PDF highlights, " in str(error.value)


def test_broken_json_is_one_error_naming_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "rows": [\n    {"uri": "https://example.org", "text": "a"\n    {"uri": "b"}\n  ]\n}\n', "utf-8")
    with pytest.raises(FlashcardsError) as error:
        import_file(path, "broken.json")
    assert str(error.value) == "broken.json:4: not valid JSON: Expecting ',' delimiter (column 5)"


def test_format_option_overrides_detection(tmp_path):
    forced = import_file(FIXTURES / "kindle_zh.txt", "zh.txt", "pairs")
    assert forced.format == "pairs"
    assert forced.highlights[0].front == "人类简史：从动物到上帝 (尤瓦尔·赫拉利)"
    # "tsv" is another name for the table importer
    as_tsv = import_file(FIXTURES / "words.tsv", "words.tsv", "tsv")
    assert [(h.front, h.back) for h in as_tsv.highlights] == [("物の哀れ", "the pathos of things"),
                                                              ("一期一会", "once in a lifetime")]


def test_an_unknown_format_names_the_known_ones():
    with pytest.raises(FlashcardsError) as error:
        import_file(FIXTURES / "notes.md", "notes.md", "obsidian")
    assert str(error.value) == (
        "unknown format 'obsidian' (known: kindle, kindle-notebook, kobo, koreader, apple-books, zotero, pdf, hypothesis, "
        "readwise, markdown, csv, pairs, tsv)"
    )


ENCODINGS = {
    "utf8-bom-crlf": lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"),
    "utf16-le-bom-crlf": lambda text: codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"),
    "utf16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "gb18030-crlf": lambda text: text.replace("\n", "\r\n").encode("gb18030"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_format_reads_every_encoding_alike(tmp_path, name, encoding):
    plain = import_file(FIXTURES / name, name)
    path = tmp_path / name
    path.write_bytes(ENCODINGS[encoding]((FIXTURES / name).read_text(encoding="utf-8")))
    encoded = import_file(path, name)
    assert encoded.format == plain.format
    assert _summary(encoded) == _summary(plain)


def test_a_chinese_kindle_file_in_gb18030_keeps_its_chinese(tmp_path):
    path = tmp_path / "My Clippings.txt"
    path.write_bytes((FIXTURES / "kindle_zh.txt").read_text("utf-8").replace("\n", "\r\n").encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = import_file(path, "My Clippings.txt")
    assert result.format == "kindle"
    assert [(h.front, h.back) for h in result.highlights] == [
        ("讨论虚构的事物，正是智人语言最独特的功能。", "共同的想象让陌生人也能合作。"),
        ("当你在想某件事时，没有什么比它更重要。", "聚焦错觉。"),
    ]


def test_a_readwise_csv_in_utf16_keeps_its_multiline_cells(tmp_path):
    path = tmp_path / "readwise.csv"
    path.write_bytes((FIXTURES / "readwise.csv").read_text("utf-8").replace("\n", "\r\n").encode("utf-16"))
    result = import_file(path, "readwise.csv")
    assert result.format == "readwise"
    assert result.highlights[1].front == "Nothing in life is as important as you think it is,\nwhile you are thinking about it."
    assert result.highlights[1].back == 'The "focusing illusion".\nSecond line of my note.'


FRAGMENTS = st.sampled_from([
    SEPARATOR, "\ufeffBook (Author)", "Book", "- Your Highlight on page 3 | Location 10-12 | Added on Monday",
    "- Your Note on Location 12 | Added on Monday", "- Your Bookmark on Location 1 | x", "- 您在位置 #10-11的标注 | 添加于",
    "- 您在第 3 页（位置 #9-99）的笔记 | x", "- Highlight Loc. 99-1 | x", "- | |", "> quoted", ">", "# heading", "```", "---",
    "Highlight,Book Title,Book Author,Note,Tags,Location Type,Location", "front,back", "a\tb", '"', '"x,y"', ",,", "",
    '{"rows": [', '{"target": [{"selector": [{"type": "TextQuoteSelector", "exact": "q"}]}]}', "]}", "[", "]", "{", "}",
    " ", "text", "12", "\u3000",
])


@pytest.mark.parametrize("fmt", [None, *sorted(FORMATS)])
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=30), joiner=st.sampled_from(["\n", "", ","]))
def test_format_like_fragments_give_cards_or_one_line_error(tmp_path, fmt, parts, joiner):
    path = tmp_path / "input.txt"
    path.write_text(joiner.join(parts), encoding="utf-8")
    try:
        result = import_file(path, "input.txt", fmt)
    except FlashcardsError as error:
        assert "\n" not in str(error)
        assert str(error).startswith("input.txt")
        return
    for highlight in result.highlights:
        assert highlight.front.strip()
        assert "\n" not in highlight.source
    for warning in result.warnings:
        assert "\n" not in warning and warning.startswith("input.txt")
