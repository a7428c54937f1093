"""Walking a folder of inputs leaves out what belongs to another input beside it (read with it, never alone): a
database's -wal, -shm and -journal; the books and KOReader's own files where KOReader's .sdr folders are; Apple
Books' own databases in its Documents folder. Everything else is kept, for its importer or its refusal."""

from __future__ import annotations

from pathlib import Path

from flashcards.files.walk import walk


def _files(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def _walked(root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in walk([root], lambda _: True, recursive=True, kind="files",
                                                               missing="file or folder")]


def test_a_databases_wal_shm_and_journal_go_with_it(tmp_path):
    _files(tmp_path, "KoboReader.sqlite", "KoboReader.sqlite-wal", "KoboReader.sqlite-shm", "other.db-journal",
           "notes-wal")
    assert _walked(tmp_path) == ["KoboReader.sqlite", "notes-wal", "other.db-journal"]  # no database beside these two


def test_koreaders_sdr_folders_give_their_metadata_and_no_book(tmp_path):
    _files(tmp_path, "Sapiens.epub", "Sapiens.sdr/metadata.epub.lua", "Sapiens.sdr/metadata.epub.lua.old",
           "Sapiens.sdr/custom_metadata.lua", "Sapiens.sdr/cover.jpg", "Sapiens.sdr/Sapiens.azw3f",
           "Unopened.mobi", "Papers/Paper.pdf", "My Clippings.txt", "notes.md")
    assert _walked(tmp_path) == ["My Clippings.txt", "Sapiens.sdr/metadata.epub.lua", "notes.md"]


def test_without_sdr_folders_books_are_inputs_as_ever(tmp_path):
    _files(tmp_path, "Paper.pdf", "book.epub", "notes.txt")
    assert _walked(tmp_path) == ["Paper.pdf", "book.epub", "notes.txt"]


def test_apple_books_documents_give_only_the_annotation_databases(tmp_path):
    _files(tmp_path, "AEAnnotation/AEAnnotation_v10312011_1727_local.sqlite",
           "AEAnnotation/AEAnnotation_v10312011_1727_local.sqlite-wal", "BKLibrary/BKLibrary-1-091020131601.sqlite",
           "BKLibrary/BKLibrary-1-091020131601.sqlite-shm", "BKSeries/BKSeries-1-012820141020.sqlite", "iBooks.plist")
    assert _walked(tmp_path) == ["AEAnnotation/AEAnnotation_v10312011_1727_local.sqlite"]
    assert _walked(tmp_path / "AEAnnotation") == ["AEAnnotation_v10312011_1727_local.sqlite"]
