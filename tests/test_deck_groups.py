"""A hand edit of a big deck is found without cutting the whole file into chunks nor reading every card's row:
the store keeps the chunks as runs of about 64 KB, hashed (deckfile.chunks.Groups); the file is hashed a run at a
time from both ends, and only the runs that differ are cut and compared. The store ends up as a whole parse."""

from __future__ import annotations

import hashlib
import os
import random
import re

import pytest
from reviewing import write_deck

from flashcards.decks import refresh as deck_refresh
from flashcards.decks.deckfile import chunks
from flashcards.decks.deckfile.chunks import Groups, split_cards
from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.merge import convert
from flashcards.decks.open_decks import DeckViaStore, open_decks
from flashcards.errors import FlashcardsError
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end (randomized rounds of deck edits): run by CI, left out of the quick loop


def rewrite(path, text: str, stamp: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(10**18 + stamp * 10**9,) * 2)


def edit(path, old: str, new: str, stamp: int) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    rewrite(path, text.replace(old, new, 1), stamp)


def assert_runs_describe_the_file(store: Store, key: str, path) -> None:
    """The kept runs start at chunks, in order, from the first; each one's hash is of the file's bytes."""
    data = path.read_bytes()
    layout = split_cards(data)
    groups = Groups.from_blob(store.deck_groups(key))
    assert layout is not None and groups is not None
    assert store.chunk_digests(key) == layout.digests
    assert groups.starts[0] == layout.starts[0] and groups.firsts[0] == 0
    assert [layout.starts[first] for first in groups.firsts] == groups.starts
    assert groups.firsts == sorted(set(groups.firsts))
    for start, end, digest in zip(groups.starts, [*groups.starts[1:], len(data)], groups.digests, strict=True):
        assert hashlib.sha1(data[start:end]).digest() == digest


@pytest.fixture
def small_runs(monkeypatch):
    monkeypatch.setattr(chunks, "GROUP_BYTES", 300)  # a few cards a run: edits meet every kind of boundary


@pytest.fixture
def watched(monkeypatch):
    """How often the whole file was cut, which chunk hashes were read, how many documents were parsed."""
    seen = {"cuts": 0, "read": [], "parsed": 0}
    real_split, real_parse = deck_refresh.split_cards, deck_refresh.parse_deck
    real_digests = Store.chunk_digests

    def split(data):
        seen["cuts"] += 1
        return real_split(data)

    def parse(*args, **kwargs):
        seen["parsed"] += 1
        return real_parse(*args, **kwargs)

    def digests(self, path, first=0, last=None):
        found = real_digests(self, path, first, last)
        seen["read"].append(len(found))
        return found

    monkeypatch.setattr(deck_refresh, "split_cards", split)
    monkeypatch.setattr(deck_refresh, "parse_deck", parse)
    monkeypatch.setattr(Store, "chunk_digests", digests)
    return seen


def test_random_hand_edits_leave_the_store_equal_to_a_whole_parse_and_the_runs_true(tmp_path, small_runs,
                                                                                     monkeypatch):
    patched = []
    real = deck_refresh._patch_by_groups
    monkeypatch.setattr(deck_refresh, "_patch_by_groups", lambda *args: patched.append(real(*args)) or patched[-1])
    rng = random.Random(7)
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 60)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        for round_number in range(150):
            text = deck.read_text(encoding="utf-8")
            head, body = text.split("cards:\n", 1)
            items = [item for item in re.split(r"(?m)^(?=- )", body) if item]
            action = rng.choice(["edit", "longer", "shorter", "swap", "comment", "delete", "insert", "touch"])
            index = rng.randrange(len(items))
            other = rng.randrange(len(items))
            if action == "edit":
                items[index] = items[index].replace("back:", f"back: changed {round_number}", 1)
            elif action == "longer":
                items[index] = items[index].replace("back:", "back: " + "much longer " * rng.randrange(1, 60), 1)
            elif action == "shorter":
                items[index] = re.sub(r"back: .*", "back: short", items[index], count=1)
            elif action == "swap":
                items[index], items[other] = items[other], items[index]
            elif action == "comment":
                items[index] += "# a note of mine\n\n"
            elif action == "delete" and len(items) > 5:
                items.pop(index)
            elif action == "insert":
                items.insert(index, f"- front: new passage {round_number}\n  tags: [ch{round_number}]\n")
            rewrite(deck, head + "cards:\n" + "".join(items), round_number)
            open_decks(store, [deck])
            assert store.deck_cards(opened.key) == load_deck(deck).cards
            assert_runs_describe_the_file(store, opened.key, deck)
    assert sum(found is not None for found in patched) > 80  # most from the runs; cards added or removed: cut whole


def test_a_one_card_edit_cuts_and_reads_only_the_run_it_is_in(tmp_path, small_runs, watched):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 2_000)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        watched.update(cuts=0, read=[], parsed=0)
        edit(deck, "back: commentary 1234\n", "back: edited by hand, and longer than it was, 中文\n", 1)
        open_decks(store, [deck])
        assert watched["cuts"] == 0 and watched["parsed"] == 1
        assert len(watched["read"]) == 1 and watched["read"][0] < 20  # the chunk hashes of one run or two
        cards = store.deck_cards(opened.key)
        assert cards == load_deck(deck).cards and cards[1234].back.startswith("edited by hand")
        assert_runs_describe_the_file(store, opened.key, deck)
        edit(deck, "back: commentary 7\n", "back: then another\n", 2)  # and again, from the runs just kept
        open_decks(store, [deck])
        assert watched["cuts"] == 0 and store.deck_cards(opened.key) == load_deck(deck).cards


def test_cards_added_or_removed_by_hand_are_cut_whole_and_right(tmp_path, small_runs, watched):
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, 200)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        text = deck.read_text(encoding="utf-8")
        start = text.index(f"- id: {ids[100]}")
        rewrite(deck, text[:start] + text[text.index(f"- id: {ids[101]}"):], 1)  # card 100 removed
        watched.update(cuts=0)
        open_decks(store, [deck])
        assert watched["cuts"] == 1 and store.deck_cards(opened.key) == load_deck(deck).cards
        assert_runs_describe_the_file(store, opened.key, deck)


def test_cards_added_or_removed_by_hand_at_the_end_are_found_from_the_runs(tmp_path, small_runs, watched):
    deck = tmp_path / "deck.yaml"
    ids = write_deck(deck, 200)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        watched.update(cuts=0)
        text = deck.read_text(encoding="utf-8")
        rewrite(deck, text + "- front: one more, by hand\n  back: mine\n- front: and another\n", 1)
        open_decks(store, [deck])
        rewrite(deck, text[:text.index(f"- id: {ids[198]}")], 2)  # both, and the last two cards, gone
        open_decks(store, [deck])
        assert watched["cuts"] == 0
        assert store.deck_cards(opened.key) == load_deck(deck).cards and store.cached_deck(opened.key).cards == 198
        assert_runs_describe_the_file(store, opened.key, deck)


def test_a_highlight_added_by_convert_keeps_the_runs_for_the_next_edit(tmp_path, small_runs, watched):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 300)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        for number in range(3):
            export = tmp_path / f"one{number}.txt"
            export.write_text(f"One more passage, number {number}.\nWhy it matters.\n", encoding="utf-8")
            watched.update(cuts=0)
            convert([export], deck, known=DeckViaStore(store))
            assert watched["cuts"] == 0  # neither read nor cut: the store knew the file
            assert_runs_describe_the_file(store, opened.key, deck)
        edit(deck, "back: commentary 299\n", "back: edited after the converts\n", 1)
        open_decks(store, [deck])
        assert watched["cuts"] == 0
        assert store.deck_cards(opened.key) == load_deck(deck).cards and len(load_deck(deck).cards) == 303


def test_an_edit_in_a_session_drops_the_runs_and_the_next_hand_edit_is_still_right(tmp_path, small_runs):
    from flashcards.decks.card_edit import edit_card
    from flashcards.decks.deckfile.edit import card_document

    deck = tmp_path / "deck.yaml"
    write_deck(deck, 100)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        card = store.deck_cards(opened.key)[40]
        edit_card(store, [opened.key], card, card_document(card).replace("commentary 40", "edited in review, longer"))
        assert store.deck_groups(opened.key) is None
        edit(deck, "back: commentary 80\n", "back: by hand\n", 1)
        open_decks(store, [deck])
        assert store.deck_cards(opened.key) == load_deck(deck).cards
        assert_runs_describe_the_file(store, opened.key, deck)


def test_a_broken_edit_is_reported_at_its_line_as_a_whole_parse_reports_it(tmp_path, small_runs):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 100)
    with Store(tmp_path / "fc.db") as store:
        open_decks(store, [deck])
        edit(deck, "back: commentary 60\n", "back: [unclosed\n", 1)
        with pytest.raises(FlashcardsError) as raised:
            open_decks(store, [deck])
        with pytest.raises(FlashcardsError) as whole:
            load_deck(deck)
        assert str(raised.value) == str(whole.value)


def test_runs_are_kept_as_they_were_made():
    groups = Groups([10, 70_000, 140_500], [0, 95, 190], [bytes([n]) * 20 for n in range(3)])
    assert Groups.from_blob(groups.to_blob()) == groups
    assert Groups.from_blob(None) is None and Groups.from_blob(b"odd") is None


def test_a_big_deck_edit_reads_no_row_of_every_card(tmp_path, watched):
    """At the default run length too: a one-card edit in 5,000 cards reads the hashes of one run's cards."""
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 5_000, back="a commentary long enough to make the deck a few hundred kilobytes " * 2)
    with Store(tmp_path / "fc.db") as store:
        (opened,) = open_decks(store, [deck])
        watched.update(cuts=0, read=[], parsed=0)
        edit(deck, "kilobytes  2500\n", "kilobytes, edited 2500\n", 1)
        open_decks(store, [deck])
        assert watched["cuts"] == 0 and watched["parsed"] == 1 and max(watched["read"]) < 1_000
        cards = store.deck_cards(opened.key)
        assert cards == load_deck(deck).cards and cards[2500].back.endswith("kilobytes, edited 2500")
