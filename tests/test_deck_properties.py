"""Property tests: any text survives save and load unchanged, and any bytes give only our one-line error."""

from __future__ import annotations

import html
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from texts import YAML_TRAPS

from flashcards.anki.package_out import field_html
from flashcards.decks.deckfile.reader import parse_deck
from flashcards.decks.deckfile.writer import dump_deck
from flashcards.errors import FlashcardsError
from flashcards.model import Card, Deck

pytestmark = pytest.mark.slow  # end to end (randomized deck files): run by CI, left out of the quick loop

TEXT = st.one_of(st.text(), YAML_TRAPS, st.lists(YAML_TRAPS, max_size=4).map("".join))
FRONT = TEXT.filter(lambda text: text.strip())


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT.filter(lambda text: text.strip()), front=FRONT, back=TEXT, source=TEXT,
       tags=st.lists(TEXT.filter(lambda text: text.strip()), max_size=3))
def test_any_text_survives_save_and_load_unchanged(name, front, back, source, tags):
    deck = Deck(name, [Card("0123456789abcdef", front, back, source, tags)], tags=tags)
    loaded = parse_deck(dump_deck(deck).encode("utf-8"), "deck.yaml")
    assert loaded == deck


@settings(max_examples=400)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_escape_as_anything_but_our_error(data):
    try:
        parse_deck(data, "deck.yaml")
    except FlashcardsError as error:
        assert str(error).startswith("deck.yaml")
        assert "\n" not in str(error)


@settings(max_examples=300)
@given(text=st.text())
def test_arbitrary_yaml_text_never_escapes_as_anything_but_our_error(text):
    try:
        parse_deck(text, "deck.yaml")
    except FlashcardsError as error:
        assert "\n" not in str(error)


@given(text=TEXT)
def test_field_html_keeps_every_character_but_controls_anki_cannot_store(text):
    printable = "".join(ch for ch in text if ch in "\t\n" or not (ord(ch) < 32 or ord(ch) == 127))
    assert html.unescape(field_html(text).replace("<br>", "\n")) == unicodedata.normalize("NFC", printable)
    assert "<" not in field_html(text).replace("<br>", "")
    assert "[" not in field_html(text)
    assert "\x1f" not in field_html(text) and "\x00" not in field_html(text)
