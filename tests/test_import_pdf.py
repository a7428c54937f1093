"""PDF highlight annotations: the text under each highlight's quads is the front, its comment the back, the
document's title, author and page the source. The PDFs are written by the tests with pypdf."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pdfmaker import Mark, Page, line_box, write_pdf

from flashcards.decks.deckfile.reader import load_deck
from flashcards.errors import FlashcardsError
from flashcards.importers import detect_binary, import_file

INTRO = "The palest ink is better than the best memory."
SECOND = "Nothing here is highlighted at all."
THIRD = "Spacing beats cramming, every single time."


def _lines_page(*marks: Mark) -> Page:
    return Page(texts=[(72, 700, INTRO), (72, 680, SECOND), (72, 660, THIRD)], marks=list(marks))


def test_highlighted_lines_become_cards_with_the_comment_as_back_and_title_author_page_as_source(tmp_path):
    path = write_pdf(tmp_path / "memory.pdf", [
        Page(texts=[(72, 700, "A first page without highlights.")]),
        _lines_page(Mark([line_box(72, 660, 330)]), Mark([line_box(72, 700, 330)], "Write it down.")),
    ], title="On Memory", author="Hermann Ebbinghaus")
    result = import_file(path, "papers/memory.pdf")
    assert result.format == "pdf"
    # in reading order (top of the page first), whatever the annotations' order in the file
    assert [(h.front, h.back, h.source, h.tags) for h in result.highlights] == [
        (INTRO, "Write it down.", "On Memory (Hermann Ebbinghaus) — page 2", ("On_Memory",)),
        (THIRD, "", "On Memory (Hermann Ebbinghaus) — page 2", ("On_Memory",)),
    ]


def test_only_the_words_under_the_quads_are_the_front(tmp_path):
    words = [(72, "Alpha"), (120, "beta"), (160, "gamma"), (215, "delta")]  # one show-text operation per word
    page = Page(texts=[(x, 700, word) for x, word in words],
                marks=[Mark([(118, 697, 205, 712)], "the middle two")])
    result = import_file(write_pdf(tmp_path / "words.pdf", [page], title="Words"), "words.pdf")
    assert [(h.front, h.back) for h in result.highlights] == [("beta gamma", "the middle two")]


def test_part_of_a_line_is_read_to_whole_words(tmp_path):
    page = Page(texts=[(72, 700, "Stay hungry, stay foolish, said the last page.")],
                marks=[Mark([(70, 697, 207, 712)])])  # "Stay hungry, stay foolish," is 134 pt wide in 12 pt Helvetica
    result = import_file(write_pdf(tmp_path / "part.pdf", [page], title="Catalog"), "part.pdf")
    assert [h.front for h in result.highlights] == ["Stay hungry, stay foolish,"]


def test_a_highlight_over_two_lines_reads_as_one_passage(tmp_path):
    page = _lines_page(Mark([line_box(72, 700, 330), line_box(72, 680, 330)]))
    result = import_file(write_pdf(tmp_path / "two.pdf", [page], title="Two"), "two.pdf")
    assert [h.front for h in result.highlights] == [f"{INTRO} {SECOND}"]


def test_underline_and_squiggly_count_and_sticky_notes_are_counted_as_skipped(tmp_path):
    page = _lines_page(Mark([line_box(72, 700, 330)], subtype="/Underline"),
                       Mark([line_box(72, 660, 330)], subtype="/Squiggly"))
    page.sticky_notes.append("a comment on no text")
    result = import_file(write_pdf(tmp_path / "marks.pdf", [page], title="Marks"), "marks.pdf")
    assert [h.front for h in result.highlights] == [INTRO, THIRD]
    assert dict(result.skipped) == {"comment not attached to text": 1}


def test_a_comment_that_repeats_the_highlighted_text_is_not_a_back(tmp_path):
    page = _lines_page(Mark([line_box(72, 700, 330)], INTRO))
    result = import_file(write_pdf(tmp_path / "copy.pdf", [page], title="Copy"), "copy.pdf")
    assert [(h.front, h.back) for h in result.highlights] == [(INTRO, "")]


def test_without_a_title_the_file_name_names_the_document_and_printed_page_numbers_are_kept(tmp_path):
    pages = [Page(), Page(), _lines_page(Mark([line_box(72, 700, 330)]))]
    path = write_pdf(tmp_path / "Thinking in Systems.pdf", pages, roman_from=2)  # pages i, ii, then 1
    result = import_file(path, "library/Thinking in Systems.pdf")
    assert [h.source for h in result.highlights] == ["Thinking in Systems.pdf — page 1"]
    pages = [Page(), _lines_page(Mark([line_box(72, 700, 330)]))]
    path = write_pdf(tmp_path / "preface.pdf", pages, title="Preface", roman_from=2)
    assert [h.source for h in import_file(path, "preface.pdf").highlights] == ["Preface — page ii"]
    path = write_pdf(tmp_path / "draft.pdf", [_lines_page(Mark([line_box(72, 700, 330)]))],
                     title="Microsoft Word - Draft 3.docx", author="Ann")
    assert [h.source for h in import_file(path, "draft.pdf").highlights] == ["Draft 3.docx (Ann) — page 1"]


def test_a_highlight_over_a_scanned_page_is_skipped_and_counted(tmp_path):
    page = Page(drawing_only=True, marks=[Mark([line_box(72, 700, 330)], "a comment")])
    result = import_file(write_pdf(tmp_path / "scan.pdf", [page], title="Scan"), "scan.pdf")
    assert result.highlights == []
    assert dict(result.skipped) == {"highlight over no text (a scanned page?)": 1}


def test_a_pdf_is_detected_by_its_content_not_its_name(tmp_path):
    path = write_pdf(tmp_path / "export.txt", [_lines_page(Mark([line_box(72, 700, 330)]))], title="T")
    assert import_file(path, "export.txt").format == "pdf"
    assert detect_binary(b"%PDF-1.7\n") is not None
    assert detect_binary(b"junk before the header\n%PDF-1.4\n1 0 obj\n<< >>\nendobj\n") is not None
    assert detect_binary(b"A note on the PDF header %PDF-1.7\nand what it means.\n") is None


def test_converting_a_pdf_through_the_cli_writes_its_cards(tmp_path, cli):
    path = write_pdf(tmp_path / "memory.pdf", [_lines_page(Mark([line_box(72, 700, 330)], "Write it down."))],
                     title="On Memory", author="Hermann Ebbinghaus")
    result = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert result.code == 0, result.stderr
    assert "pdf" in result.stdout
    card = load_deck(tmp_path / "deck.yaml").cards[0]
    assert (card.front, card.back, card.source) == (INTRO, "Write it down.", "On Memory (Hermann Ebbinghaus) — page 1")


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_a_truncated_pdf_is_one_line_and_no_deck_is_written(tmp_path, cli, cut):
    whole = write_pdf(tmp_path / "whole.pdf", [_lines_page(Mark([line_box(72, 700, 330)]))], title="T").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: int(len(whole) * cut)])
    result = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert result.code != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cut.pdf: a damaged PDF (" in result.stderr and "save it again" in result.stderr
    assert not (tmp_path / "deck.yaml").exists()


def test_damaged_pdf_bytes_are_our_one_line_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")
    with pytest.raises(FlashcardsError) as error:
        import_file(path, "broken.pdf")
    assert str(error.value).startswith("broken.pdf: ") and "\n" not in str(error.value)


def test_forcing_the_pdf_format_on_text_says_it_is_not_a_pdf(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("a passage\na note\n", encoding="utf-8")
    with pytest.raises(FlashcardsError, match=r"^notes\.txt: not a PDF"):
        import_file(path, "notes.txt", "pdf")


def test_pypdf_is_loaded_only_when_a_pdf_is_read(tmp_path):
    (tmp_path / "pairs.txt").write_text("a passage\na note\n", encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from flashcards.importers import import_file; "
        f"import_file(Path({str(tmp_path / 'pairs.txt')!r}), 'pairs.txt'); print('pypdf' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "False"


def test_damaged_bytes_anywhere_give_cards_or_one_line(tmp_path):
    import random

    whole = write_pdf(tmp_path / "whole.pdf", [_lines_page(Mark([line_box(72, 700, 330)], "c"))], title="T").read_bytes()
    rng = random.Random(3)
    for _ in range(150):
        data = bytearray(whole)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / "paper.pdf"
        path.write_bytes(bytes(data))
        try:
            result = import_file(path, "paper.pdf")
        except FlashcardsError as error:
            assert str(error).startswith("paper.pdf: ") and "\n" not in str(error)
            continue
        assert all(h.front.strip() for h in result.highlights)
