"""Kindle's My Clippings.txt: notes join their highlights, bookmarks and superseded versions are counted, English
and Chinese (and other) device languages read alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.importers import import_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SEP = "=========="


def _clippings(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "My Clippings.txt"
    path.write_text("".join(f"{entry.strip()}\n{SEP}\n" for entry in entries), encoding="utf-8")
    return path


def _entry(title: str, metadata: str, text: str) -> str:
    return f"\ufeff{title}\n{metadata}\n\n{text}"


def test_english_clippings():
    result = import_file(FIXTURES / "kindle_en.txt", "kindle/My Clippings.txt")
    assert result.format == "kindle"
    assert [(h.front, h.back, h.source, h.tags, h.line) for h in result.highlights] == [
        (
            "The ability to speak about fictions is the most unique feature of Sapiens language.",
            "Shared myths let strangers cooperate: money, nations, companies.",
            "Sapiens: A Brief History of Humankind (Harari, Yuval Noah) — page 27, location 402-404",
            ("Sapiens:_A_Brief_History_of_Humankind",),
            6,
        ),
        (
            "Nothing in life is as important as you think it is, while you are thinking about it.",
            "",
            "Thinking, Fast and Slow (Kahneman, Daniel) — location 1021-1022",
            ("Thinking,_Fast_and_Slow",),
            21,
        ),
        (
            "All we have to decide is what to do with the time that is given us.",
            "Compare with the Silmarillion.",  # the note came first in the file
            "The Lord of the Rings (The Fellowship of the Ring) (Tolkien, J. R. R.) — location 2208-2210",
            ("The_Lord_of_the_Rings_(The_Fellowship_of_the_Ring)",),
            36,
        ),
        (
            "You have power over your mind - not outside events.\nRealize this, and you will find strength.",
            "",
            "Meditations (Marcus Aurelius) — location 1203-1205",  # old "Loc. 1203-05"
            ("Meditations",),
            41,
        ),
    ]
    assert result.skipped == {
        "older version of an extended highlight": 1,
        "bookmark": 1,
        "empty highlight": 1,
        "note without a highlight": 1,
    }
    assert result.warnings == []


def test_chinese_clippings():
    result = import_file(FIXTURES / "kindle_zh.txt", "我的剪贴.txt")
    assert [(h.front, h.back, h.source, h.tags) for h in result.highlights] == [
        (
            "讨论虚构的事物，正是智人语言最独特的功能。",
            "共同的想象让陌生人也能合作。",
            "人类简史：从动物到上帝 (尤瓦尔·赫拉利) — page 27, location 402-404",
            ("人类简史：从动物到上帝",),
        ),
        (
            "当你在想某件事时，没有什么比它更重要。",
            "聚焦错觉。",
            "思考，快与慢 (丹尼尔·卡尼曼) — location 1021-1022",
            ("思考，快与慢",),
        ),
    ]
    assert result.skipped == {"older version of an extended highlight": 1, "bookmark": 1}


@pytest.mark.parametrize(
    ("highlight", "note", "bookmark"),
    [
        ("- Your Highlight at location 1021-1022 | Added on Monday, 1 May 2023 15:04:05",
         "- Your Note at location 1022 | Added on Monday, 1 May 2023 15:05:00",
         "- Your Bookmark at location 1030 | Added on Monday, 1 May 2023 15:06:00"),
        ("- 您在位置 #1021-1022的标注 | 添加于 2023年5月1日星期一 下午3:04:05",
         "- 您在位置 #1022的笔记 | 添加于 2023年5月1日星期一 下午3:05:00",
         "- 您在位置 #1030的书签 | 添加于 2023年5月1日星期一 下午3:06:00"),
        ("- Ihre Markierung bei Position 1021-1022 | Hinzugefügt am Montag, 1. Mai 2023 15:04:05",
         "- Ihre Notiz bei Position 1022 | Hinzugefügt am Montag, 1. Mai 2023 15:05:00",
         "- Ihr Lesezeichen bei Position 1030 | Hinzugefügt am Montag, 1. Mai 2023 15:06:00"),
        ("- Votre surlignement sur la page 12 | emplacement 1021-1022 | Ajouté le lundi 1 mai 2023 15:04:05",
         "- Votre note sur la page 12 | emplacement 1022 | Ajouté le lundi 1 mai 2023 15:05:00",
         "- Votre signet sur la page 12 | emplacement 1030 | Ajouté le lundi 1 mai 2023 15:06:00"),
        ("- Tu subrayado en la página 12 | posición 1021-1022 | Añadido el lunes, 1 de mayo de 2023 15:04:05",
         "- Tu nota en la página 12 | posición 1022 | Añadido el lunes, 1 de mayo de 2023 15:05:00",
         "- Tu marcador en la página 12 | posición 1030 | Añadido el lunes, 1 de mayo de 2023 15:06:00"),
        ("- 位置No. 1021-1022のハイライト |作成日: 2023年5月1日月曜日 15:04:05",
         "- 位置No. 1022のメモ |作成日: 2023年5月1日月曜日 15:05:00",
         "- 位置No. 1030のブックマーク |作成日: 2023年5月1日月曜日 15:06:00"),
    ],
    ids=["english", "chinese", "german", "french", "spanish", "japanese"],
)
def test_device_languages_read_alike(tmp_path, highlight, note, bookmark):
    path = _clippings(
        tmp_path,
        _entry("Walden (Thoreau, Henry David)", highlight, "I went to the woods because I wished to live deliberately."),
        _entry("Walden (Thoreau, Henry David)", note, "Deliberately: on purpose, not by default."),
        _entry("Walden (Thoreau, Henry David)", bookmark, ""),
    )
    result = import_file(path, "clips.txt")
    assert result.format == "kindle"
    [card] = result.highlights
    assert (card.front, card.back) == ("I went to the woods because I wished to live deliberately.",
                                       "Deliberately: on purpose, not by default.")
    assert "location 1021-1022" in card.source and card.source.startswith("Walden (Thoreau, Henry David) — ")
    assert card.tags == ("Walden",)
    assert result.skipped == {"bookmark": 1}


def test_a_note_joins_the_highlight_that_ends_at_its_location(tmp_path):
    path = _clippings(
        tmp_path,
        _entry("Walden (Thoreau)", "- Your Highlight on Location 100-102 | Added on Monday", "First sentence."),
        _entry("Walden (Thoreau)", "- Your Highlight on Location 102-104 | Added on Monday", "Second sentence."),
        _entry("Walden (Thoreau)", "- Your Note on Location 102 | Added on Monday", "About the first."),
        _entry("Walden (Thoreau)", "- Your Note on Location 103 | Added on Monday", "About the second."),
        _entry("Walden (Thoreau)", "- Your Note on Location 104 | Added on Monday", "More on the second."),
        _entry("Other Book (Someone)", "- Your Note on Location 101 | Added on Monday", "Same place, other book."),
    )
    result = import_file(path, "clips.txt")
    assert [(h.front, h.back) for h in result.highlights] == [
        ("First sentence.", "About the first."),
        ("Second sentence.", "About the second.\n\nMore on the second."),
    ]
    assert result.skipped == {"note without a highlight": 1}


def test_only_the_latest_version_of_a_changed_highlight_survives(tmp_path):
    path = _clippings(
        tmp_path,
        _entry("Walden (Thoreau)", "- Your Highlight on Location 10-11 | Added on Monday", "I went to the woods"),
        _entry("Walden (Thoreau)", "- Your Highlight on Location 10-12 | Added on Monday",
               "I went to the woods because I wished to live deliberately"),
        # shortened again: the later, shorter one is what the reader kept
        _entry("Walden (Thoreau)", "- Your Highlight on Location 11-12 | Added on Monday", "to live deliberately"),
        # same words elsewhere in the book: a separate highlight, kept
        _entry("Walden (Thoreau)", "- Your Highlight on Location 900-901 | Added on Monday", "I went to the woods"),
        # overlapping place but a different passage: kept
        _entry("Walden (Thoreau)", "- Your Highlight on Location 12-13 | Added on Monday", "to front only the essential facts"),
        # same text and place in another book: kept
        _entry("Walden, annotated (Thoreau)", "- Your Highlight on Location 10-11 | Added on Monday", "I went to the woods"),
    )
    result = import_file(path, "clips.txt")
    assert [(h.front, h.line) for h in result.highlights] == [
        ("to live deliberately", 11),
        ("I went to the woods", 16),
        ("to front only the essential facts", 21),
        ("I went to the woods", 26),
    ]
    assert result.skipped == {"older version of an extended highlight": 2}


def test_pdf_clippings_with_pages_only(tmp_path):
    path = _clippings(
        tmp_path,
        _entry("paper.pdf (Ebbinghaus)", "- Your Highlight on page 12 | Added on Monday", "retention declines"),
        _entry("paper.pdf (Ebbinghaus)", "- Your Highlight on page 12-13 | Added on Monday",
               "retention declines exponentially"),
        _entry("paper.pdf (Ebbinghaus)", "- Your Note on page 13 | Added on Monday", "The forgetting curve."),
    )
    [card] = import_file(path, "clips.txt").highlights
    assert (card.front, card.back) == ("retention declines exponentially", "The forgetting curve.")
    assert card.source == "paper.pdf (Ebbinghaus) — page 12-13"


def test_entries_that_are_not_clippings_are_counted_and_named(tmp_path):
    path = _clippings(
        tmp_path,
        _entry("Walden (Thoreau)", "- Your Highlight on Location 10-11 | Added on Monday", "Simplify, simplify."),
        "A stray line someone typed\nand another",
        _entry("Walden (Thoreau)", "- Your Clip This Article on Location 20 | Added on Monday", "clipped text"),
        _entry("Walden (Thoreau)", "- Something Else Entirely | Added on Monday", "???"),
    )
    result = import_file(path, "clips.txt")
    assert [h.front for h in result.highlights] == ["Simplify, simplify."]
    assert result.skipped == {"unrecognised entry": 3}
    assert result.warnings == [
        "clips.txt:6: not a Kindle clipping (no '- Your Highlight ... | ...' line); skipped",
        "clips.txt:10: unknown kind of clipping '- Your Clip This Article on Location 20 | Added on Monday'; skipped",
        "clips.txt:15: unknown kind of clipping '- Something Else Entirely | Added on Monday'; skipped",
    ]


def test_a_title_without_author_and_a_file_of_bookmarks_only(tmp_path):
    path = _clippings(
        tmp_path,
        _entry("Untitled notes", "- Your Highlight on Location 5-6 | Added on Monday", "Some passage."),
        _entry("Untitled notes", "- Your Bookmark on Location 7 | Added on Monday", ""),
    )
    [card] = import_file(path, "clips.txt").highlights
    assert (card.source, card.tags) == ("Untitled notes — location 5-6", ("Untitled_notes",))
    only_bookmarks = _clippings(tmp_path, _entry("B (A)", "- Your Bookmark on Location 7 | Added on Monday", ""))
    result = import_file(only_bookmarks, "clips.txt")
    assert (result.format, result.highlights, result.skipped) == ("kindle", [], {"bookmark": 1})


_PLACES = st.lists(st.tuples(st.booleans(), st.integers(1, 60), st.integers(0, 12)), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(places=_PLACES)
def test_each_note_goes_to_the_highlight_whose_range_holds_it(tmp_path, places):
    """Against a plain reading of the rule: among the highlights whose location range holds the note's location,
    the one ending there first, then the nearest in the file (the earlier on a tie)."""
    entries, highlights, notes = [], [], []
    for number, (is_note, start, length) in enumerate(places):
        if is_note:
            notes.append((number, start))
            entries.append(_entry("Book (Author)", f"- Your Note at location {start} | Added on Monday",
                                  f"note {number}"))
        else:
            highlights.append((number, start, start + length))
            entries.append(_entry("Book (Author)", f"- Your Highlight at location {start}-{start + length} | Added "
                                  "on Monday", f"passage {number} ends"))  # none holds another: no versions
    expected: dict[int, list[str]] = {}
    for number, place in notes:
        holding = [(end != place, abs(first - number), first) for first, start, end in highlights
                   if start <= place <= end]
        if holding:
            expected.setdefault(min(holding)[2], []).append(f"note {number}")
    result = import_file(_clippings(tmp_path, *entries), "clips.txt")
    backs = {int(item.front.split()[1]): item.back for item in result.highlights}
    assert backs == {first: "\n\n".join(expected.get(first, [])) for first, _, _ in highlights}
    assert result.skipped.get("note without a highlight", 0) == len(notes) - sum(map(len, expected.values()))
