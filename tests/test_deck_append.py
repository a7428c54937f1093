"""Converting into a deck the person wrote by hand keeps every byte of it: new cards are appended as text."""

from __future__ import annotations

import os

import pytest

from conftest import run_cli
from flashcards.decks.deckfile import file_state
from flashcards.decks.deckfile.append import layout
from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.merge import convert
from flashcards.decks.open_decks import open_decks
from flashcards.errors import FlashcardsError
from flashcards.model import card_id
from flashcards.store import Store

HAND_WRITTEN = """\
# my reading deck
name: Essays   # renamed once

tags: [reading]
cards:
  # my favourite
  - front: The map is not the territory.
    back: |
      Korzybski.

        indented line kept
    tags: [ch1]

  - front: "Quoted: front"   # why quoted
    source: a book
"""


def pairs(tmp_path, *fronts: str):
    export = tmp_path / "export.txt"
    export.write_text("".join(f"{front}\ncommentary on {front}\n\n" for front in fronts), encoding="utf-8")
    return export


def test_converting_into_a_hand_written_deck_keeps_every_byte_and_adds_the_new_cards(tmp_path):
    deck = tmp_path / "deck.yaml"
    deck.write_text(HAND_WRITTEN, encoding="utf-8")
    before = load_deck(deck)
    report = convert([pairs(tmp_path, "A new passage.", "The map is not the territory.", "Third passage.")], deck)
    after = deck.read_text(encoding="utf-8")
    assert after.startswith(HAND_WRITTEN)
    assert (report.added, report.already, report.total_cards) == (2, 1, 4)
    loaded = load_deck(deck)
    assert loaded.cards[:2] == before.cards and loaded.name == "Essays" and loaded.tags == ["reading"]
    assert [card.id for card in loaded.cards[2:]] == [card_id("A new passage."), card_id("Third passage.")]
    assert all(line.startswith("  ") for line in after[len(HAND_WRITTEN):].splitlines())  # indented like its items


@pytest.mark.parametrize(("text", "expect_prefix"), [
    ("name: empty\ncards: []\n", "name: empty\ncards:\n"),
    ("name: no list yet\n# still nothing", "name: no list yet\n# still nothing\ncards:\n"),
    ("name: x\ncards:\n- front: last line without newline", "name: x\ncards:\n- front: last line without newline\n- id:"),
])
def test_new_cards_go_into_empty_or_missing_lists_too(tmp_path, text, expect_prefix):
    deck = tmp_path / "deck.yaml"
    deck.write_text(text, encoding="utf-8")
    convert([pairs(tmp_path, "Fresh passage.")], deck)
    assert deck.read_text(encoding="utf-8").startswith(expect_prefix)
    assert load_deck(deck).cards[-1].front == "Fresh passage."


def test_a_deck_whose_shape_cannot_take_an_append_is_written_whole_with_the_same_cards(tmp_path):
    deck = tmp_path / "deck.yaml"
    deck.write_text("cards: [{front: a}]\nname: flow\n", encoding="utf-8")
    assert layout(deck.read_bytes()) is None
    convert([pairs(tmp_path, "b")], deck)
    assert [card.front for card in load_deck(deck).cards] == ["a", "b"] and load_deck(deck).name == "flow"


def test_a_broken_deck_is_refused_with_its_line_and_left_as_it_was(tmp_path):
    deck = tmp_path / "deck.yaml"
    deck.write_text("name: x\ncards:\n- front: [unclosed\n", encoding="utf-8")
    with pytest.raises(FlashcardsError, match=r"deck.yaml:\d+:"):
        convert([pairs(tmp_path, "b")], deck)
    assert deck.read_text(encoding="utf-8") == "name: x\ncards:\n- front: [unclosed\n"


def test_convert_with_a_store_knows_ids_from_its_cache_and_caches_what_it_appended(tmp_path):
    deck = tmp_path / "deck.yaml"
    deck.write_text(HAND_WRITTEN, encoding="utf-8")
    db = tmp_path / "fc.db"
    assert run_cli("due", str(deck), env={"FLASHCARDS_DB": str(db)}).code == 0  # the store caches the deck
    result = run_cli("convert", str(pairs(tmp_path, "Another one.")), "-o", str(deck), env={"FLASHCARDS_DB": str(db)})
    assert result.code == 0, result.stderr
    assert deck.read_text(encoding="utf-8").startswith(HAND_WRITTEN)
    with Store(db) as store:
        cached = store.cached_deck(str(deck.resolve()))
        assert (cached.mtime_ns, cached.size) == file_state(deck)  # the next command parses nothing
        assert store.deck_cards(cached.path) == load_deck(deck).cards
        parsed = []
        os.utime(deck)  # and once the file looks changed, only chunks are compared, nothing parsed whole
        (opened,) = open_decks(store, [deck], parsed.append)
        assert parsed == [] and store.deck_cards(opened.key)[-1].front == "Another one."
