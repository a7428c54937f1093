"""Kobo's KoboReader.sqlite: Bookmark rows with Text are highlights, their Annotation the commentary, the book's
title and author from the `content` table; dog-ears, hidden and empty rows are counted; the database is never
written to. The databases are built by the tests with sqlite3, with Kobo's own table and column names."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from flashcards.decks.deckfile.reader import load_deck
from flashcards.errors import FlashcardsError
from flashcards.importers import import_file

# The columns of the two tables as Kobo firmware creates them (content has many more; these are the ones read
# or commonly present).
BOOKMARK = """CREATE TABLE Bookmark (
    BookmarkID TEXT NOT NULL, VolumeID TEXT NOT NULL, ContentID TEXT NOT NULL,
    StartContainerPath TEXT NOT NULL, StartContainerChildIndex INT NOT NULL, StartOffset INT NOT NULL,
    EndContainerPath TEXT NOT NULL, EndContainerChildIndex INT NOT NULL, EndOffset INT NOT NULL,
    Text TEXT, Annotation TEXT, ExtraAnnotationData BLOB, DateCreated TEXT, ChapterProgress REAL NOT NULL DEFAULT 0,
    Hidden BOOL NOT NULL DEFAULT 0, Version TEXT, DateModified TEXT, Creator TEXT, UUID TEXT, UserID TEXT,
    SyncTime TEXT, Published BIT DEFAULT false, ContextString TEXT, Type TEXT, PRIMARY KEY (BookmarkID))"""
CONTENT = """CREATE TABLE content (
    ContentID TEXT NOT NULL, ContentType TEXT NOT NULL, MimeType TEXT NOT NULL, BookID TEXT, BookTitle TEXT,
    ImageId TEXT, Title TEXT COLLATE NOCASE, Attribution TEXT COLLATE NOCASE, Description TEXT, DateCreated TEXT,
    Publisher TEXT, ___NumPages INT DEFAULT -1, ReadStatus INT DEFAULT 0, ___UserID TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (ContentID))"""
SAPIENS = "file:///mnt/onboard/Harari/Sapiens.kepub.epub"
MEDITATIONS = "file:///mnt/onboard/Marcus/Meditations.epub"


def _bookmark(db: sqlite3.Connection, ident: str, volume: str, text: str | None, annotation: str | None = None,
              kind: str = "highlight", created: str = "2024-01-01T10:00:00", hidden: str = "false") -> None:
    db.execute(
        "INSERT INTO Bookmark (BookmarkID, VolumeID, ContentID, StartContainerPath, StartContainerChildIndex,"
        " StartOffset, EndContainerPath, EndContainerChildIndex, EndOffset, Text, Annotation, DateCreated,"
        " ChapterProgress, Hidden, Type) VALUES (?, ?, ?, 'span#kobo\\.1\\.1', -99, 0, 'span#kobo\\.1\\.2', -99, 10,"
        " ?, ?, ?, 0.5, ?, ?)",
        (ident, volume, f"{volume}!OEBPS!ch01.xhtml", text, annotation, created, hidden, kind),
    )


def make_kobo(path: Path) -> Path:
    """A KoboReader.sqlite with two books: highlights, a note, a dog-ear, an empty and a hidden row."""
    db = sqlite3.connect(path)
    db.execute(BOOKMARK)
    db.execute(CONTENT)
    rows = [
        (SAPIENS, "6", "application/x-kobo-epub+zip", None, None, "Sapiens: A Brief History of Humankind",
         "Yuval Noah Harari"),
        (f"{SAPIENS}!OEBPS!ch01.xhtml", "9", "application/xhtml+xml", SAPIENS, "Sapiens: A Brief History of Humankind",
         "Part One: The Cognitive Revolution", None),  # a chapter row: never the book's name
        (MEDITATIONS, "6", "application/epub+zip", None, None, "Meditations", "Marcus Aurelius"),
    ]
    db.executemany("INSERT INTO content (ContentID, ContentType, MimeType, BookID, BookTitle, Title, Attribution)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    _bookmark(db, "b1", SAPIENS, "  The ability to speak about fictions\nis the most unique feature of Sapiens.  ",
              "Shared myths let strangers cooperate.", kind="note", created="2024-01-02T08:00:00")
    _bookmark(db, "b2", SAPIENS, "Money is the most universal system of mutual trust.", created="2024-01-03T08:00:00")
    _bookmark(db, "b3", SAPIENS, None, kind="dogear", created="2024-01-04T08:00:00")
    _bookmark(db, "b4", MEDITATIONS, "You have power over your mind, not outside events.", "",
              created="2024-02-01T08:00:00")
    _bookmark(db, "b5", MEDITATIONS, "   ", None, created="2024-02-02T08:00:00")
    _bookmark(db, "b6", MEDITATIONS, "A passage deleted on the device.", hidden="true", created="2024-02-03T08:00:00")
    db.commit()
    db.close()
    return path


def test_bookmarks_with_text_become_cards_named_by_book_title_and_author(tmp_path):
    result = import_file(make_kobo(tmp_path / "KoboReader.sqlite"), ".kobo/KoboReader.sqlite")
    assert result.format == "kobo"
    assert [(h.front, h.back, h.source, h.tags) for h in result.highlights] == [
        ("The ability to speak about fictions\nis the most unique feature of Sapiens.",
         "Shared myths let strangers cooperate.", "Sapiens: A Brief History of Humankind (Yuval Noah Harari)",
         ("Sapiens:_A_Brief_History_of_Humankind",)),
        ("Money is the most universal system of mutual trust.", "",
         "Sapiens: A Brief History of Humankind (Yuval Noah Harari)", ("Sapiens:_A_Brief_History_of_Humankind",)),
        ("You have power over your mind, not outside events.", "", "Meditations (Marcus Aurelius)", ("Meditations",)),
    ]
    assert dict(result.skipped) == {
        "dog-ear (a marked page, no text)": 1, "empty bookmark": 1, "hidden (deleted on the e-reader)": 1,
    }


def test_the_database_is_never_written_to(tmp_path):
    path = make_kobo(tmp_path / "KoboReader.sqlite")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    listing = sorted(item.name for item in tmp_path.iterdir())
    import_file(path, "KoboReader.sqlite")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(item.name for item in tmp_path.iterdir()) == listing  # no -journal, -wal or -shm left behind


def test_a_read_only_database_on_a_read_only_folder_is_read(tmp_path):
    folder = tmp_path / "KOBOeReader" / ".kobo"
    folder.mkdir(parents=True)
    path = make_kobo(folder / "KoboReader.sqlite")
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        assert len(import_file(path, "KoboReader.sqlite").highlights) == 3
    finally:
        folder.chmod(0o755)


def test_a_book_missing_from_the_content_table_is_named_by_the_file_and_row(tmp_path):
    path = tmp_path / "KoboReader.sqlite"
    db = sqlite3.connect(path)
    db.execute(BOOKMARK)
    _bookmark(db, "b1", "file:///mnt/onboard/gone.epub", "A passage from a removed book.")
    db.commit()
    db.close()
    result = import_file(path, "backup/KoboReader.sqlite")
    assert [(h.front, h.source, h.tags) for h in result.highlights] == [
        ("A passage from a removed book.", "KoboReader.sqlite:1", ())
    ]


def test_converting_through_the_cli_reports_what_was_skipped(tmp_path, cli):
    path = make_kobo(tmp_path / "device.db")  # detected by content, not by name
    result = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"), "--json")
    assert result.code == 0, result.stderr
    assert '"kobo"' in result.stdout and "dog-ear" in result.stdout
    assert len(load_deck(tmp_path / "deck.yaml").cards) == 3


@pytest.mark.parametrize("keep", [100, 4096, 0.5])
def test_a_truncated_database_is_one_line_and_no_deck_is_written(tmp_path, cli, keep):
    whole = make_kobo(tmp_path / "whole.sqlite").read_bytes()
    path = tmp_path / "KoboReader.sqlite"
    path.write_bytes(whole[: int(len(whole) * keep) if isinstance(keep, float) else keep])
    result = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert result.code != 0
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "KoboReader.sqlite: " in result.stderr
    assert not (tmp_path / "deck.yaml").exists()


def test_forcing_the_kobo_format_on_text_says_it_is_no_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("a passage\na note\n", encoding="utf-8")
    with pytest.raises(FlashcardsError, match=r"^notes\.txt: not a Kobo database"):
        import_file(path, "notes.txt", "kobo")


def test_damaged_bytes_anywhere_give_cards_or_one_line(tmp_path):
    import random

    whole = make_kobo(tmp_path / "whole.sqlite").read_bytes()
    rng = random.Random(1)
    errors = 0
    for _ in range(150):
        data = bytearray(whole)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / "KoboReader.sqlite"
        path.write_bytes(bytes(data))
        try:
            result = import_file(path, "KoboReader.sqlite")
        except FlashcardsError as error:
            assert str(error).startswith("KoboReader.sqlite: ") and "\n" not in str(error)
            errors += 1
            continue
        assert all(h.front.strip() for h in result.highlights)
    assert errors  # the damage was seen, not only survived


def test_text_that_is_not_utf8_in_a_cell_is_read_with_replacement_characters(tmp_path):
    path = tmp_path / "KoboReader.sqlite"
    db = sqlite3.connect(path)
    db.execute(BOOKMARK)
    _bookmark(db, "b1", SAPIENS, "placeholder")
    db.execute("UPDATE Bookmark SET Text = CAST(X'636166E9206E6F6972' AS TEXT)")  # Latin-1 'café noir'
    db.commit()
    db.close()
    assert [h.front for h in import_file(path, "KoboReader.sqlite").highlights] == ["caf\ufffd noir"]


def test_highlights_still_in_the_wal_file_are_read_and_neither_file_is_touched(tmp_path):
    work = tmp_path / "device-as-it-runs"
    work.mkdir()
    path = make_kobo(work / "KoboReader.sqlite")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")  # the e-reader has not moved it into the database yet
    _bookmark(db, "b7", MEDITATIONS, "Waste no more time arguing what a good man should be. Be one.",
              created="2024-03-01T08:00:00")
    db.commit()
    copied = tmp_path / "KOBOeReader" / ".kobo"  # unplugged now: the database and its WAL, as found on the device
    copied.mkdir(parents=True)
    for name in ("KoboReader.sqlite", "KoboReader.sqlite-wal"):
        (copied / name).write_bytes((work / name).read_bytes())
    db.close()
    before = {item.name: hashlib.sha256(item.read_bytes()).hexdigest() for item in copied.iterdir()}
    assert (copied / "KoboReader.sqlite-wal").stat().st_size > 0
    result = import_file(copied / "KoboReader.sqlite", ".kobo/KoboReader.sqlite")
    assert [h.front for h in result.highlights][-1] == "Waste no more time arguing what a good man should be. Be one."
    assert len(result.highlights) == 4
    assert {item.name: hashlib.sha256(item.read_bytes()).hexdigest() for item in copied.iterdir()} == before
