"""A hand edit of a big deck costs the edited cards only: the store re-parses just the chunks whose text changed,
and ends up with exactly what a whole parse gives (errors included, at their file:line)."""

from __future__ import annotations

import os
import random
import re
import sqlite3

import pytest
from reviewing import write_deck

from flashcards.decks import refresh as deck_refresh
from flashcards.decks.deckfile.chunks import split_cards
from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.open_decks import open_decks
from flashcards.errors import FlashcardsError
from flashcards.store import Store


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # a later time even on a coarse clock


@pytest.fixture
def counted_parses(monkeypatch):
    """How many times a whole file and how many single chunks were parsed."""
    counts = {"whole": 0, "chunks": 0}
    real = deck_refresh.parse_deck

    def parse(data, name, progress=None, card_lines=None, on_card=None):
        counts["whole" if card_lines is not None else "chunks"] += 1
        return real(data, name, progress, card_lines, on_card)

    monkeypatch.setattr(deck_refresh, "parse_deck", parse)
    return counts


def test_a_one_card_edit_parses_that_card_alone_and_the_store_has_the_new_text(tmp_path, counted_parses):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 300)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        times = store.changed_times(opened.key)
        edit(deck, "back: commentary 150\n", "back: edited by hand, 中文\n")
        open_decks(store, [deck])
        assert counted_parses == {"whole": 1, "chunks": 1}
        cards = store.deck_cards(opened.key)
        assert cards == load_deck(deck).cards and cards[150].back == "edited by hand, 中文"
        after = store.changed_times(opened.key)
        assert [card for card in after if after[card] != times[card]] == [cards[150].id]  # only its note is newer



def test_thousands_of_cards_added_at_the_end_are_parsed_as_one_run_not_one_by_one(tmp_path, counted_parses):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 10)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        more = tmp_path / "more.yaml"
        write_deck(more, 3_000)
        added = more.read_text(encoding="utf-8").split("cards:\n", 1)[1]
        text = deck.read_text(encoding="utf-8")
        deck.write_text(text + added.replace("id: ", "id: f"), encoding="utf-8")  # other ids than the first ten
        edit(deck, "back: commentary 2\n", "back: edited too\n")
        open_decks(store, [deck])
        assert counted_parses == {"whole": 1, "chunks": 2}  # the edited card, and the 3,000 added as one document
        cards = store.deck_cards(opened.key)
        assert len(cards) == 3_010 and cards == load_deck(deck).cards and cards[2].back == "edited too"

def test_an_error_in_an_edited_card_names_its_file_and_line(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 50)
    with Store(tmp_path / "fc.db") as store:
        open_decks(store, [deck])
        line = deck.read_text().splitlines().index("  back: commentary 30") + 1
        edit(deck, "  back: commentary 30\n", "  back: [unclosed\n")
        with pytest.raises(FlashcardsError) as raised:
            open_decks(store, [deck])
        assert str(raised.value).startswith(f"{deck}:{line + 1}:") or str(raised.value).startswith(f"{deck}:{line}:")
        with pytest.raises(FlashcardsError) as whole:
            load_deck(deck)
        assert str(raised.value) == str(whole.value)


def test_an_edit_that_repeats_an_id_is_refused_with_both_lines(tmp_path):
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, 20)
    with Store(tmp_path / "fc.db") as store:
        open_decks(store, [deck])
        edit(deck, f"id: {ids[12]}", f"id: {ids[3]}")
        with pytest.raises(FlashcardsError, match=r"duplicate card id .* \(first at line \d+\)"):
            open_decks(store, [deck])


def test_random_hand_edits_leave_the_store_equal_to_a_whole_parse(tmp_path, counted_parses):
    """Moves, deletions, insertions, comments and edits, checked against the whole file's parse each time."""
    rng = random.Random(3)
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 40)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        for round_number in range(60):
            text = deck.read_text(encoding="utf-8")
            head, body = text.split("cards:\n", 1)
            items = re.split(r"(?m)^(?=- )", body)
            items = [item for item in items if item]
            action = rng.choice(["edit", "delete", "move", "insert", "comment", "duplicate", "break"])
            index = rng.randrange(len(items)) if items else 0
            if action == "edit" and items:
                items[index] = items[index].replace("back:", f"back: changed {round_number}", 1)
            elif action == "delete" and len(items) > 1:
                items.pop(index)
            elif action == "move" and items:
                items.insert(rng.randrange(len(items)), items.pop(index))
            elif action == "insert":
                items.insert(index, f"- front: new passage {round_number}\n  tags: [ch{round_number}]\n")
            elif action == "comment" and items:
                items[index] += "# a note of mine\n\n"
            elif action == "duplicate" and items:
                items.insert(index, items[index])
            elif action == "break" and items:
                items[index] = items[index].replace("front:", "front: [", 1)
            deck.write_text(head + "cards:\n" + "".join(items), encoding="utf-8")
            os.utime(deck, ns=(10**18 + round_number * 10**9,) * 2)
            try:
                expected = load_deck(deck).cards
            except FlashcardsError as error:
                with pytest.raises(FlashcardsError) as raised:
                    open_decks(store, [deck])
                assert str(raised.value) == str(error)
                deck.write_text(text, encoding="utf-8")  # undo the breaking edit
                os.utime(deck, ns=(10**18 + round_number * 10**9 + 1,) * 2)
                expected = load_deck(deck).cards
            open_decks(store, [deck])
            assert store.deck_cards(opened.key) == expected
        assert counted_parses["chunks"] > 10 and counted_parses["whole"] < 40  # mostly chunks, whole on doubt


def test_decks_of_another_shape_are_parsed_whole(tmp_path):
    deck = tmp_path / "deck.yaml"
    deck.write_text("cards:\n- front: a\n- front: b\nname: keys after the list\n", encoding="utf-8")
    assert split_cards(deck.read_bytes()) is None
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        assert [card.front for card in store.deck_cards(opened.key)] == ["a", "b"] and opened.name == "keys after the list"


@pytest.mark.parametrize(("text", "lines"), [
    ("name: x\ncards:\n- id: a\n  front: b\n# c\n\n- front: |\n    x\n    - y\n  tags: [ch1]\n", [3, 7]),
    ("name: x\ncards:\n  # mine\n  - front: a\n  - front: b\n", [4, 5]),
    ("cards:\n- front: a\n", [2]),
    ("name: x\ncards:\n# nothing yet\n", []),
    ("cards:\n  - front: a\n - front: b\n", None),  # items at two indentations
    ("cards:\n- front: a\nname: x\n", None),  # a key after the list
    ("cards: []\n", None),
    ("cards:\n- front: a\n---\n", None),
])
def test_a_deck_is_cut_into_one_chunk_per_card_by_text_only_when_its_shape_is_plain(text, lines):
    layout = split_cards(text.encode())
    assert (layout.lines() if layout is not None else None) == lines


def test_a_whole_parse_keeps_the_change_time_of_cards_it_did_not_change(tmp_path, counted_parses):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 40)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        times = store.changed_times(opened.key)
        edit(deck, "name: test\n", "name: renamed by hand\n")  # a new header: the whole file is parsed
        edit(deck, "back: commentary 7\n", "back: edited with it\n")
        (reopened,) = open_decks(store, [deck])
        assert counted_parses["whole"] == 2 and reopened.name == "renamed by hand"
        cards = store.deck_cards(opened.key)
        assert cards == load_deck(deck).cards
        after = store.changed_times(opened.key)
        assert [card for card in after if after[card] != times[card]] == [cards[7].id]
        assert after[cards[7].id] > times[cards[7].id]


def test_a_whole_parse_that_fails_leaves_the_cache_as_it_was(tmp_path):
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, 30)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        before = store.deck_cards(opened.key)
        edit(deck, "name: test\n", "name: renamed\n")
        edit(deck, f"id: {ids[29]}", f"id: {ids[0]}")  # found only at the very end of the parse
        with pytest.raises(FlashcardsError, match="duplicate card id"):
            open_decks(store, [deck])
        assert store.deck_cards(opened.key) == before and store.cached_deck(opened.key).name == "test"
        edit(deck, f"id: {ids[0]}\n  front: passage test 29", f"id: {ids[29]}\n  front: passage test 29")
        (reopened,) = open_decks(store, [deck])  # mended: nothing of the failed parse is left over
        assert reopened.name == "renamed" and store.deck_cards(opened.key) == load_deck(deck).cards


def test_the_store_is_not_locked_while_a_deck_is_parsed(tmp_path, monkeypatch):
    """A review in another terminal keeps saving its answers while this one parses a big deck: the parsed
    cards wait in a temporary table, and the store is written in one short transaction at the end."""
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 50)
    db = tmp_path / "fc.db"
    real = deck_refresh.parse_deck
    locked_meanwhile = []

    def parse(data, name, progress=None, card_lines=None, on_card=None):
        def take(card):
            if len(locked_meanwhile) < 1:
                other = sqlite3.connect(db, timeout=0, isolation_level=None)
                try:
                    other.execute("BEGIN IMMEDIATE")  # what an answer's transaction takes first
                    other.execute("ROLLBACK")
                    locked_meanwhile.append(False)
                except sqlite3.OperationalError:
                    locked_meanwhile.append(True)
                finally:
                    other.close()
            on_card(card)
        return real(data, name, progress, card_lines, take if on_card else None)

    monkeypatch.setattr(deck_refresh, "parse_deck", parse)
    with Store(db) as store:
        (opened,) = open_decks(store, [deck])
        assert locked_meanwhile == [False]
        assert store.deck_cards(opened.key) == load_deck(deck).cards
