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
        "cards.csv:1: front from column 'Question', back from column 'Answer' (guessed; choose with --front-col / --back-col)"
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
    assert result.warnings == []


def test_only_the_front_named_and_the_back_guessed():
    result = import_file(FIXTURES / "cards.csv", "cards.csv", options=ImportOptions(front_col="Source"))
    assert [(h.front, h.back) for h in result.highlights] == [
        ("Korzybski", "The map is not the territory; a model is always an approximation."),
        ("Principles, 1710", "George Berkeley"),
    ]
    assert result.warnings == ["cards.csv:1: back from column 'Answer' (guessed; choose with --front-col / --back-col)"]


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
                            "(guessed; choose with --front-col / --back-col)"]
    plain = import_file(FIXTURES / "plain.csv", "plain.csv")  # semicolons; the numeric id column is passed over
    assert [(h.front, h.back) for h in plain.highlights] == [
        ("the map", "die Karte"), ("the territory", "das Gebiet"), ("the model", "das Modell"),
    ]
    assert plain.warnings == ["plain.csv:1: front from column 'english', back from column 'german' "
                              "(guessed; choose with --front-col / --back-col)"]


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
