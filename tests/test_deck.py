"""Deck files: validation with file:line messages, safe YAML only, readable output, atomic writes."""

from __future__ import annotations

import os
import resource

import pytest

from flashcards.decks.deckfile.reader import load_deck, parse_deck
from flashcards.decks.deckfile.writer import dump_deck, save_deck
from flashcards.errors import FlashcardsError
from flashcards.model import Card, Deck, card_id


def _error(text: str) -> str:
    with pytest.raises(FlashcardsError) as error:
        parse_deck(text, "deck.yaml")
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: d\ncards:\n- id: a\n  back: no front here\n", "deck.yaml:3: card has no front"),
        ("name: d\ncards:\n- id: a\n  front:\n    - a list\n", "deck.yaml:5: 'front' must be text, not a list"),
        ("name: d\ncards:\n- id: a\n  front: {x: 1}\n", "deck.yaml:4: 'front' must be text, not a mapping"),
        ("name: d\ncards:\n- id: a\n  front: one\n- id: a\n  front: two\n",
         "deck.yaml:5: duplicate card id 'a' (first at line 3)"),
        ("name: d\ncolour: blue\ncards: []\n", "deck.yaml:2: unknown top-level key 'colour'"),
        ("name: d\ncards:\n- id: a\n  front: x\n  frnot: y\n", "deck.yaml:5: unknown card key 'frnot'"),
        ("name: d\ncards:\n- id: a\n  front: !!python/object/apply:os.system ['echo hi']\n",
         "deck.yaml:4: "),
        ("name: d\ncards: [\n", "deck.yaml:"),
        ("just a string\n", "deck.yaml:1: a deck must be a mapping"),
        ("", "deck.yaml:1: deck is empty"),
    ],
)
def test_each_problem_is_reported_with_its_line(text, expected):
    assert _error(text).startswith(expected)


def test_python_tags_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = f"name: d\ncards:\n- front: !!python/object/apply:os.system ['touch {marker}']\n"
    message = _error(text)
    assert "python/object/apply" in message
    assert not marker.exists()


def test_alias_bomb_fails_fast_with_bounded_memory():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 12):
        prev, cur = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("cards: *l")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = _error("\n".join(lines))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert message.startswith("deck.yaml:1: ")  # refused as it is read: nothing expands
    assert grown_mb < 50
    lines[0] = "tags: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"  # now the first alias is reached
    lines[1:] = ["cards:", "  - front: x", "    tags: [" + ", ".join(["*a"] * 9) + "]"]
    assert _error("\n".join(lines)) == "deck.yaml:4: YAML aliases (*a) are not allowed in decks"


def test_scalars_that_yaml_would_turn_into_other_types_stay_text():
    deck = parse_deck("name: d\ncards:\n- front: yes\n  back: 0x1F\n- front: 1984\n  back: null\n", "d.yaml")
    assert [(c.front, c.back) for c in deck.cards] == [("yes", "0x1F"), ("1984", "")]


def test_card_without_id_gets_the_id_of_its_front():
    deck = parse_deck("cards:\n- front: A  passage\n", "mine.yaml")
    assert deck.name == "mine"
    assert deck.cards[0].id == card_id("A passage")


def test_dump_writes_unicode_as_is_and_multiline_text_as_a_block():
    deck = Deck("读书", [Card("abc", "第一行\n第二行", "注释 — ok", "seeds/x.txt:1", ["书"])])
    text = dump_deck(deck)
    assert "第一行" in text and "\\u" not in text
    assert "front: |-\n    第一行\n    第二行\n" in text
    assert parse_deck(text, "x.yaml") == deck


def test_save_replaces_atomically_and_failure_leaves_old_file_byte_identical(tmp_path, monkeypatch):
    path = tmp_path / "deck.yaml"
    save_deck(Deck("d", [Card("a", "old front")]), path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(FlashcardsError, match="disk full"):
        save_deck(Deck("d", [Card("a", "new front"), Card("b", "more")]), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml"]


def test_load_missing_deck_is_one_line(tmp_path):
    with pytest.raises(FlashcardsError, match=r"nope\.yaml: no such deck file"):
        load_deck(tmp_path / "nope.yaml")
