"""Writing decks: a long card text is written by bigtext byte for byte as libyaml's emitter writes it, without the
two copies of it the emitter holds; dumps joined into one deck never end it early (`...`)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.decks.deckfile import bigtext, writer
from flashcards.decks.deckfile.append import append_cards
from flashcards.decks.deckfile.reader import load_deck, parse_deck
from flashcards.decks.deckfile.writer import dump_deck, dump_yaml, save_deck, write_card_items
from flashcards.model import Card, Deck

pytestmark = pytest.mark.slow  # end to end (passages of tens of MB): run by CI, left out of the quick loop

REPO = Path(__file__).resolve().parent.parent
PIECES = ["a", "b", "word", " ", "  ", "'", ":", ": ", " #", "#", "-", "- ", "?", "[", ",", "\n", "\n\n", "中文",
          "é", "\t", "\x85", "\u2028", "😀", "\ufeff", "...", "---", "1", "2.5", "yes", "null", "~", "|", ">", '"']


@contextmanager
def long_texts_everywhere(width: int):
    """Every card text goes through bigtext, lines are broken at `width` (by the emitter too)."""
    saved = bigtext.BIG, writer._WIDTH
    bigtext.BIG, writer._WIDTH = 0, width
    try:
        yield
    finally:
        bigtext.BIG, writer._WIDTH = saved


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join),
                          st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
                          st.sampled_from(["", "notes.txt:3", "a 'source': here"])), min_size=1, max_size=4),
       st.integers(4, 40))
def test_long_texts_are_written_byte_for_byte_as_the_emitter_writes_them(texts, width):
    cards = [Card(f"{index:016x}", front, back, source, ["t"] if index % 2 else [])
             for index, (front, back, source) in enumerate(texts)]
    with long_texts_everywhere(width):
        expected = dump_yaml([writer._card_entry(card) for card in cards])
        written = io.StringIO()
        write_card_items(written, cards)
    assert written.getvalue() == expected


def test_every_style_bigtext_writes_is_met():
    assert [bigtext.style_of(text) for text in ["plain words", "it's: quoted", "two\nlines", "ends\n\n", "tab\there"]] \
        == ["", "'", "|", None, None]


def test_a_text_keeping_its_last_line_ends_does_not_end_the_deck(tmp_path):
    """A `|+` block makes the emitter end its dump with `...`; between two dumps of one deck that ended the deck."""
    cards = [Card(f"{index:016x}", f"front {index}", "kept\n\n" if index in (3, 700) else "b") for index in range(1200)]
    deck = Deck("x", cards)
    text = dump_deck(deck)
    assert text.count("\n...\n") == 0  # (the last card's text is plain: no marker at the very end either)
    assert parse_deck(text.encode(), "deck.yaml").cards == cards
    path = tmp_path / "deck.yaml"
    save_deck(deck, path)
    more = [Card(f"{2000 + index:016x}", f"new {index}", "kept too\n\n") for index in range(3)]
    assert append_cards(path, more, (path.stat().st_mtime_ns, path.stat().st_size)) is not None
    assert load_deck(path).cards == [*cards, *more]


def test_a_marker_at_the_very_end_stays_as_the_emitter_wrote_it():
    deck = Deck("x", [Card("a", "front", "b"), Card("b", "last", "kept\n\n")])
    assert dump_deck(deck) == dump_yaml({"name": "x"}) + "cards:\n" + dump_yaml([writer._card_entry(card)
                                                                                for card in deck.cards])


_WRITE_LONG = """
import resource, sys
from pathlib import Path
from flashcards.decks.deckfile.writer import save_deck
from flashcards.model import Card, Deck
size = int(sys.argv[2])
text = {"plain": "word " * (size // 5) + "end", "quoted": "it's: " * (size // 6) + "end",
        "literal": "a line of text\\n" * (size // 15)}[sys.argv[1]]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
save_deck(Deck("x", [Card("a", text, "note")]), Path(sys.argv[3]))
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def test_a_40_mb_passage_is_written_without_a_copy_of_it(tmp_path):
    """The emitter would hold two copies (80 MB more); bigtext writes a piece at a time."""
    size = 40 * 2**20
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    for style in ("plain", "quoted", "literal"):
        out = tmp_path / f"{style}.yaml"
        done = subprocess.run([sys.executable, "-c", _WRITE_LONG, style, str(size), str(out)], capture_output=True,
                              text=True, env=env, check=True)
        grown = int(done.stdout)
        assert grown < size // 4, f"{style}: grew {grown / 2**20:.0f} MiB"
        [card] = load_deck(out).cards
        assert len(card.front) > size * 0.9
