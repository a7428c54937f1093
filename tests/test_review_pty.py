"""`flashcards review` driven through a real pseudo-terminal, as a person types, then the store checked."""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
import termios
import time
from pathlib import Path

import pexpect
import pyte
import pytest
from reviewing import write_deck

from conftest import run_cli
from flashcards.decks.deckfile.writer import save_deck
from flashcards.model import Card, Deck, State, card_id
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


# ---------------------------------------------------------------- the screen as a person sees it (pyte)

LONG = " ".join(f"Sentence {i} of a long passage about maps and territories." for i in range(80))
CHINESE = "这一发现揭示了AI性能与推理计算资源之间的正相关关系，解释了为什么AI进步如此迅速。「飞轮」一旦转起来。" * 4


def no_learn_ahead(folder: Path) -> None:
    """Settings for the store fc.db in `folder` under which a learning card is waited for, not studied ahead."""
    (folder / "fc.settings.json").write_text('{"learn_ahead_minutes": 0}', encoding="utf-8")


class Terminal:
    """`flashcards review` in a real pseudo-terminal, its output fed to pyte, a terminal emulator."""

    def __init__(self, args: list[str], rows: int, cols: int, env: dict | None = None, raw: bool = False,
                 program: str = sys.executable) -> None:
        full_env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", **(env or {})}
        full_env.pop("FLASHCARDS_DEBUG", None)
        command = args if raw else ["-m", "flashcards", "review", *args]
        self.child = pexpect.spawn(program, command, env=full_env, dimensions=(rows, cols),
                                   encoding="utf-8", timeout=TIMEOUT)
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.raw = ""

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def above(self) -> int:
        """How many lines of the card the marker says are above the screen."""
        found = re.search(r"▲ (\d+) ", self.text())
        return int(found.group(1)) if found else 0

    def wait_for(self, condition, timeout: float = 15) -> None:
        """Read output until `condition(self)` holds."""
        deadline = time.monotonic() + timeout
        while not condition(self):
            if time.monotonic() > deadline:
                raise AssertionError("screen never matched:\n" + self.text())
            try:
                data = self.child.read_nonblocking(65536, timeout=0.1)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                if condition(self):
                    return
                raise AssertionError("the program ended:\n" + self.text()) from None
            self.raw += data
            self.stream.feed(data)

    def shows(self, text: str) -> None:
        self.wait_for(lambda term: text in term.text())

    def send(self, keys: str, then: str | None = None) -> None:
        self.child.send(keys)
        if then:
            self.shows(then)

    def resize(self, rows: int, cols: int) -> None:
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)

    def finish(self) -> None:
        self.wait_for(lambda term: not term.child.isalive())
        self.child.close()


def long_deck(tmp_path, *cards: tuple[str, str]):
    path = tmp_path / "long.yaml"
    save_deck(Deck("reading", [Card(card_id(front), front, back, "book.txt:3") for front, back in cards]), path)
    return path


@pytest.mark.parametrize(("rows", "cols"), [(24, 80), (15, 50), (40, 120)])
def test_a_long_card_scrolls_under_a_header_that_stays(tmp_path, rows, cols):
    deck = long_deck(tmp_path, (LONG, CHINESE))
    term = Terminal([str(deck), "--db", str(tmp_path / "fc.db")], rows, cols)
    term.shows("more lines below")
    lines = term.lines()
    assert "New 1  Learning 0  Review 0" in lines[0]
    assert "Sentence 0 " in term.text()  # the passage's start is on screen, even at 50x15
    assert "q quit" in [line for line in lines if line][-1]
    term.send("j" * 3)
    term.wait_for(lambda t: t.above() == 3)
    assert "New 1  Learning 0" in term.lines()[0] and "Sentence 0 " not in term.text()
    term.send("\x1b[6~")  # PgDn: a page further
    term.wait_for(lambda t: t.above() > 3)
    term.send("\x1b[5~" * 3 + "\x1b[A" * 3)  # PgUp, Up: back to the top
    term.wait_for(lambda t: "Sentence 0 " in t.text())
    term.send(" ")  # reveal: the commentary comes into view, the header stays
    term.shows("1 Again")
    assert "这一发现揭示了" in term.text() and "New 1  Learning 0" in term.lines()[0]
    term.send("k" * 200)
    term.wait_for(lambda t: "Sentence 0 " in t.text())
    term.send("3", then="Saved: Good")  # due in 10 minutes: within learn-ahead, so shown again at once
    term.send("q", then="Answered 1 card")
    term.finish()


def test_a_resize_redraws_the_card_and_the_wait_screen(tmp_path):
    deck = long_deck(tmp_path, ("a short passage", "a short note"))
    no_learn_ahead(tmp_path)
    term = Terminal([str(deck), "--db", str(tmp_path / "fc.db")], 24, 80)
    term.shows("a short passage")
    assert term.lines()[1].endswith("╮") and len(term.lines()[1]) == 80
    term.resize(15, 50)
    term.wait_for(lambda t: t.lines()[1].endswith("╮") and len(t.lines()[1]) == 50)
    assert "New 1" in term.lines()[0] and "a short passage" in term.text()
    term.send(" ", then="1 Again")
    term.send("1", then="Waiting for it")
    term.screen.reset()  # a blank emulator: only a redraw can show the wait screen again
    term.resize(24, 80)
    term.shows("Waiting for it")
    term.send("q", then="Answered 1 card")
    term.finish()


def test_chinese_text_wraps_by_its_rules_in_the_terminal(tmp_path):
    deck = long_deck(tmp_path, ("「为什么AI进步如此迅速」？" * 6, CHINESE))
    term = Terminal([str(deck), "--db", str(tmp_path / "fc.db")], 40, 50)
    term.shows("New 1")
    term.send(" ", then="1 Again")
    body = [line.strip().strip("│").strip() for line in term.lines() if line.strip().startswith("│")]
    assert all(line[0] not in "、。，」？）" for line in body if line), body
    assert all(line[-1] not in "「（" for line in body if line), body
    assert "".join(body).count("AI") == 6 + CHINESE.count("AI")  # never "A" | "I"
    term.send("q")
    term.finish()


def test_escape_sequences_in_a_card_never_reach_the_terminal(tmp_path):
    deck = long_deck(tmp_path, ("title\x1b]0;pwned\x07 clear\x1b[2J link\x1b]8;;http://x\x1b\\", "clip\x1b]52;c;ZXZpbA==\x07"))
    term = Terminal([str(deck), "--db", str(tmp_path / "fc.db")], 24, 80)
    term.shows("New 1")
    term.send(" ", then="1 Again")
    assert "title␛]0;pwned␇ clear␛[2J link␛]8;;http://x␛\\" in term.text()
    assert "clip␛]52;c;ZXZpbA==␇" in term.text()
    assert "\x1b]" not in term.raw and "\x07" not in term.raw and "\x1b[2J" not in term.raw.split("title")[1]
    assert term.screen.title == ""
    term.send("q")
    term.finish()


def test_sigterm_restores_the_terminal(tmp_path):
    deck = long_deck(tmp_path, ("a short passage", "a short note"))
    term = Terminal([str(deck), "--db", str(tmp_path / "fc.db")], 24, 80)
    term.shows("a short passage")
    attributes = termios.tcgetattr(term.child.child_fd)
    assert not attributes[3] & termios.ICANON  # single keys: cbreak
    term.child.kill(signal.SIGTERM)
    term.wait_for(lambda t: not t.child.isalive())
    assert term.raw.rstrip().endswith("\x1b[?25h")  # the cursor is shown again
    attributes = termios.tcgetattr(term.child.child_fd)
    assert attributes[3] & termios.ICANON and attributes[3] & termios.ECHO  # cooked mode, echo on
    term.child.close()
    assert term.child.exitstatus == 143


def test_after_ctrl_z_and_fg_single_keys_work_again(tmp_path):
    deck = long_deck(tmp_path, ("first passage", "first note"), ("second passage", "second note"))
    command = f"{shlex.quote(sys.executable)} -m flashcards review {deck} --db {tmp_path / 'fc.db'}"
    term = Terminal(["--norc", "--noprofile", "-i"], 24, 80, env={"PS1": "$ "}, raw=True, program="bash")
    term.child.sendline(command)
    term.shows("first passage")
    term.send("\x1a", then="Stopped")
    term.child.sendline("fg")
    term.shows("first passage")
    term.send(" ", then="first note")  # one key, no Enter: cbreak is back
    term.send("3", then="second passage")
    term.send("q", then="Answered 1 card")
    term.child.sendline("exit")
    term.finish()


def test_without_termios_review_falls_back_to_one_command_a_line(tmp_path):
    deck = long_deck(tmp_path, ("a short passage", "a short note"))
    no_learn_ahead(tmp_path)
    block = ("import runpy, sys; sys.modules['termios'] = None; "
             f"sys.argv = ['flashcards', 'review', {str(deck)!r}, '--db', {str(tmp_path / 'fc.db')!r}]; "
             "runpy.run_module('flashcards', run_name='__main__')")
    term = Terminal(["-c", block], 24, 80, raw=True)
    term.shows("Single keys are not available here")
    term.shows("a short passage")
    term.child.sendline("show")
    term.shows("a short note")
    term.child.sendline("good")
    term.shows("Answered 1 card")
    term.finish()
    assert "Traceback" not in term.raw and "ModuleNotFoundError" not in term.raw
    assert term.child.exitstatus == 0
    with Store(tmp_path / "fc.db") as store:
        assert [a.rating for a in store.answers()] == [3]


def test_escape_sequences_in_a_card_are_shown_not_sent_in_line_mode(tmp_path):
    deck = long_deck(tmp_path, ("title\x1b]0;pwned\x07 clear\x1b[2J", "clip\x1b]52;c;ZXZpbA==\x07 \x9b2J"))
    result = run_cli("review", str(deck), "--db", str(tmp_path / "fc.db"), stdin="show\ngood\n")
    assert result.code == 0, result.stderr
    assert "title␛]0;pwned␇ clear␛[2J" in result.stdout and "clip␛]52;c;ZXZpbA==␇ <9B>2J" in result.stdout
    assert not any(char in result.stdout for char in "\x1b\x07\x9b")


def test_e_opens_the_card_in_the_editor_and_saves_it_into_the_deck(tmp_path):
    deck = long_deck(tmp_path, ("a short passage", "a short note"), ("another passage", "another note"))
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/a short note/a better note/' \"$1\"\n", encoding="utf-8")
    editor.chmod(0o755)
    failing = tmp_path / "failing.sh"
    failing.write_text("#!/bin/sh\nsed -i 's/passage/PASSAGE/' \"$1\"\nexit 1\n", encoding="utf-8")
    failing.chmod(0o755)
    before = deck.read_text(encoding="utf-8")
    term = Terminal([str(deck), "--db", str(tmp_path / "fc.db")], 24, 80, env={"VISUAL": str(failing)})
    term.shows("a short passage")
    term.send("e", then="did not exit cleanly")
    assert deck.read_text(encoding="utf-8") == before  # an editor that fails changes nothing
    term.send("q", then="Answered 0 cards")
    term.finish()

    term = Terminal([str(deck), "--db", str(tmp_path / "fc.db")], 24, 80, env={"VISUAL": str(editor)})
    term.shows("a short passage")
    term.send(" ", then="a short note")
    term.send("e", then="a better note")
    assert "Saved your edit" in term.text() and "New 2" in term.lines()[0]
    term.send("3", then="another passage")
    term.send("q", then="Answered 1 card")
    term.finish()
    after = deck.read_text(encoding="utf-8")
    assert after == before.replace("a short note", "a better note")  # only that card's line changed
    with Store(tmp_path / "fc.db") as store:
        assert [a.card_id for a in store.answers()] == [card_id("a short passage")]  # its history kept its id
