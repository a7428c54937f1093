"""Zotero's zotero.sqlite: highlights and underlines made in Zotero's reader (itemAnnotations) with their comments,
named by the parent item's title and creators, in each document's order; notes, images, ink, text boxes and
what is in the trash are counted; the database (Zotero keeps it in WAL mode, locked while it runs) is never
written. The tables are Zotero's own (resource/schema/userdata.sql), with the columns read and those beside them."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from flashcards.errors import FlashcardsError
from flashcards.importers import import_file

SCHEMA = """
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL,
    version INT NOT NULL DEFAULT 0, clientVersion INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0,
    UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE, valueNormalized TEXT);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT,
    charsetID INT, path TEXT, syncState INT DEFAULT 0, storageModTime INT, storageHash TEXT,
    lastProcessedModificationTime INT, lastRead INT);
CREATE TABLE itemAnnotations (itemID INTEGER PRIMARY KEY, parentItemID INT NOT NULL, type INTEGER NOT NULL,
    authorName TEXT, text TEXT, textNormalized TEXT, comment TEXT, commentNormalized TEXT, color TEXT, pageLabel TEXT,
    sortIndex TEXT NOT NULL, position TEXT NOT NULL, isExternal INT NOT NULL);
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT,
    firstNameNormalized TEXT, lastNameNormalized TEXT, UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL, creatorTypeID INT NOT NULL DEFAULT 1,
    orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex),
    UNIQUE (itemID, orderIndex));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""
PAPER, PAPER_PDF, STANDALONE_PDF, TRASHED_PAPER, TRASHED_PDF = 1, 2, 3, 4, 5


def make_zotero(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA main.locking_mode=EXCLUSIVE")
    db.execute("PRAGMA journal_mode=WAL")  # as Zotero opens it
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO fields VALUES (?, ?, NULL)", [(1, "title"), (6, "date")])
    for item, kind in ((PAPER, 22), (PAPER_PDF, 3), (STANDALONE_PDF, 3), (TRASHED_PAPER, 22), (TRASHED_PDF, 3)):
        db.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, 1, ?)", (item, kind, f"K{item}"))
    titles = {PAPER: "Attention Is All You Need", PAPER_PDF: "Full Text PDF", STANDALONE_PDF: "演讲稿 notes.pdf",
              TRASHED_PAPER: "A trashed paper", TRASHED_PDF: "Full Text PDF"}
    for number, (item, title) in enumerate(titles.items(), 1):
        db.execute("INSERT OR IGNORE INTO itemDataValues (valueID, value) VALUES (?, ?)", (number, title))
        value = db.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (title,)).fetchone()[0]
        db.execute("INSERT INTO itemData VALUES (?, 1, ?)", (item, value))
    db.executemany("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) VALUES"
                   " (?, ?, 0, 'application/pdf', 'storage:paper.pdf')",
                   [(PAPER_PDF, PAPER), (STANDALONE_PDF, None), (TRASHED_PDF, TRASHED_PAPER)])
    db.executemany("INSERT INTO creators (creatorID, firstName, lastName, fieldMode) VALUES (?, ?, ?, 0)",
                   [(1, "Ashish", "Vaswani"), (2, "Noam", "Shazeer")])
    db.executemany("INSERT INTO itemCreators VALUES (?, ?, 1, ?)", [(PAPER, 1, 0), (PAPER, 2, 1)])
    annotations = [
        (10, PAPER_PDF, 1, "The Transformer follows this overall architecture.", "Encoder and decoder stacks.", "3",
         "00002|001200|00300"),
        (11, PAPER_PDF, 1, "An attention function can be described as mapping a query and a set of key-value pairs.",
         "Q, K, V\nand softmax.", "2", "00001|000850|00412"),
        (12, PAPER_PDF, 5, "We call our particular attention Scaled Dot-Product Attention.", None, "4",
         "00003|000100|00090"),
        (13, PAPER_PDF, 2, None, "A sticky note on the page.", "5", "00004|000000|00010"),
        (14, PAPER_PDF, 3, None, None, "6", "00005|000000|00010"),
        (15, STANDALONE_PDF, 1, "讨论虚构的事物，正是智人语言最独特的功能。", "共同的想象。", "12", "00011|000010|00010"),
        (16, TRASHED_PDF, 1, "A highlight in a trashed paper.", None, "1", "00000|000000|00001"),
        (17, PAPER_PDF, 1, "A highlight the reader put in the trash.", None, "9", "00008|000000|00001"),
    ]
    for key, parent, kind, text, comment, page, order in annotations:
        db.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, 1, 1, ?)", (key, f"A{key}"))
        db.execute("INSERT INTO itemAnnotations (itemID, parentItemID, type, authorName, text, comment, color,"
                   " pageLabel, sortIndex, position, isExternal) VALUES (?, ?, ?, '', ?, ?, '#ffd400', ?, ?, '{}', 0)",
                   (key, parent, kind, text, comment, page, order))
    db.executemany("INSERT INTO deletedItems (itemID) VALUES (?)", [(TRASHED_PAPER,), (17,)])
    db.commit()
    return db


def _zotero_folder(tmp_path: Path) -> Path:
    """zotero.sqlite and its WAL as found while Zotero runs (rows not yet checkpointed)."""
    work = tmp_path / "running"
    work.mkdir()
    db = make_zotero(work / "zotero.sqlite")
    folder = tmp_path / "Zotero"
    folder.mkdir()
    for item in work.iterdir():
        shutil.copyfile(item, folder / item.name)
    db.close()
    return folder


def test_highlights_and_underlines_with_comments_named_by_their_item_in_page_order(tmp_path):
    folder = _zotero_folder(tmp_path)
    assert (folder / "zotero.sqlite-wal").stat().st_size > 0
    result = import_file(folder / "zotero.sqlite", "Zotero/zotero.sqlite")
    assert result.format == "zotero"
    paper = "Attention Is All You Need (Ashish Vaswani, Noam Shazeer)"
    assert [(h.front, h.back, h.source, h.tags) for h in result.highlights] == [
        ("An attention function can be described as mapping a query and a set of key-value pairs.",
         "Q, K, V\nand softmax.", f"{paper} — page 2", ("Attention_Is_All_You_Need",)),
        ("The Transformer follows this overall architecture.", "Encoder and decoder stacks.", f"{paper} — page 3",
         ("Attention_Is_All_You_Need",)),
        ("We call our particular attention Scaled Dot-Product Attention.", "", f"{paper} — page 4",
         ("Attention_Is_All_You_Need",)),
        ("讨论虚构的事物，正是智人语言最独特的功能。", "共同的想象。", "演讲稿 notes.pdf — page 12", ("演讲稿_notes.pdf",)),
    ]
    assert dict(result.skipped) == {"in Zotero's trash": 2, "note (no highlighted text)": 1,
                                    "image annotation (no text)": 1}


def test_the_database_and_its_wal_are_never_written(tmp_path, cli):
    folder = _zotero_folder(tmp_path)
    before = {item.name: hashlib.sha256(item.read_bytes()).hexdigest() for item in folder.iterdir()}
    run = cli("convert", str(folder / "zotero.sqlite"), "-o", str(tmp_path / "deck.yaml"))
    assert run.code == 0, run.stderr
    assert "zotero.sqlite: zotero, 4 cards added" in run.stdout
    assert {item.name: hashlib.sha256(item.read_bytes()).hexdigest() for item in folder.iterdir()} == before


def test_zotero_is_not_mistaken_for_kobo_or_apple_books_nor_they_for_it(tmp_path):
    folder = _zotero_folder(tmp_path)
    with pytest.raises(FlashcardsError, match=r"^z\.sqlite: an SQLite database without Apple Books' ZAEANNOTATION"):
        import_file(folder / "zotero.sqlite", "z.sqlite", "apple-books")
    with pytest.raises(FlashcardsError, match=r"^z\.sqlite: an SQLite database of no program whose highlights we read"):
        import_file(folder / "zotero.sqlite", "z.sqlite", "kobo")
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE items (id INTEGER)").connection.close()
    with pytest.raises(FlashcardsError, match=r"^other\.sqlite: an SQLite database without Zotero's itemAnnotations"):
        import_file(other, "other.sqlite", "zotero")
    with pytest.raises(FlashcardsError, match=r"^other\.sqlite: an SQLite database of no program whose highlights we read"):
        import_file(other, "other.sqlite")


def test_a_damaged_database_is_one_line(tmp_path, cli):
    folder = _zotero_folder(tmp_path)
    sqlite3.connect(folder / "zotero.sqlite").execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    data = bytearray((folder / "zotero.sqlite").read_bytes())
    data[4096 * 3: 4096 * 6] = b"\x5a" * (4096 * 3)
    broken = tmp_path / "broken" / "zotero.sqlite"
    broken.parent.mkdir()
    broken.write_bytes(bytes(data))
    run = cli("convert", str(broken), "-o", str(tmp_path / "deck.yaml"))
    assert run.code != 0 and "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "zotero.sqlite: " in run.stderr and not (tmp_path / "deck.yaml").exists()
