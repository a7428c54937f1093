"""Inputs that are no highlight export are refused through the CLI with one line saying what the file looks
like, the formats read and what to do, a non-zero exit, and no deck written or touched."""

from __future__ import annotations

import io
import random
import sqlite3
import zipfile

import pytest
from pdfmaker import Page, write_pdf

FORMATS_NAMED = "(formats read: Kindle clippings or notebook export, Kobo KoboReader.sqlite, PDF highlights,"


def _zip(entries: dict[str, bytes], mimetype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored first, as EPUB and ODF require
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _sqlite(path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('not a Kobo database')")
    db.commit()
    db.close()
    return path.read_bytes()


WEB_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ten ideas</title></head>
<body><h1>Ten ideas worth remembering</h1><p>The first idea is spacing.</p><p>The second is retrieval.</p></body></html>
"""
JUNK = {
    "web page": ("page.html", WEB_PAGE, "a web page (HTML) that is not a Kindle notebook export"),
    "saved page without doctype": ("saved.htm", b"<html>\n<body>\n<div class='content'>Hello</div>\n</body>\n</html>\n",
                                   "a web page (HTML)"),
    "xml": ("feed.xml", b'<?xml version="1.0"?>\n<rss><channel><title>x</title></channel></rss>\n', "an XML/markup file"),
    "docx": ("notes.docx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
             "a Word document (.docx)"),
    "odt": ("notes.odt", _zip({"content.xml": b"<office:document-content/>"}, "application/vnd.oasis.opendocument.text"),
            "an OpenDocument text (.odt)"),
    "epub": ("book.epub", _zip({"META-INF/container.xml": b"<container/>"}, "application/epub+zip"), "an EPUB book"),
    "png": ("shot.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "an image (PNG), not text"),
    "jpeg": ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)), "an image (JPEG), not text"),
    "random bytes": ("blob.bin", random.Random(7).randbytes(4096), "binary data, not a text export"),
    "digits only": ("numbers.txt", b"12 34\n56 78\n", "text in none of the formats we read"),
}


def _refused(cli, tmp_path, name: str, data: bytes, *extra: str):
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"), *extra)
    assert result.code != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "deck.yaml").exists()
    return result.stderr.strip()


@pytest.mark.parametrize("kind", sorted(JUNK))
def test_junk_is_refused_with_one_line_naming_what_it_is_and_the_formats(tmp_path, cli, kind):
    name, data, what = JUNK[kind]
    line = _refused(cli, tmp_path, name, data)
    assert f"{name}: {what}" in line
    assert FORMATS_NAMED in line


def test_a_pdf_with_text_but_no_highlights_says_highlights_come_from_annotations(tmp_path, cli):
    pdf = write_pdf(tmp_path / "made.pdf", [Page(texts=[(72, 700, "A page of text with nothing highlighted.")])])
    line = _refused(cli, tmp_path, "paper.pdf", pdf.read_bytes())
    assert "paper.pdf: a PDF: highlights are read from its annotations, and this one has none; " in line
    assert "highlight passages in a PDF reader" in line and "scanned" not in line


def test_a_scanned_pdf_says_it_has_no_text(tmp_path, cli):
    pdf = write_pdf(tmp_path / "made.pdf", [Page(drawing_only=True), Page(drawing_only=True)])
    line = _refused(cli, tmp_path, "scan.pdf", pdf.read_bytes())
    assert "scan.pdf: a PDF: highlights are read from its annotations, and this one has none (nor any text: a scanned" in line


def test_an_sqlite_database_that_is_not_kobos_is_refused(tmp_path, cli):
    data = _sqlite(tmp_path / "made.db")
    line = _refused(cli, tmp_path, "notes.sqlite", data)
    assert "notes.sqlite: an SQLite database of no program whose highlights we read; " in line and FORMATS_NAMED in line


def test_a_refused_input_leaves_an_existing_deck_byte_identical(tmp_path, cli):
    (tmp_path / "ok.txt").write_text("A passage\nits note\n", encoding="utf-8")
    assert cli("convert", str(tmp_path / "ok.txt"), "-o", str(tmp_path / "deck.yaml")).code == 0
    before = (tmp_path / "deck.yaml").read_bytes()
    (tmp_path / "page.html").write_bytes(WEB_PAGE)
    result = cli("convert", str(tmp_path / "ok.txt"), str(tmp_path / "page.html"), "-o", str(tmp_path / "deck.yaml"))
    assert result.code != 0 and "page.html: a web page" in result.stderr
    assert (tmp_path / "deck.yaml").read_bytes() == before


def test_the_old_ways_junk_became_pairs_are_closed(tmp_path):
    from flashcards.importers import FORMATS

    pairs = FORMATS["pairs"]
    assert pairs.detect(WEB_PAGE.decode()) == 0
    assert pairs.detect("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n") == 0
    assert pairs.detect('<?xml version="1.0"?><a/>') == 0
    assert pairs.detect("A passage\nits commentary\n") > 0


def test_text_that_starts_like_a_file_signature_is_still_read(tmp_path):
    from flashcards.importers import import_file

    path = tmp_path / "cars.txt"
    path.write_text("BMW made the first of them.\nA note on cars.\n", encoding="utf-8")
    assert [h.front for h in import_file(path, "cars.txt").highlights] == ["BMW made the first of them."]
