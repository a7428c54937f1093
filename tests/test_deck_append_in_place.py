"""Convert adds new cards at the end of the deck file itself (only the new bytes are written), under a journal: an
append killed halfway, or stopped by a full disk, never leaves half a card for the next command to read."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys

import pytest

from conftest import run_cli
from flashcards.decks.deckfile import journal
from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.merge import convert
from flashcards.errors import FlashcardsError

KILLED_WRITING = """
import os, signal, sys
from pathlib import Path
from flashcards.decks.deckfile import journal
from flashcards.decks.merge import convert

real = os.pwrite

def half_then_killed(fd, data, offset):
    real(fd, data[:len(data) // 2], offset)
    os.kill(os.getpid(), signal.SIGKILL)

journal.os.pwrite = half_then_killed
convert([Path(sys.argv[1])], Path(sys.argv[2]))
"""

KILLED_BEFORE_THE_JOURNAL_GOES = """
import os, signal, sys
from pathlib import Path
from flashcards.decks.merge import convert

real = Path.unlink

def killed(self, missing_ok=False):
    if self.name.endswith(".append"):
        os.kill(os.getpid(), signal.SIGKILL)
    real(self, missing_ok)

Path.unlink = killed
convert([Path(sys.argv[1])], Path(sys.argv[2]))
"""


def pairs(path, *fronts: str):
    path.write_text("".join(f"{front}\ncommentary on {front}\n\n" for front in fronts), encoding="utf-8")
    return path


def killed(script: str, export, deck) -> None:
    proc = subprocess.run([sys.executable, "-c", script, str(export), str(deck)], capture_output=True, timeout=60,
                          check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@pytest.fixture
def deck(tmp_path):
    path = tmp_path / "deck.yaml"
    convert([pairs(tmp_path / "first.txt", *(f"Passage {n}." for n in range(50)))], path)
    return path


def test_an_append_writes_into_the_deck_file_itself_and_leaves_nothing_beside_it(tmp_path, deck):
    before, inode = deck.read_bytes(), deck.stat().st_ino
    convert([pairs(tmp_path / "one.txt", "One more passage.")], deck)
    after = deck.read_bytes()
    assert after.startswith(before) and b"One more passage." in after[len(before):]
    assert deck.stat().st_ino == inode  # not a copy renamed over it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml", "first.txt", "one.txt"]


def test_an_append_killed_halfway_is_undone_before_the_next_command_reads_the_deck(tmp_path, deck):
    before = deck.read_bytes()
    export = pairs(tmp_path / "one.txt", "One more passage, killed while written.")
    killed(KILLED_WRITING, export, deck)
    assert len(before) < deck.stat().st_size and journal.journal_path(deck).exists()  # half a card, as left

    result = run_cli("due", str(deck), env={"FLASHCARDS_DB": str(tmp_path / "fc.db")})
    assert result.code == 0, result.stderr
    assert deck.read_bytes() == before and not journal.journal_path(deck).exists()
    convert([export], deck)  # and the convert run again adds the card, once
    assert [card.front for card in load_deck(deck).cards].count("One more passage, killed while written.") == 1


def test_an_append_killed_after_every_byte_was_synced_keeps_its_cards(tmp_path, deck):
    export = pairs(tmp_path / "one.txt", "One more passage, all of it written.")
    killed(KILLED_BEFORE_THE_JOURNAL_GOES, export, deck)
    assert journal.journal_path(deck).exists()
    cards = load_deck(deck).cards  # any read finishes the append's work first
    assert cards[-1].front == "One more passage, all of it written." and len(cards) == 51
    assert not journal.journal_path(deck).exists()


def test_a_deck_saved_by_hand_after_a_killed_append_is_left_as_the_person_saved_it(tmp_path, deck):
    killed(KILLED_WRITING, pairs(tmp_path / "one.txt", "One more passage."), deck)
    saved = deck.read_text(encoding="utf-8").rsplit("- id:", 1)[0] + "# the half card deleted by hand\n"
    replacement = tmp_path / "saved.yaml"
    replacement.write_text(saved, encoding="utf-8")
    os.replace(replacement, deck)  # an editor's save: a new file renamed over the old one
    assert len(load_deck(deck).cards) == 50
    assert deck.read_text(encoding="utf-8") == saved and not journal.journal_path(deck).exists()


def test_a_full_disk_during_an_append_leaves_the_deck_byte_identical(tmp_path, deck, monkeypatch):
    before = deck.read_bytes()
    real = os.pwrite

    def full(fd, data, offset):
        real(fd, data[:len(data) // 2], offset)  # half lands, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal.os, "pwrite", full)
    with pytest.raises(FlashcardsError, match="disk full"):
        convert([pairs(tmp_path / "one.txt", "One more passage.")], deck)
    assert deck.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml", "first.txt", "one.txt"]
