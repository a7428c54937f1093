"""Apple Books: AEAnnotation_*.sqlite (ZAEANNOTATION) gives highlights and notes, BKLibrary-*.sqlite beside it
(ZBKLIBRARYASSET) the books' titles and authors; deleted annotations and bookmarks are counted, a book's cards
follow its locations, and neither database (nor its -wal and -shm) is ever written.

Apple's schema is not public: the databases are built here with the documented tables and columns (and the
bookkeeping columns every Core Data store has), in WAL mode as Apple Books keeps them, copied while a connection
still holds rows in the WAL (as the files are while the app runs)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from flashcards.decks.deckfile.reader import load_deck
from flashcards.errors import FlashcardsError
from flashcards.importers import FORMATS, import_file

ANNOTATION_TABLE = """CREATE TABLE ZAEANNOTATION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
    ZANNOTATIONDELETED INTEGER, ZANNOTATIONISUNDERLINE INTEGER, ZANNOTATIONSTYLE INTEGER, ZANNOTATIONTYPE INTEGER,
    ZANNOTATIONCREATIONDATE TIMESTAMP, ZANNOTATIONMODIFICATIONDATE TIMESTAMP, ZANNOTATIONASSETID VARCHAR,
    ZANNOTATIONLOCATION VARCHAR, ZANNOTATIONNOTE VARCHAR, ZANNOTATIONREPRESENTATIVETEXT VARCHAR,
    ZANNOTATIONSELECTEDTEXT VARCHAR, ZANNOTATIONUUID VARCHAR )"""
LIBRARY_TABLE = """CREATE TABLE ZBKLIBRARYASSET ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
    ZASSETID VARCHAR, ZAUTHOR VARCHAR, ZGENRE VARCHAR, ZPATH VARCHAR, ZSORTAUTHOR VARCHAR, ZSORTTITLE VARCHAR,
    ZTITLE VARCHAR )"""
CORE_DATA = ("CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER)",
             "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)")
THINKING, CHINESE, GONE = "8D4F5E1B2C3A4B5C6D7E8F9A0B1C2D3E", "1420437530", "E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0"
# (asset, selected text, note, deleted, location, created): seconds since 2001-01-01
ANNOTATIONS = [
    (THINKING, "A reliable way to make people believe in falsehoods is frequent repetition.", "Mere exposure.", 0,
     "epubcfi(/6/28[chapter_5]!/4/2/14,/1:0,/1:76)", 720000300.5),
    (THINKING, "Nothing in life is as important as you think it is, while you are thinking about it.",
     "The focusing illusion:\nattention inflates importance.", 0, "epubcfi(/6/76[chapter_38]!/4/2/8,/1:0,/1:84)",
     720000100.0),
    (THINKING, "A deleted highlight.", None, 1, "epubcfi(/6/30[chapter_6]!/4/2/2,/1:0,/1:20)", 720000200.0),
    (THINKING, None, None, 0, "epubcfi(/6/10[intro]!/4/2/2)", 720000000.0),  # a bookmark
    (THINKING, "System 1 operates automatically and quickly.", "", 0, "epubcfi(/6/12[c^,1]!/4/2/6,/3:10,/3:55)",
     720000400.0),
    (CHINESE, "讨论虚构的事物，正是智人语言最独特的功能。", "共同的想象让陌生人也能合作。\n第二行。", 0,
     "epubcfi(/6/14[id_7]!/4/2/4,/1:3,/1:24)", 720000500.0),
    (GONE, "A book no longer in the library.", None, 0, "epubcfi(/6/4!/4/2,/1:0,/1:5)", 720000600.0),
]
BOOKS = [(THINKING, "Thinking, Fast and Slow", "Daniel Kahneman"), (CHINESE, "人类简史", "尤瓦尔·赫拉利")]
ANNOTATION_FILE = "AEAnnotation_v10312011_1727_local.sqlite"
LIBRARY_FILE = "BKLibrary-1-091020131601.sqlite"


def _annotations_db(path: Path, rows=ANNOTATIONS) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    for statement in (ANNOTATION_TABLE, *CORE_DATA):
        db.execute(statement)
    db.executemany(
        "INSERT INTO ZAEANNOTATION (Z_ENT, Z_OPT, ZANNOTATIONASSETID, ZANNOTATIONSELECTEDTEXT, ZANNOTATIONNOTE,"
        " ZANNOTATIONDELETED, ZANNOTATIONLOCATION, ZANNOTATIONCREATIONDATE, ZANNOTATIONTYPE, ZANNOTATIONSTYLE,"
        " ZANNOTATIONUUID) VALUES (2, 1, ?, ?, ?, ?, ?, ?, ?, 3, lower(hex(randomblob(16))))",
        [(*row, 2 if row[1] else 1) for row in rows])
    db.commit()
    return db


def _library_db(path: Path, books=BOOKS) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    for statement in (LIBRARY_TABLE, *CORE_DATA):
        db.execute(statement)
    db.executemany("INSERT INTO ZBKLIBRARYASSET (Z_ENT, Z_OPT, ZASSETID, ZTITLE, ZAUTHOR, ZSORTTITLE) VALUES"
                   " (5, 1, ?, ?, ?, ?)", [(*book, book[1].upper()) for book in books])
    db.commit()
    return db


def make_documents(tmp_path: Path, *, library: bool = True, extra_row: bool = True) -> Path:
    """Apple Books' Documents folder as found while the app runs: both databases with rows still in their WAL."""
    work = tmp_path / "app-running"
    (work / "AEAnnotation").mkdir(parents=True)
    (work / "BKLibrary").mkdir()
    held = [_annotations_db(work / "AEAnnotation" / ANNOTATION_FILE)]
    if library:
        held.append(_library_db(work / "BKLibrary" / LIBRARY_FILE))
    if extra_row:  # written after the first checkpoint-free commit: only in the WAL
        held[0].execute("INSERT INTO ZAEANNOTATION (ZANNOTATIONASSETID, ZANNOTATIONSELECTEDTEXT, ZANNOTATIONDELETED,"
                        " ZANNOTATIONLOCATION) VALUES (?, 'Still only in the WAL.', 0,"
                        " 'epubcfi(/6/90[end]!/4/2,/1:0,/1:9)')", (THINKING,))
        held[0].commit()
    documents = tmp_path / "Library" / "Containers" / "com.apple.iBooksX" / "Data" / "Documents"
    for item in work.rglob("*"):
        if item.is_file():
            target = documents / item.relative_to(work)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target)
    for db in held:
        db.close()
    return documents


def _hashes(folder: Path) -> dict[str, str]:
    return {str(item.relative_to(folder)): hashlib.sha256(item.read_bytes()).hexdigest()
            for item in sorted(folder.rglob("*")) if item.is_file()}


def test_highlights_with_notes_named_by_the_library_in_each_books_order(tmp_path):
    documents = make_documents(tmp_path)
    assert (documents / "AEAnnotation" / f"{ANNOTATION_FILE}-wal").stat().st_size > 0
    result = import_file(documents / "AEAnnotation" / ANNOTATION_FILE, f"AEAnnotation/{ANNOTATION_FILE}")
    assert result.format == "apple-books"
    thinking, chinese = "Thinking, Fast and Slow (Daniel Kahneman)", "人类简史 (尤瓦尔·赫拉利)"
    assert [(h.front, h.back, h.source, h.tags) for h in result.highlights] == [
        ("System 1 operates automatically and quickly.", "", thinking, ("Thinking,_Fast_and_Slow",)),
        ("A reliable way to make people believe in falsehoods is frequent repetition.", "Mere exposure.", thinking,
         ("Thinking,_Fast_and_Slow",)),
        ("Nothing in life is as important as you think it is, while you are thinking about it.",
         "The focusing illusion:\nattention inflates importance.", thinking, ("Thinking,_Fast_and_Slow",)),
        ("Still only in the WAL.", "", thinking, ("Thinking,_Fast_and_Slow",)),
        ("讨论虚构的事物，正是智人语言最独特的功能。", "共同的想象让陌生人也能合作。\n第二行。", chinese, ("人类简史",)),
        ("A book no longer in the library.", "", f"{ANNOTATION_FILE}:7", ()),
    ]
    assert dict(result.skipped) == {"deleted in Apple Books": 1, "bookmark (no highlighted text)": 1}
    assert result.warnings == []


def test_neither_database_nor_its_wal_and_shm_is_touched(tmp_path, cli):
    documents = make_documents(tmp_path)
    assert {name.rsplit("/", 1)[-1] for name in _hashes(documents)} >= {
        ANNOTATION_FILE, f"{ANNOTATION_FILE}-wal", f"{ANNOTATION_FILE}-shm", LIBRARY_FILE, f"{LIBRARY_FILE}-wal",
        f"{LIBRARY_FILE}-shm"}
    before = _hashes(documents)
    for target in (documents / "AEAnnotation" / ANNOTATION_FILE, documents):
        run = cli("convert", str(target), "-o", str(tmp_path / "deck.yaml"))
        assert run.code == 0, run.stderr
        assert _hashes(documents) == before  # byte-identical, and nothing new beside them


def test_the_documents_folder_is_one_source_its_library_and_wal_files_are_part_of_it(tmp_path, cli):
    documents = make_documents(tmp_path)
    (documents / "BKSeries").mkdir()  # Apple Books' other databases there are its own, not inputs
    sqlite3.connect(documents / "BKSeries" / "BKSeries-1-012820141020.sqlite").execute(
        "CREATE TABLE ZBKSERIESITEM (Z_PK INTEGER PRIMARY KEY)").connection.close()
    run = cli("convert", str(documents), "-o", str(tmp_path / "deck.yaml"))
    assert run.code == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert any(f"AEAnnotation/{ANNOTATION_FILE}: apple-books, 6 cards added" in line for line in lines), run.stdout
    assert "BKLibrary-1" not in run.stdout and "-wal" not in run.stdout and "BKSeries" not in run.stdout
    assert "deleted in Apple Books" in run.stdout
    assert len(load_deck(tmp_path / "deck.yaml").cards) == 6


def test_the_library_alone_is_refused_as_no_highlights(tmp_path, cli):
    documents = make_documents(tmp_path)
    path = documents / "BKLibrary" / LIBRARY_FILE
    run = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert run.code != 0 and len(run.stderr.strip().splitlines()) == 1
    assert f"{LIBRARY_FILE}: Apple Books' library database (book titles, no highlights); " in run.stderr
    assert not (tmp_path / "deck.yaml").exists()


def test_without_the_library_cards_name_the_file_and_row_and_a_warning_says_why(tmp_path):
    documents = make_documents(tmp_path, library=False)
    result = import_file(documents / "AEAnnotation" / ANNOTATION_FILE, ANNOTATION_FILE)
    assert {h.source for h in result.highlights} == {f"{ANNOTATION_FILE}:{n}" for n in (1, 2, 5, 6, 7, 8)}
    assert result.warnings == [f"{ANNOTATION_FILE}: no Apple Books library beside it (../BKLibrary/BKLibrary-*.sqlite):"
                               " its books are named by this file and the annotation's row, not by title"]


def test_a_database_whose_tables_are_still_all_in_its_wal_is_detected(tmp_path):
    work = tmp_path / "new"
    work.mkdir()
    db = _annotations_db(work / ANNOTATION_FILE)  # WAL from the start: the main file holds no schema yet
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in (ANNOTATION_FILE, f"{ANNOTATION_FILE}-wal"):
        shutil.copyfile(work / name, copy / name)
    db.close()
    head = (copy / ANNOTATION_FILE).read_bytes()
    assert b"ZAEANNOTATION" not in head
    result = import_file(copy / ANNOTATION_FILE, ANNOTATION_FILE)
    assert result.format == "apple-books" and len(result.highlights) == 5


def _kobo(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE Bookmark (BookmarkID TEXT, VolumeID TEXT, Text TEXT, Annotation TEXT, Type TEXT,"
               " Hidden BOOL DEFAULT 0)")
    db.execute("INSERT INTO Bookmark VALUES ('b1', 'v', 'A Kobo highlight.', '', 'highlight', 0)")
    db.commit()
    db.close()
    return path


def test_detection_tells_kobo_apple_books_and_other_databases_apart(tmp_path):
    documents = make_documents(tmp_path)
    assert import_file(_kobo(tmp_path / "KoboReader.sqlite"), "KoboReader.sqlite").format == "kobo"
    assert import_file(documents / "AEAnnotation" / ANNOTATION_FILE, "a.sqlite").format == "apple-books"
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE notes (body TEXT)").connection.close()
    with pytest.raises(FlashcardsError, match=r"^other\.sqlite: an SQLite database of no program whose highlights we read; "):
        import_file(other, "other.sqlite")
    with pytest.raises(FlashcardsError, match=r"^k\.sqlite: an SQLite database without Apple Books' ZAEANNOTATION"):
        import_file(tmp_path / "KoboReader.sqlite", "k.sqlite", "apple-books")
    assert FORMATS["apple-books"].detect_file(tmp_path / "KoboReader.sqlite") == 0


def test_forcing_apple_books_on_text_says_it_is_no_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("a passage\na note\n", encoding="utf-8")
    with pytest.raises(FlashcardsError, match=r"^notes\.txt: not an Apple Books database"):
        import_file(path, "notes.txt", "apple-books")


@pytest.mark.parametrize("keep", [100, 4096, 0.5])
def test_a_truncated_database_is_one_line_and_no_deck(tmp_path, cli, keep):
    documents = make_documents(tmp_path, extra_row=False)
    whole = documents / "AEAnnotation" / ANNOTATION_FILE
    sqlite3.connect(whole).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    data = whole.read_bytes()
    cut = tmp_path / "cut" / "AEAnnotation" / ANNOTATION_FILE
    cut.parent.mkdir(parents=True)
    cut.write_bytes(data[: int(len(data) * keep) if isinstance(keep, float) else keep])
    run = cli("convert", str(cut), "-o", str(tmp_path / "deck.yaml"))
    assert run.code != 0 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and f"{ANNOTATION_FILE}: " in run.stderr
    assert not (tmp_path / "deck.yaml").exists()


def test_a_missing_column_is_read_as_empty_and_a_table_without_text_is_refused(tmp_path):
    path = tmp_path / "AEAnnotation" / ANNOTATION_FILE
    path.parent.mkdir()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE ZAEANNOTATION (Z_PK INTEGER PRIMARY KEY, ZANNOTATIONSELECTEDTEXT VARCHAR)")
    db.execute("INSERT INTO ZAEANNOTATION (ZANNOTATIONSELECTEDTEXT) VALUES ('Only the text is known.')")
    db.commit()
    db.close()
    result = import_file(path, ANNOTATION_FILE)
    assert [(h.front, h.back) for h in result.highlights] == [("Only the text is known.", "")]
    db = sqlite3.connect(tmp_path / "bare.sqlite")
    db.execute("CREATE TABLE ZAEANNOTATION (Z_PK INTEGER PRIMARY KEY, ZANNOTATIONNOTE VARCHAR)")
    db.close()
    with pytest.raises(FlashcardsError, match="has no highlighted text"):
        import_file(tmp_path / "bare.sqlite", "bare.sqlite")
