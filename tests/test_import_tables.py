"""Tables: Readwise's CSV export, and any CSV/TSV with a header row whose columns are named or guessed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.errors import FlashcardsError
from flashcards.importers import ImportOptions, import_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_readwise_export():
    result = import_file(FIXTURES / "readwise.csv", "exports/readwise.csv")
    assert result.format == "readwise"
    assert [(h.front, h.back, h.source, h.tags, h.line) for h in result.highlights] == [
        (
            "The ability to speak about fictions is the most unique feature of Sapiens language.",
            "Myths, money, nations: all shared fictions.",
            "Sapiens: A Brief History of Humankind (Yuval Noah Harari) — location 404",
            ("myth", "favorite", "Sapiens:_A_Brief_History_of_Humankind"),
            2,
        ),
        (
            "Nothing in life is as important as you think it is,\nwhile you are thinking about it.",
            'The "focusing illusion".\nSecond line of my note.',
            "Thinking, Fast and Slow (Daniel Kahneman) — location 1022",
            ("psychology", "Thinking,_Fast_and_Slow"),
            3,
        ),
        (
            "You have power over your mind - not outside events.",
            "",
            "Meditations (Marcus Aurelius) — page 112",
            ("stoicism", "Meditations"),
            7,
        ),
        (
            "A wealth of information creates a poverty of attention.",
            "",
            # a location of type "order" is only a sort key: not shown
            "Designing Organizations for an Information-Rich World (Herbert A. Simon)",
            ("Designing_Organizations_for_an_Information-Rich_World",),
            8,
        ),
    ]
    assert result.skipped == {"empty highlight": 1}
    # Readwise's own bookkeeping (Amazon Book ID, Color, Highlighted at) is known and needs no card: no warning
    assert result.warnings == []


def test_readwise_import_layout_is_also_readwise(tmp_path):
    path = _write(tmp_path, "rw.csv", "Highlight,Title,Author,URL,Note,Location,Date\n"
                                      '"Less, but better.",Good Design,Dieter Rams,https://example.org/rams,'
                                      "Principle 10,17,2023-05-01\n")
    result = import_file(path, "rw.csv")
    assert result.format == "readwise"
    [card] = result.highlights
    assert (card.front, card.back, card.source, card.tags) == (
        "Less, but better.", "Principle 10", "Good Design (Dieter Rams) — location 17", ("Good_Design",)
    )


def test_a_table_with_guessed_columns_says_which():
    result = import_file(FIXTURES / "cards.csv", "cards.csv")
    assert result.format == "csv"
    assert [(h.front, h.back, h.source, h.line) for h in result.highlights] == [
        ("What is the map-territory relation?", "The map is not the territory; a model is always an approximation.",
         "cards.csv:2", 2),
        ('Who said "To be is to be perceived"?', "George Berkeley", "cards.csv:3", 3),
    ]
    assert result.warnings == [
        "cards.csv:1: front from column 'Question', back from column 'Answer' (guessed; choose with --front-col / --back-col)",
        "cards.csv:1: column 'Source' not used: its cells are in no card",
    ]
    assert result.skipped == {"empty 'Question' cell": 1, "blank row": 1}


def test_named_columns_are_found_ignoring_case_and_no_guess_is_reported():
    options = ImportOptions(front_col="answer", back_col="SOURCE")
    result = import_file(FIXTURES / "cards.csv", "cards.csv", options=options)
    assert [(h.front, h.back) for h in result.highlights] == [
        ("The map is not the territory; a model is always an approximation.", "Korzybski"),
        ("George Berkeley", "Principles, 1710"),
        ("An answer without a question", ""),
    ]
    assert result.warnings == ["cards.csv:1: column 'Question' not used: its cells are in no card"]  # no guess


def test_only_the_front_named_and_the_back_guessed():
    result = import_file(FIXTURES / "cards.csv", "cards.csv", options=ImportOptions(front_col="Source"))
    assert [(h.front, h.back) for h in result.highlights] == [
        ("Korzybski", "The map is not the territory; a model is always an approximation."),
        ("Principles, 1710", "George Berkeley"),
    ]
    assert result.warnings == ["cards.csv:1: back from column 'Answer' (guessed; choose with --front-col / --back-col)",
                               "cards.csv:1: column 'Question' not used: its cells are in no card"]


def test_a_missing_column_lists_the_columns_there_are():
    with pytest.raises(FlashcardsError) as error:
        import_file(FIXTURES / "cards.csv", "cards.csv", options=ImportOptions(front_col="Front"))
    assert str(error.value) == "cards.csv:1: no column 'Front' (columns: 'Question', 'Answer', 'Source')"
    with pytest.raises(FlashcardsError, match=r"^words\.tsv:1: no column 'Kanji' \(columns: 'Word', 'Reading', 'Meaning'\)$"):
        import_file(FIXTURES / "words.tsv", "words.tsv", options=ImportOptions(back_col="Kanji"))


def test_a_tab_separated_table_and_one_without_known_names():
    tsv = import_file(FIXTURES / "words.tsv", "words.tsv")
    assert (tsv.format, [h.front for h in tsv.highlights]) == ("tsv", ["物の哀れ", "一期一会"])
    assert tsv.warnings == ["words.tsv:1: front from column 'Word', back from column 'Meaning' "
                            "(guessed; choose with --front-col / --back-col)",
                            "words.tsv:1: column 'Reading' not used: its cells are in no card"]
    plain = import_file(FIXTURES / "plain.csv", "plain.csv")  # semicolons; the numeric id column is passed over
    assert [(h.front, h.back) for h in plain.highlights] == [
        ("the map", "die Karte"), ("the territory", "das Gebiet"), ("the model", "das Modell"),
    ]
    assert plain.warnings == ["plain.csv:1: front from column 'english', back from column 'german' "
                              "(guessed; choose with --front-col / --back-col)",
                              "plain.csv:1: column 'id' not used: its cells are in no card"]


def test_a_quote_left_open_is_an_error_at_the_row_it_opens(tmp_path):
    path = _write(tmp_path, "open.csv", 'front,back\nfine,row\n"never closed,back\nmore\nlines\n')
    with pytest.raises(FlashcardsError) as error:
        import_file(path, "open.csv")
    assert str(error.value) == "open.csv:3: not a valid table row: a quoted cell is never closed"


@pytest.mark.parametrize(
    "text",
    [
        "The map is not the territory.\nA model, however good, is an approximation.\n",  # prose with a comma
        "a,b\n",  # a header alone
        "one, two\nthree, four\n",  # two lines that could be a table, without known column names
        "Note,Comment\n",
    ],
)
def test_text_that_is_not_clearly_a_table_stays_pairs(tmp_path, text):
    assert import_file(_write(tmp_path, "x.txt", text), "x.txt").format == "pairs"


cell = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(',;\t"\n'), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(cell.filter(lambda value: value.strip()), cell), min_size=1, max_size=8))
def test_any_cells_written_by_a_csv_writer_come_back(tmp_path, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["front", "back"])
    writer.writerows(rows)
    path = _write(tmp_path, "any.csv", buffer.getvalue())
    result = import_file(path, "any.csv", "csv")
    assert [(h.front, h.back) for h in result.highlights] == [(front.strip(), back.strip()) for front, back in rows]


def test_a_table_whose_first_row_is_longer_than_the_detection_window_is_still_a_table(tmp_path):
    from flashcards.importers import detect_format

    long_note = "word " * 30_000  # 150,000 characters in one quoted cell
    text = f'Highlight,Note\n"A passage","{long_note}"\n"Another passage","short"\n'
    assert detect_format(text, "long.csv").NAME == "csv"


def test_a_hypothesis_number_too_long_to_convert_is_one_line(tmp_path):
    from flashcards.errors import FlashcardsError
    from flashcards.importers import hypothesis
    from flashcards.importers.base import ImportOptions

    text = '{"rows": [{"target": [], "text": "x", "n": ' + "9" * 5000 + "}]}"
    with pytest.raises(FlashcardsError, match="not an annotation export"):
        hypothesis.parse(text, "h.json", ImportOptions())


def test_columns_no_card_takes_are_named_in_a_warning(tmp_path):
    path = _write(tmp_path, "words.csv", "Front,Back,Page,Color,Unused\nthe map,die Karte,12,yellow,\n"
                                         "the model,das Modell,,blue,\n")
    result = import_file(path, "words.csv")
    assert [(h.front, h.back) for h in result.highlights] == [("the map", "die Karte"), ("the model", "das Modell")]
    assert result.warnings[1:] == ["words.csv:1: columns 'Page', 'Color' not used: their cells are in no card"]


def test_a_readers_note_in_a_column_beside_the_back_is_kept_in_the_back(tmp_path):
    path = _write(tmp_path, "quotes.csv", "Quote,Translation,My thoughts,Page,\n"
                                          "Panta rhei,Everything flows,Heraclitus again,3,x\n"
                                          "Carpe diem,Seize the day,,4,\n")
    result = import_file(path, "quotes.csv")
    assert [(h.front, h.back) for h in result.highlights] == [
        ("Panta rhei", "Everything flows\n\nHeraclitus again"), ("Carpe diem", "Seize the day")]
    assert result.warnings[1:] == [
        "quotes.csv:1: column 'My thoughts' may hold your notes: its cells are added to the backs, after a blank line",
        "quotes.csv:1: columns 'Page', column 5 not used: their cells are in no card",
    ]


def test_a_back_named_by_the_user_takes_no_other_column_but_the_rest_is_named(tmp_path):
    path = _write(tmp_path, "quotes.csv", "Quote,Translation,Notes\nPanta rhei,Everything flows,Heraclitus\n")
    result = import_file(path, "quotes.csv", options=ImportOptions(front_col="Quote", back_col="Translation"))
    assert [(h.front, h.back) for h in result.highlights] == [("Panta rhei", "Everything flows")]
    assert result.warnings == ["quotes.csv:1: column 'Notes' not used: its cells are in no card"]


def test_readwise_columns_no_card_takes_are_named_and_another_note_column_kept(tmp_path):
    path = _write(tmp_path, "rw.csv", "Highlight,Title,Author,Note,Comment,Shelf,Color\n"
                                      '"Less, but better.",Good Design,Dieter Rams,Principle 10,Rams at Braun,design,red\n')
    result = import_file(path, "rw.csv")
    assert result.format == "readwise"
    [card] = result.highlights
    assert (card.front, card.back) == ("Less, but better.", "Principle 10\n\nRams at Braun")
    assert result.warnings == [
        "rw.csv:1: column 'Comment' may hold your notes: its cells are added to the backs, after a blank line",
        "rw.csv:1: column 'Shelf' not used: its cells are in no card",
    ]


def test_the_convert_report_names_the_columns_left_out(tmp_path, cli):
    path = _write(tmp_path, "words.csv", "Front,Back,Page\nthe map,die Karte,12\nthe model,das Modell,13\n")
    result = cli("convert", str(path), "-o", str(tmp_path / "deck.yaml"))
    assert result.code == 0, result.stderr
    assert "words.csv:1: column 'Page' not used: its cells are in no card" in result.stdout
