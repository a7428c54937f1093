"""Any text survives convert, save, load and export: from a Hypothesis export (JSON carries any text) into a
deck file, back out of it, and into real Anki, where each field shows exactly that text."""

from __future__ import annotations

import html
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from texts import YAML_TRAPS

from conftest import import_apkg
from flashcards.anki.package_out import export_decks, field_html
from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.merge import convert

pytestmark = pytest.mark.slow  # end to end: run by CI, left out of the quick loop (-m "not slow")

TEXT = st.one_of(st.text(min_size=1, max_size=30), YAML_TRAPS, st.lists(YAML_TRAPS, min_size=1, max_size=4).map("".join))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(TEXT.filter(lambda t: t.strip()), TEXT), min_size=1, max_size=12))
def test_any_text_survives_convert_save_load_and_export(tmp_path_factory, pairs):
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("trip")
    rows = [{"uri": "https://example.org/a", "text": back, "tags": [],
             "target": [{"selector": [{"type": "TextQuoteSelector", "exact": f"{index}: {front}"}]}]}
            for index, (front, back) in enumerate(pairs)]
    export = folder / "annotations.json"
    export.write_text(json.dumps({"rows": rows}), encoding="utf-8")
    deck_path = folder / "deck.yaml"
    convert([export], deck_path, fmt="hypothesis")
    deck = load_deck(deck_path)
    expected = {f"{index}: {front}".strip(): back.strip() for index, (front, back) in enumerate(pairs)}
    got = {card.front: card.back for card in deck.cards}
    for front, back in expected.items():  # equal passages merge, so look each one up
        assert front in got and back in got[front]

    export_decks([deck], folder / "deck.apkg")
    col = Collection(str(folder / "c.anki2"))
    try:
        import_apkg(col, folder / "deck.apkg")
        notes = [col.get_note(nid) for nid in col.find_notes("")]
        assert len(notes) == len(deck.cards)
        by_front = {card.front: card for card in deck.cards}
        shown = {html.unescape(note["Passage"]): note for note in notes}
        for front, card in by_front.items():
            note = shown[html.unescape(field_html(front))]
            assert html.unescape(note["Commentary"]) == html.unescape(field_html(card.back))
    finally:
        col.close()
