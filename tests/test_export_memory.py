"""The export writes its notes a chunk at a time (anki/note_rows.py), never as one genanki Note per card: the
package must hold exactly the rows genanki itself writes, however the notes are cut, and import whole into Anki."""

from __future__ import annotations

import sqlite3
import zipfile

import pytest

from conftest import import_apkg
from flashcards.anki import note_rows
from flashcards.anki.note_type import genanki_model
from flashcards.anki.package_out import anki_tag, deck_id, export_decks, field_html, note_guid
from flashcards.model import Card, Deck

STAMP = 1_700_000_000
CARDS = [
    Card("plain", "A passage to remember.", "Why it matters.", "book.txt:1", []),
    Card("tagged", "Tags of its own", "and the deck's", "", ["r code", "reading"]),
    Card("html", "<script>alert(1)</script> & [sound:x.mp3]", "line one\nline two", "", []),
    Card("number", "123", "a passage that reads as a number (sfld is an integer column)", "", []),
    Card("empty", "", "no passage: genanki makes no card for it", "", []),
    Card("cjk", "学而时习之，不亦说乎", "Analects 1.1", "论语", ["中文"]),
] + [Card(f"many-{index}", f"Passage {index}", f"Commentary {index}", "", ["bulk"]) for index in range(40)]


def _rows(package, folder) -> dict:
    zipfile.ZipFile(package).extract("collection.anki2", folder)
    db = sqlite3.connect(folder / "collection.anki2")
    try:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in ("col", "notes", "cards")}
    finally:
        db.close()


def _genanki_package(deck: Deck, out) -> None:
    """The deck written by genanki alone, one Note object per card, as it would be without note_rows."""
    import itertools

    import genanki

    model = genanki_model()
    anki_deck = genanki.Deck(deck_id(deck.name), deck.name)
    deck_tags = [anki_tag(tag) for tag in deck.tags]
    for card in deck.cards:
        tags = list(dict.fromkeys([*deck_tags, *(anki_tag(tag) for tag in card.tags)]))
        anki_deck.add_note(genanki.Note(model=model, tags=tags, guid=note_guid(card.id),
                                        fields=[field_html(card.front), field_html(card.back), field_html(card.source)]))
    db = sqlite3.connect(out)
    genanki.Package(anki_deck).write_to_db(db.cursor(), STAMP, itertools.count(STAMP * 1000))
    db.commit()
    db.close()


def test_chunked_notes_are_row_for_row_what_genanki_writes(tmp_path, monkeypatch):
    deck = Deck("Chunks", CARDS, tags=["deck tag"])
    reference = tmp_path / "genanki" / "collection.anki2"
    reference.parent.mkdir()
    _genanki_package(deck, reference)
    db = sqlite3.connect(reference)
    expected = {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in ("col", "notes", "cards")}
    db.close()
    monkeypatch.setattr(note_rows, "NOTE_CHUNK", 7)  # chunks that end mid-deck, and a short last one
    export_decks([deck], tmp_path / "chunked.apkg", timestamp=STAMP)
    assert _rows(tmp_path / "chunked.apkg", tmp_path / "c") == expected
    assert len(expected["notes"]) == len(CARDS) and len(expected["cards"]) == len(CARDS) - 1  # none for "empty"


def test_notes_cut_into_chunks_of_one_give_the_same_package(tmp_path, monkeypatch):
    first, second = Deck("First", CARDS[:20], tags=["one"]), Deck("Second", CARDS[20:])
    times = {card.id: STAMP - 1000 * index for index, card in enumerate(CARDS)}  # each note its own time
    export_decks([first, second], tmp_path / "whole.apkg", parent="Library", timestamp=STAMP, note_times=times)
    monkeypatch.setattr(note_rows, "NOTE_CHUNK", 1)
    export_decks([first, second], tmp_path / "ones.apkg", parent="Library", timestamp=STAMP, note_times=times)
    whole = _rows(tmp_path / "whole.apkg", tmp_path / "w")
    assert _rows(tmp_path / "ones.apkg", tmp_path / "o") == whole
    assert [row[3] for row in whole["notes"]] == [times[card.id] for card in CARDS]  # note mod
    assert [row[4] for row in whole["cards"]] == [times[card.id] for card in CARDS if card.front]  # card mod


@pytest.mark.parametrize("chunk", [1, 3, 2_000])
def test_anki_imports_every_chunked_note_with_its_fields_and_tags(tmp_path, anki_collection, monkeypatch, chunk):
    monkeypatch.setattr(note_rows, "NOTE_CHUNK", chunk)
    deck = Deck("Chunks", CARDS, tags=["deck tag"])
    export_decks([deck], tmp_path / "deck.apkg", timestamp=STAMP)
    import_apkg(anki_collection, tmp_path / "deck.apkg")
    notes = {note.guid: note for note in (anki_collection.get_note(nid) for nid in anki_collection.find_notes(""))}
    assert len(notes) == len(CARDS)
    for card in CARDS:
        note = notes[note_guid(card.id)]
        assert [note["Passage"], note["Commentary"], note["Source"]] == [
            field_html(card.front), field_html(card.back), field_html(card.source)]
        assert sorted(note.tags) == sorted({"deck_tag", *(anki_tag(tag) for tag in card.tags)})
    assert anki_collection.card_count() == len(CARDS) - 1


def test_note_guids_are_genankis(tmp_path):
    """Our GUIDs are frozen: they must stay what genanki.guid_for made, or a re-import would duplicate notes."""
    import genanki

    for card_id in ["", "a", "0" * 16, "ffffffffffffffff", "学而", *(f"{index:016x}" for index in range(2_000))]:
        assert note_guid(card_id) == genanki.guid_for("flashcards", card_id)


def test_review_log_rows_are_the_intervals_and_factors_anki_is_given():
    """revlog_rows() writes revlog_interval() and revlog_factor() out in its loop: they must agree."""
    import itertools

    from flashcards.anki.scheduling_out import KIND_OF_STATE, revlog_factor, revlog_interval, revlog_rows
    from flashcards.model import AnswerFacts, State

    at = 1_700_000_000_000
    answers = [AnswerFacts("c", at + index, rating, duration, int(before), int(after), due, difficulty)
               for index, (rating, duration, before, after, due, difficulty) in enumerate(itertools.product(
                   (1, 3), (-5, 1200), (State.NEW, State.REVIEW, State.RELEARNING),
                   (State.LEARNING, State.REVIEW, State.RELEARNING),
                   (None, at, at + 1_500, at + 600_500, at + 86_400_000, at + 3 * 86_400_000 + 43_200_000),
                   (None, 1.0, 5.55, 10.0)))]
    rows = list(revlog_rows(42, answers, itertools.count(1)))
    intervals = [revlog_interval(answer.answered_ms, answer.due_ms, answer.state_after) for answer in answers]
    assert [row[4] for row in rows] == intervals
    assert [row[5] for row in rows] == [0, *intervals[:-1]]
    assert [row[6] for row in rows] == [revlog_factor(answer.difficulty) for answer in answers]
    assert [row[7] for row in rows] == [max(0, answer.duration_ms) for answer in answers]
    assert [row[8] for row in rows] == [KIND_OF_STATE[State(answer.state_before)] for answer in answers]
