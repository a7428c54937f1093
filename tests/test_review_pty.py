"""`flashcards review` driven through a real pseudo-terminal, as a person types, then the store checked."""

from __future__ import annotations

import os
import sys

import pexpect
import pytest
from reviewing import write_deck

from conftest import run_cli
from flashcards.model import State
from flashcards.settings import Settings, save_settings, settings_path
from flashcards.store import Store

pytestmark = pytest.mark.slow  # end to end: run by CI, left out of the quick loop (-m "not slow")

TIMEOUT = 30


def spawn_review(deck, db, *extra):
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm"}
    env.pop("FLASHCARDS_DEBUG", None)
    child = pexpect.spawn(sys.executable, ["-m", "flashcards", "review", str(deck), "--db", str(db), *extra],
                          env=env, dimensions=(24, 80), encoding="utf-8", timeout=TIMEOUT)
    return child


@pytest.fixture
def deck(tmp_path):
    path = tmp_path / "deck.yaml"
    return path, write_deck(path, 5)


def test_reveal_answer_undo_bury_and_quit_through_a_terminal(tmp_path, deck):
    path, ids = deck
    db = tmp_path / "fc.db"
    child = spawn_review(path, db)
    child.expect("New 5  Learning 0  Review 0")
    child.expect("passage test 0")
    child.send("3")  # answering before the commentary is shown does nothing
    child.send(" ")
    child.expect("commentary 0")
    child.expect(r"Good(\x1b\[[0-9;]*m)* 10m")  # styles (bold) stay under NO_COLOR; colours go
    child.send("3")
    child.expect("Saved: Good")
    child.expect("passage test 1")
    child.send("\r")
    child.expect("commentary 1")
    child.send("1")
    child.expect("Saved: Again")
    child.expect("passage test 2")
    child.send("u")
    child.expect("Undone")
    child.expect("passage test 1")
    child.send(" ")
    child.expect("commentary 1")
    child.send("4")
    child.expect("Saved: Easy")
    child.expect("passage test 2")
    child.send("b")
    child.expect("Buried until tomorrow")
    child.expect("passage test 3")
    child.send("q")
    child.expect(r"Answered 2 cards")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    with Store(db) as store:
        log = [(a.card_id, a.rating, a.state_before) for a in store.answers()]
        assert log == [(ids[0], 3, State.NEW), (ids[1], 4, State.NEW)]  # the undone Again is gone
        assert store.card(ids[0]).schedule.state == State.LEARNING
        assert store.card(ids[1]).schedule.state == State.REVIEW and store.card(ids[1]).schedule.lapses == 0
        assert store.card(ids[2]).buried_until is not None
        assert store.card(ids[3]).schedule.state == State.NEW


def test_a_second_run_continues_where_the_first_stopped_within_the_daily_limit(tmp_path, deck):
    path, ids = deck
    db = tmp_path / "fc.db"
    Store(db).close()
    save_settings(Settings(new_per_day=3), settings_path(db))
    first = run_cli("review", str(path), "--db", str(db), stdin="show\n4\n4\nq\n")
    assert first.code == 0, first.stderr
    assert "Answered 2 cards" in first.stdout
    due = run_cli("due", str(path), "--db", str(db), "--json")
    assert due.code == 0 and '"new": 1' in due.stdout
    second = run_cli("review", str(path), "--db", str(db), stdin="4\n4\n")
    assert "passage test 2" in second.stdout and "passage test 3" not in second.stdout
    assert "Nothing is due now" in run_cli("review", str(path), "--db", str(db), stdin="").stdout
    with Store(db) as store:
        assert [a.card_id for a in store.answers()] == ids[:3]


def test_scripted_line_mode_answers_and_reports_unknown_commands(tmp_path, deck):
    path, ids = deck
    db = tmp_path / "fc.db"
    result = run_cli("review", str(path), "--db", str(db), stdin="show\ngood\nfrobnicate\nagain\nq\n")
    assert result.code == 0
    assert "commentary 0" in result.stdout and "3 Good 10m" in result.stdout
    assert "unknown command 'frobnicate'" in result.stderr
    assert "\x1b[" not in result.stdout  # plain text for scripts
    with Store(db) as store:
        assert [(a.card_id, a.rating) for a in store.answers()] == [(ids[0], 3), (ids[1], 1)]


def test_due_reports_counts_and_the_next_due_time(tmp_path, deck):
    path, _ = deck
    db = tmp_path / "fc.db"
    assert run_cli("due", str(path), "--db", str(db)).stdout.startswith("New 5   Learning 0   Review 0")
    run_cli("review", str(path), "--db", str(db), stdin="3\n")
    result = run_cli("due", str(path), "--db", str(db))
    # the card on its 10-minute step is within the 20-minute learn-ahead limit: counted, as in Anki
    assert "New 4   Learning 1   Review 0" in result.stdout and "next studied card due in 10m" in result.stdout


def test_review_without_decks_and_without_a_decks_folder_is_one_clear_line(tmp_path):
    result = run_cli("review", "--db", str(tmp_path / "fc.db"), cwd=tmp_path, stdin="")
    assert result.code == 1
    assert result.stderr.strip().splitlines() == ["error: no deck given and no ./decks folder here; name a deck file or folder"]
