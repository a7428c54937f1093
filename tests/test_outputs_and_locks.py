"""Decks and outputs are never lost to a second writer, a symlink, a device or a wrong -o; reads are bounded."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import flashcards.decks.deckfile.writer as writer_module
from conftest import run_cli
from flashcards.decks.deckfile.reader import load_deck
from flashcards.decks.merge import convert
from flashcards.errors import FlashcardsError

pytestmark = pytest.mark.slow  # end to end (the CLI on pipes, FIFOs and held locks): run by CI, left out of the quick loop


def pairs_file(path, count: int, label: str) -> None:
    path.write_text("".join(f"passage {label} number {i}\ncommentary {label} {i}\n" for i in range(count)),
                    encoding="utf-8")


def test_two_converts_at_once_into_one_deck_lose_no_cards(tmp_path):
    deck = tmp_path / "deck.yaml"
    inputs = []
    for label in ("a", "b"):
        pairs_file(tmp_path / f"{label}.txt", 4000, label)
        inputs.append(tmp_path / f"{label}.txt")
    env = {**os.environ, "NO_COLOR": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "flashcards", "convert", str(path), "-o", str(deck)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in inputs]
    results = [(proc.wait(120), proc.stderr.read()) for proc in procs]
    assert all(code == 0 for code, _ in results), results
    assert len(load_deck(deck).cards) == 8000


def test_a_hand_edit_saved_while_convert_appends_to_the_deck_is_kept(tmp_path, monkeypatch):
    import flashcards.decks.deckfile.append as append_module

    export = tmp_path / "e.txt"
    pairs_file(export, 3, "x")
    deck = tmp_path / "deck.yaml"
    convert([export], deck)
    pairs_file(export, 6, "x")
    real = append_module.cards_text

    def edit_while_writing(cards, indent=0):
        deck.write_text(deck.read_text(encoding="utf-8") + "# saved by hand meanwhile\n", "utf-8")
        return real(cards, indent)

    monkeypatch.setattr(append_module, "cards_text", edit_while_writing)
    with pytest.raises(FlashcardsError, match="changed on disk"):
        convert([export], deck)
    assert deck.read_text(encoding="utf-8").endswith("# saved by hand meanwhile\n")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_hand_edit_saved_while_convert_rewrites_the_deck_is_kept(tmp_path, monkeypatch):
    export = tmp_path / "e.txt"
    pairs_file(export, 3, "x")
    deck = tmp_path / "deck.yaml"
    convert([export], deck)
    pairs_file(export, 6, "x")
    real = writer_module.write_deck_yaml

    def edit_while_writing(stream, d, cards=None):
        deck.write_text(deck.read_text(encoding="utf-8") + "# saved by hand meanwhile\n", "utf-8")
        real(stream, d, cards)

    monkeypatch.setattr(writer_module, "write_deck_yaml", edit_while_writing)
    with pytest.raises(FlashcardsError, match="changed on disk"):
        convert([export], deck, name="renamed")  # a rename writes the deck whole
    assert deck.read_text(encoding="utf-8").endswith("# saved by hand meanwhile\n")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_second_writer_waits_for_the_first_and_then_builds_on_its_cards(tmp_path):
    from flashcards.decks.locks import deck_lock

    deck = tmp_path / "deck.yaml"
    export = tmp_path / "e.txt"
    pairs_file(export, 5, "y")
    with deck_lock(deck):  # another writer holds the deck
        proc = subprocess.Popen([sys.executable, "-m", "flashcards", "convert", str(export), "-o", str(deck)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert proc.poll() is None and not deck.exists()  # still waiting, nothing written
    assert proc.wait(60) == 0
    assert len(load_deck(deck).cards) == 5


def test_convert_into_a_symlinked_deck_writes_its_target(tmp_path):
    real = tmp_path / "real.yaml"
    link = tmp_path / "link.yaml"
    pairs_file(tmp_path / "a.txt", 2, "a")
    pairs_file(tmp_path / "b.txt", 3, "b")
    assert run_cli("convert", str(tmp_path / "a.txt"), "-o", str(real)).code == 0
    link.symlink_to(real)
    assert run_cli("convert", str(tmp_path / "b.txt"), "-o", str(link)).code == 0
    assert link.is_symlink() and len(load_deck(real).cards) == 5


def test_export_and_stats_html_refuse_to_overwrite_a_deck(tmp_path):
    deck = tmp_path / "deck.yaml"
    pairs_file(tmp_path / "a.txt", 2, "a")
    assert run_cli("convert", str(tmp_path / "a.txt"), "-o", str(deck)).code == 0
    before = deck.read_bytes()
    db = str(tmp_path / "fc.db")
    renamed = tmp_path / "deck.txt"  # a deck by its content, whatever its name
    renamed.write_bytes(before)
    for args in (("export", str(deck), "-o", str(deck)), ("stats", "--html", str(deck)),
                 ("export", str(deck), "-o", str(renamed))):
        result = run_cli(*args, "--db", db)
        assert result.code == 1 and "is a deck file; refusing to overwrite it" in result.stderr, (args, result.stderr)
    assert deck.read_bytes() == before and renamed.read_bytes() == before


def test_outputs_that_are_not_regular_files_are_written_into_never_replaced(tmp_path):
    deck = tmp_path / "deck.yaml"
    pairs_file(tmp_path / "a.txt", 2, "a")
    assert run_cli("convert", str(tmp_path / "a.txt"), "-o", str(deck)).code == 0
    fifo = tmp_path / "out.pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = run_cli("export", str(deck), "-o", str(fifo), "--db", str(tmp_path / "fc.db"))
    data = reader.communicate(timeout=30)[0]
    assert result.code == 0, result.stderr
    assert data[:2] == b"PK" and fifo.exists() and not fifo.is_file()  # a zip went through; the pipe is still one
    full = run_cli("stats", "--html", "/dev/full", "--db", str(tmp_path / "fc.db"))
    assert full.code == 1 and full.stderr.strip() == "error: /dev/full: cannot write (disk full)"
    convert_full = run_cli("convert", str(tmp_path / "a.txt"), "-o", "/dev/full")
    assert convert_full.code == 1 and "disk full" in convert_full.stderr
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")


@pytest.mark.parametrize("args", [("convert", "/dev/zero", "-o", "{tmp}/d.yaml"), ("due", "/dev/zero")])
def test_endless_inputs_end_with_one_line_quickly(tmp_path, args):
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    started = time.monotonic()
    result = run_cli(*args, "--db", str(tmp_path / "fc.db")) if args[0] == "due" else run_cli(*args)
    assert time.monotonic() - started < 10
    assert result.code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "binary" in result.stderr


def test_a_pipe_longer_than_the_cap_is_refused_after_the_cap(tmp_path, monkeypatch):
    import flashcards.files.textio as textio

    big = tmp_path / "big.pipe"
    os.mkfifo(big)
    writer = subprocess.Popen(["sh", "-c", f"yes 'a line of text' > {big}"], stderr=subprocess.DEVNULL)
    try:
        with pytest.raises(FlashcardsError, match="more than 1 MiB"):
            textio.read_bounded(big, str(big), cap=2**20)
    finally:
        writer.kill()
        writer.wait()
