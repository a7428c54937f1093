"""KOReader's book metadata (BOOK.sdr/metadata.<ext>.lua): highlights with the reader's notes as backs, the book
from doc_props (or the reader's custom_metadata.lua, or the file name), both shapes KOReader has written, and
folders of .sdr folders (a device's books folder, docsettings/, hashdocsettings/).

The fixtures in fixtures/koreader/ were written by KOReader's own frontend/dump.lua, run by LuaJIT as KOReader
runs it (make_fixtures.lua there says how); koreader_lua writes more files the same way, checked against them.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from koreader_lua import dump, metadata_file, write_metadata

from flashcards.decks.deckfile.reader import load_deck
from flashcards.errors import FlashcardsError
from flashcards.importers import FORMATS, detect_format, import_file, koreader
from flashcards.importers.lua_table import LuaSyntaxError, loads

FIXTURES = Path(__file__).parent / "fixtures" / "koreader"
SAPIENS = "Sapiens: A Brief History of Humankind (Yuval Noah Harari)"
SAPIENS_TAGS = ("Sapiens:_A_Brief_History_of_Humankind",)


def _cards(result):
    return [(h.front, h.back, h.source, h.tags) for h in result.highlights]


def _place(tmp_path: Path, fixture: str, where: str) -> Path:
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / fixture, path)
    return path


def test_the_current_shape_gives_highlights_with_notes_and_skips_bookmarks(tmp_path):
    path = _place(tmp_path, "sapiens.metadata.epub.lua", "Books/Harari/Sapiens.sdr/metadata.epub.lua")
    result = import_file(path, "Books/Harari/Sapiens.sdr/metadata.epub.lua")
    assert result.format == "koreader"
    assert _cards(result) == [
        ("The truly unique feature of our language is the ability to transmit information about things that do not "
         "exist at all.",
         'Fiction: shared myths let strangers cooperate.\nCompare the "imagined orders" of chapter 6 \\ part two.',
         f"{SAPIENS} — 1. An Animal of No Significance, page 23", SAPIENS_TAGS),
        ("讨论虚构的事物，正是智人语言最独特的功能。", "共同的想象让陌生人也能合作。\n第二行：想象的秩序。",
         f"{SAPIENS} — 2. The Tree of Knowledge, page 27", SAPIENS_TAGS),
        ("Money is the most universal and most efficient system of mutual trust ever devised.", "",
         f"{SAPIENS} — 10. The Scent of Money, page 187", SAPIENS_TAGS),  # the book's own page label (pageref)
        ("History is something that very few people have been doing\twhile everyone else was ploughing fields.", "",
         f"{SAPIENS} — 14. The Discovery of Ignorance, page 279", SAPIENS_TAGS),
    ]
    assert dict(result.skipped) == {"bookmark (a marked page)": 1, "bookmark with a note but no highlighted text": 1}
    assert result.warnings == []


def test_the_stale_older_tables_beside_annotations_are_not_read(tmp_path):
    # A migration leaves ["bookmarks"] and ["highlight"] behind; KOReader reads only ["annotations"] from then on,
    # so a highlight deleted since must not come back.
    path = _place(tmp_path, "sapiens.metadata.epub.lua", "Sapiens.sdr/metadata.epub.lua")
    text = path.read_text(encoding="utf-8")
    assert "A passage the reader deleted since." in text
    assert all("deleted since" not in h.front for h in import_file(path, "metadata.epub.lua").highlights)


def test_the_older_shape_joins_highlights_with_their_bookmarks(tmp_path):
    path = _place(tmp_path, "meditations.metadata.epub.lua", "documents/Meditations.sdr/metadata.epub.lua")
    result = import_file(path, "Meditations.sdr/metadata.epub.lua")
    book = "Meditations (Marcus Aurelius, Gregory Hays)"
    assert _cards(result) == [
        # KOReader's own "Page 21 ... @ time" is no note
        ("Waste no more time arguing about what a good man should be. Be one.", "", f"{book} — Book Ten, page 21",
         ("Meditations",)),
        # the same highlight in ["highlight"] and ["bookmarks"] is one card, with the bookmark's text as its note
        ("You have power over your mind — not outside events. Realize this, and you will find strength.",
         "The Stoic core.\nControl, not concern.", f"{book} — Book Eight, page 33", ("Meditations",)),
        # in ["highlight"] only (saved before highlights were bookmarked too)
        ("Very little is needed to make a happy life; it is all within yourself, in your way of thinking.", "",
         f"{book} — page 33", ("Meditations",)),
        # a highlighted bookmark whose highlight entry is gone
        ("The happiness of your life depends upon the quality of your thoughts.", "", f"{book} — Book Two",
         ("Meditations",)),
    ]
    assert dict(result.skipped) == {"bookmark (a marked page)": 1}


def test_a_pdf_without_a_title_is_named_by_its_file_and_paged_by_numbers(tmp_path):
    path = _place(tmp_path, "attention.metadata.pdf.lua", "Papers/attention is all you need.sdr/metadata.pdf.lua")
    result = import_file(path, "metadata.pdf.lua")
    assert [(h.front[:40], h.back, h.source) for h in result.highlights] == [
        ("An attention function can be described a", "Q, K, V:\n  softmax(QKᵀ/√d)·V",
         "attention is all you need — 3 Model Architecture, page 3"),
        ("We call our particular attention \"Scaled", "",
         "attention is all you need — 3.2.1 Scaled Dot-Product Attention, page 4"),
        ("Since our model contains no recurrence a", "", "attention is all you need — 3.5 Positional Encoding, page 6"),
    ]
    assert dict(result.skipped) == {"bookmark (a marked page)": 1}


def test_without_doc_props_the_title_is_the_books_file_name(tmp_path):
    path = _place(tmp_path, "dune.metadata.epub.lua", "koreader/docsettings/mnt/onboard/Books/Dune.sdr/metadata.epub.lua")
    assert _cards(import_file(path, "metadata.epub.lua")) == [
        ("Fear is the mind-killer.", "The litany against fear.", "Dune — Book One: Dune, page 9", ("Dune",)),
    ]
    # no doc_path either: the .sdr folder's name; a hash-named folder (hashdocsettings/) names nothing
    settings_ = {"annotations": [{"drawer": "lighten", "pos0": "/body/p.0", "pos1": "/body/p.9", "text": "Alone."}]}
    named = write_metadata(tmp_path / "Notes on Dune.sdr" / "metadata.epub.lua", settings_)
    assert import_file(named, "metadata.epub.lua").highlights[0].source == "Notes on Dune"
    hashed = write_metadata(tmp_path / "hashdocsettings" / "b3" / "b3fb8f4f8448160365087d6ca05c7fa2.sdr" /
                            "metadata.epub.lua", settings_)
    assert import_file(hashed, "hashdocsettings/b3/x.sdr/metadata.epub.lua").highlights[0].source == \
        "metadata.epub.lua:4"


def test_the_readers_own_title_from_custom_metadata_comes_first(tmp_path):
    path = _place(tmp_path, "sapiens.metadata.epub.lua", "Sapiens.sdr/metadata.epub.lua")
    _place(tmp_path, "sapiens.custom_metadata.lua", "Sapiens.sdr/custom_metadata.lua")
    result = import_file(path, "Sapiens.sdr/metadata.epub.lua")
    assert {(h.source.split(" — ")[0], h.tags) for h in result.highlights} == {("Sapiens (Harari, Yuval Noah)",
                                                                                ("Sapiens",))}


def test_a_book_opened_but_never_highlighted_gives_no_cards_and_no_error(tmp_path):
    path = _place(tmp_path, "unread.metadata.epub.lua", "Unread.sdr/metadata.epub.lua")
    result = import_file(path, "Unread.sdr/metadata.epub.lua")
    assert result.format == "koreader" and list(result.highlights) == [] and not result.skipped


def _epub(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", "<container/>")


def test_a_devices_books_folder_converts_every_book_and_reads_no_book(tmp_path, cli):
    books = tmp_path / "KOBOeReader" / "Books"
    _epub(books / "Harari" / "Sapiens.epub")
    _place(books, "sapiens.metadata.epub.lua", "Harari/Sapiens.sdr/metadata.epub.lua")
    _place(books, "sapiens.custom_metadata.lua", "Harari/Sapiens.sdr/custom_metadata.lua")
    # KOReader's backup of the version before (with a highlight deleted since), a custom cover: not inputs
    old = (books / "Harari/Sapiens.sdr/metadata.epub.lua").read_text(encoding="utf-8")
    (books / "Harari/Sapiens.sdr/metadata.epub.lua.old").write_text(
        old.replace("Money is the most universal", "A highlight deleted since: money is the most universal"), "utf-8")
    (books / "Harari/Sapiens.sdr/cover.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64))
    (books / "Papers").mkdir()
    (books / "Papers" / "attention is all you need.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    _place(books, "attention.metadata.pdf.lua", "Papers/attention is all you need.sdr/metadata.pdf.lua")
    _epub(books / "Unopened.epub")  # never opened in KOReader: no .sdr, and still a book, not an export
    _place(books, "unread.metadata.epub.lua", "Unread.sdr/metadata.epub.lua")
    _epub(books / "Unread.epub")
    out = tmp_path / "deck.yaml"
    run = cli("convert", str(books), "-o", str(out))
    assert run.code == 0, run.stderr
    assert "Sapiens.sdr/metadata.epub.lua: koreader, 4 cards added" in run.stdout
    assert "attention is all you need.sdr/metadata.pdf.lua: koreader, 3 cards added" in run.stdout
    assert "Unread.sdr/metadata.epub.lua: koreader, 0 cards" in run.stdout
    assert ".old" not in run.stdout and "cover" not in run.stdout and ".epub:" not in run.stdout
    deck = load_deck(out)
    assert len(deck.cards) == 7
    assert not any("deleted since" in card.front for card in deck.cards)
    assert {card.source.split(" — ")[0] for card in deck.cards} == {"Sapiens (Harari, Yuval Noah)",
                                                                    "attention is all you need"}


def test_koreaders_docsettings_folder_converts_every_book(tmp_path, cli):
    docsettings = tmp_path / "koreader" / "docsettings"
    _place(docsettings, "dune.metadata.epub.lua", "mnt/onboard/Books/Dune.sdr/metadata.epub.lua")
    _place(docsettings, "meditations.metadata.epub.lua", "mnt/us/documents/Meditations.sdr/metadata.epub.lua")
    run = cli("convert", str(docsettings), "-o", str(tmp_path / "deck.yaml"), "--json")
    assert run.code == 0, run.stderr
    assert run.stdout.count('"koreader"') == 2
    assert len(load_deck(tmp_path / "deck.yaml").cards) == 5


def test_detected_by_content_whatever_its_name(tmp_path):
    path = tmp_path / "export.txt"
    shutil.copyfile(FIXTURES / "meditations.metadata.epub.lua", path)
    assert import_file(path, "export.txt").format == "koreader"
    assert FORMATS["koreader"].detect_bytes(b'return {\n    ["volume"] = 1,\n}\n') == 0
    assert FORMATS["koreader"].detect_bytes(b"local x = 1\nreturn x\n") == 0


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.8, 0.97])
def test_a_truncated_metadata_file_is_one_line_with_its_line_and_no_deck(tmp_path, cli, fraction):
    whole = (FIXTURES / "sapiens.metadata.epub.lua").read_bytes()
    cut = whole[: int(len(whole) * fraction)]
    path = tmp_path / "Sapiens.sdr" / "metadata.epub.lua"
    path.parent.mkdir()
    path.write_bytes(cut)
    run = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert run.code != 0 and "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    last_line = cut.decode("utf-8", "ignore").count("\n") + 1
    assert f"metadata.epub.lua:{last_line}: not a readable Lua table: " in lines[0]
    assert "metadata.epub.lua.old" in lines[0]
    assert not (tmp_path / "deck.yaml").exists()


@pytest.mark.parametrize(("lua", "line", "message"), [
    ('-- x\nreturn {\n    ["annotations"] = os.execute("rm -rf ~"),\n}\n', 3, "'os' is a name, not data"),
    ('return {\n    ["annotations"] = {\n        [1] = loadstring("x")(),\n    },\n}\n', 3, "'loadstring' is a name"),
    ('return {\n    ["doc_path"] = "a" .. "b",\n}\n', 2, "',' or '}' expected, found '.. \"b\",'"),
    ('return {\n    ["doc_path"] = "unfinished,\n}\n', 2, "unfinished string"),
    ('return {\n    ["doc_props"] = { ["title"] = "\\999" },\n}\n', 2, "escape '\\999' is too large"),
    ('--[[ a comment\nreturn {\n    ["doc_path"] = "x",\n}\n', 1, "unfinished long comment"),
])
def test_lua_that_is_not_plain_data_is_never_run_and_is_one_line(tmp_path, lua, line, message):
    path = tmp_path / "metadata.epub.lua"
    path.write_text(lua, encoding="utf-8")
    with pytest.raises(FlashcardsError) as error:
        import_file(path, "Book.sdr/metadata.epub.lua")
    assert str(error.value).startswith(f"Book.sdr/metadata.epub.lua:{line}: not a readable Lua table: ")
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.lua") if path.name != "make_fixtures.lua"))
def test_the_fixtures_are_what_koreaders_dump_writes_and_read_back_exactly(name):
    """Reading a fixture and writing it again as dump.lua does gives the very bytes KOReader's dump.lua wrote: the
    reader misses nothing (escapes, numbers, key order, nesting), and koreader_lua writes true KOReader files."""
    raw = (FIXTURES / name).read_bytes().decode("utf-8")
    header, body = raw.split("\nreturn ", 1)
    assert header.startswith("-- /mnt/")
    assert dump(loads(raw)) + "\n" == body


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)  # any text, control characters too


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(TEXT, st.one_of(st.none(), TEXT), st.booleans()), max_size=8), title=TEXT)
def test_any_text_koreader_writes_reads_back(tmp_path, entries, title):
    annotations = [
        {"datetime": f"2024-01-01 00:00:{index:02d}", "text": text, "note": note, "pageno": index + 1,
         **({"drawer": "lighten", "pos0": f"/body/p[{index}].0", "pos1": f"/body/p[{index}].5"} if highlight else {})}
        for index, (text, note, highlight) in enumerate(entries)
    ]
    path = write_metadata(tmp_path / "Book.sdr" / "metadata.epub.lua",
                          {"annotations": [{k: v for k, v in item.items() if v is not None} for item in annotations],
                           "doc_props": {"title": title}, "doc_path": "/mnt/onboard/Book.epub"})
    result = import_file(path, "metadata.epub.lua")
    expected = []
    for text, note, highlight in entries:
        front = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        back = (note or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if highlight and front and (front, back) not in expected:
            expected.append((front, back))
    assert [(h.front, h.back) for h in result.highlights] == expected


def test_damaged_bytes_anywhere_give_cards_or_one_line(tmp_path):
    whole = (FIXTURES / "sapiens.metadata.epub.lua").read_bytes()
    rng = random.Random(3)
    errors = 0
    for _ in range(200):
        data = bytearray(whole)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.choice(b'{}[]",=\\\n-0a\x00\xff')
        path = tmp_path / "metadata.epub.lua"
        path.write_bytes(bytes(data))
        try:
            result = import_file(path, "metadata.epub.lua", "koreader")
        except FlashcardsError as error:
            assert str(error).startswith("metadata.epub.lua") and "\n" not in str(error)
            errors += 1
            continue
        assert all(h.front.strip() and "\n" not in h.source for h in result.highlights)
    assert errors


def test_deep_nesting_is_refused_not_a_crash(tmp_path):
    path = tmp_path / "metadata.epub.lua"
    path.write_text("return " + "{" * 100000 + "}" * 100000 + "\n", encoding="utf-8")
    with pytest.raises(FlashcardsError, match=r"^metadata\.epub\.lua:1: not a readable Lua table: tables nested"):
        import_file(path, "metadata.epub.lua", "koreader")


def test_the_lua_reader_reads_luas_own_forms():
    assert loads("return { 'a', [[long\nstring]], x = 0x1F, [\"y\"] = -1.5e2, [10.0] = true; z = nil, 'b' }") == {
        1: "a", 2: "long\nstring", "x": 31, "y": -150.0, 10: True, 3: "b"}
    assert loads('return "\\65\\066\\x43\\u{4E2D}\\z\n   d\\\ne"') == "ABC中d\ne"
    assert loads('return "\\228\\184\\173\\230\\150\\135"') == "中文"  # UTF-8 written as byte escapes
    with pytest.raises(LuaSyntaxError):
        loads("return {} {}")


def test_forcing_koreader_on_a_text_file_is_one_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("a passage\na note\n", encoding="utf-8")
    with pytest.raises(FlashcardsError, match=r"^notes\.txt:1: not a readable Lua table: 'a' is a name, not data"):
        import_file(path, "notes.txt", "koreader")


def test_a_lua_table_of_someone_elses_is_not_koreaders(tmp_path):
    text = metadata_file("/home/me/game.lua", {"volume": 0.8, "levels": ["forest", "cave"]})
    with pytest.raises(FlashcardsError, match="a Lua file \\(code or data\\) that is not KOReader's book metadata"):
        detect_format(text, "game.lua")
    assert koreader.detect_bytes(text.encode()) == 0


def test_the_metadata_file_is_never_written(tmp_path):
    path = _place(tmp_path, "sapiens.metadata.epub.lua", "Sapiens.sdr/metadata.epub.lua")
    _place(tmp_path, "sapiens.custom_metadata.lua", "Sapiens.sdr/custom_metadata.lua")
    before = {item.name: hashlib.sha256(item.read_bytes()).hexdigest() for item in path.parent.iterdir()}
    import_file(path, "metadata.epub.lua")
    assert {item.name: hashlib.sha256(item.read_bytes()).hexdigest() for item in path.parent.iterdir()} == before
