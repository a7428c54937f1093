"""Editing one card in place (`e` in the reviewer): only its lines change, its id and history stay."""

from __future__ import annotations

import pytest
from reviewing import FrozenClock, Reviewing

from flashcards.decks.deckfile.edit import card_document
from flashcards.decks.deckfile.reader import load_deck
from flashcards.errors import FlashcardsError
from flashcards.model import Rating
from flashcards.settings import Settings
from flashcards.store import Store

HAND_WRITTEN = """\
# my reading deck: comments, blank lines, flow lists and block text are mine
name: reading
cards:
# favourite
- front: Que sais-je ?
  back: Montaigne's motto
  tags: [essays]

- front: 学而时习之，不亦说乎
  back: |
    Confucius, Analects 1.1
    学 and 习 are not the same.
  tags: [classics, 论语]
  # keep this note

- front: The unexamined life is not worth living
  source: Apology 38a
"""


@pytest.fixture
def reviewing(tmp_path):
    deck = tmp_path / "reading.yaml"
    deck.write_text(HAND_WRITTEN, encoding="utf-8")
    with Store(tmp_path / "fc.db") as store:
        yield Reviewing(store, [deck], FrozenClock(), Settings(fuzz=False))


def second_card(session):
    session.answer(session.next_card(), Rating.EASY)
    shown = session.next_card()
    assert shown.card.front.startswith("学而")
    return shown


def test_an_edit_changes_only_the_lines_of_its_card_and_keeps_its_id_and_history(reviewing):
    session = reviewing.session()
    shown = second_card(session)
    session.answer(shown, Rating.GOOD)
    document = card_document(shown.card).replace("Confucius, Analects 1.1", "Confucius, Analects I.1 (edited)")
    edited = session.edit(shown, document)
    text = reviewing.deck_paths[0].read_text(encoding="utf-8")
    before, after = HAND_WRITTEN.split("- front: 学而")[0], HAND_WRITTEN.split("  # keep this note")[1]
    assert text.startswith(before) and text.endswith("  # keep this note" + after)  # every other byte kept
    assert "Analects I.1 (edited)" in text and f"id: {shown.card.id}" in text
    assert edited.card.id == shown.card.id and edited.card.back.startswith("Confucius, Analects I.1 (edited)")
    deck = load_deck(reviewing.deck_paths[0])
    assert [card.front for card in deck.cards] == ["Que sais-je ?", "学而时习之，不亦说乎",
                                                   "The unexamined life is not worth living"]
    assert deck.cards[1].tags == ["classics", "论语"]
    row = reviewing.store.card(shown.card.id)
    assert row.schedule.reps == 1  # the history stays with the card
    reopened = reviewing.session()  # the store's copy was updated: nothing to parse, the new text shows
    assert reopened.store.card_text(shown.card.id, reopened._keys)[1].back.startswith("Confucius, Analects I.1")


def test_a_document_that_does_not_parse_or_has_no_front_changes_nothing(reviewing):
    session = reviewing.session()
    shown = second_card(session)
    for broken, why in (("front: [unclosed\n", "invalid YAML"), ("front: ''\nback: x\n", "no front"),
                        ("front: x\ncolour: red\n", "colour")):
        with pytest.raises(FlashcardsError, match=why):
            session.edit(shown, broken)
        assert reviewing.deck_paths[0].read_text(encoding="utf-8") == HAND_WRITTEN


def test_a_deck_changed_on_disk_since_it_was_read_is_not_overwritten(reviewing):
    session = reviewing.session()
    shown = second_card(session)
    changed = HAND_WRITTEN + "# added by hand meanwhile\n"
    reviewing.deck_paths[0].write_text(changed, encoding="utf-8")
    with pytest.raises(FlashcardsError, match="changed on disk"):
        session.edit(shown, card_document(shown.card).replace("Confucius", "K'ung"))
    assert reviewing.deck_paths[0].read_text(encoding="utf-8") == changed
