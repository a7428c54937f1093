"""What the review screen draws: wide text wrapped and aligned, the answer intervals, leech notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reviewing import START, FrozenClock, Reviewing, write_deck
from rich.cells import cell_len
from rich.console import Console

from flashcards.model import Card, CardRow, Rating, Schedule
from flashcards.review.results import Answered, Counts, Shown
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.settings import Settings
from flashcards.store import Store
from flashcards.ui.review_screen import CardScreen, Frame, answered_message, card_view, frame
from flashcards.ui.reviewer import Command, Waiting, run
from flashcards.ui.wrap import NO_END, NO_START

LONG_CHINESE = "这句话提醒我们，任何模型都只是对现实的简化。" * 12 + "日本語の文：地図は領土ではない。"


def shown(front: str, back: str) -> Shown:
    return Shown(Card("c", front, back, "book.txt:3"), "阅读 deck", CardRow("c", Schedule()), "new", START,
                 FSRSScheduler(fuzz=False))


def draw(renderable, width=80) -> list[str]:
    console = Console(record=True, width=width, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text().splitlines()


def test_long_chinese_commentary_wraps_inside_the_panel_and_every_border_lines_up():
    lines = draw(card_view(shown("A short English passage.", LONG_CHINESE), Counts(3, 1, 2), revealed=True))
    panel = [line for line in lines if line.startswith("│")]
    assert len(panel) > 8
    assert {cell_len(line) for line in panel} == {80}
    assert all(line.endswith("│") for line in panel)
    text = "".join(line.strip("│ ") for line in panel)
    assert LONG_CHINESE in text  # nothing cut off


def test_the_front_hides_the_commentary_until_revealed_and_then_shows_each_answer_with_its_interval():
    card = shown("passage", "my own note")
    hidden = "\n".join(draw(card_view(card, Counts(20, 0, 0), revealed=False)))
    assert "passage" in hidden and "my own note" not in hidden and "New 20  Learning 0  Review 0" in hidden
    revealed = "\n".join(draw(card_view(card, Counts(20, 0, 0), revealed=True)))
    assert "my own note" in revealed and "book.txt:3" in revealed
    assert "1 Again 1m   2 Hard 6m   3 Good 10m   4 Easy 8d" in revealed


def test_a_leech_is_announced():
    schedule = Schedule(lapses=8, due=START + timedelta(minutes=10))
    message = answered_message(Answered("c", Rating.AGAIN, schedule, leech=True), START)
    assert "Leech: forgotten 8 times" in message and "suspended" in message
    assert "Leech" not in answered_message(Answered("c", Rating.AGAIN, schedule, leech=False), START)


LONG_PASSAGE = " ".join(f"Sentence {i} of a long passage about maps and territories." for i in range(80))


def screen(width: int, height: int, revealed: bool = False, scroll: int = 0, front: str = LONG_PASSAGE,
           back: str = LONG_CHINESE) -> tuple[list[str], Frame]:
    console = Console(width=width, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    shown_frame = frame(console, card_view(shown(front, back), Counts(3, 1, 2), revealed, "Saved: Good"), width, height, scroll)
    return [line.plain for line in shown_frame.lines], shown_frame


@pytest.mark.parametrize(("width", "height"), [(80, 24), (50, 15), (120, 40)])
def test_a_long_card_keeps_the_header_and_the_keys_in_view_and_says_there_is_more(width, height):
    lines, _ = screen(width, height)
    assert len(lines) <= height and all(cell_len(line) <= width for line in lines)
    assert "New 3  Learning 1  Review 2" in lines[0] and "Saved: Good" in lines[1]
    assert "q quit" in lines[-1]
    assert any("Sentence 0 " in line for line in lines)  # the passage starts on screen, even at 50x15
    assert any("more lines below" in line for line in lines)
    lines, _ = screen(width, height, scroll=5)
    assert "New 3" in lines[0] and "q quit" in " ".join(lines[-2:])
    assert not any("Sentence 0 " in line for line in lines) and any("5 above" in line for line in lines)
    _, end = screen(width, height, scroll=10_000)
    assert end.scroll == end.max_scroll > 0


def test_a_short_card_needs_no_scrolling():
    lines, shown_frame = screen(80, 24, front="short passage", back="short note", revealed=True)
    assert shown_frame.max_scroll == 0 and not any("more" in line for line in lines)
    assert "1 Again 1m" in lines[-2]


def test_on_a_wide_terminal_the_card_is_a_centred_column_of_at_most_100_cells():
    lines, _ = screen(200, 50, revealed=True)
    panel = [line for line in lines if "│" in line]
    assert {line.index("│") for line in panel} == {50}
    assert {cell_len(line.rstrip()) for line in panel} == {150}


@pytest.mark.parametrize("width", [50, 80, 120])
def test_chinese_lines_in_the_card_keep_latin_words_whole_and_start_with_no_closing_punctuation(width):
    back = "这一发现揭示了AI性能与推理计算资源之间的正相关关系，解释了为什么AI进步如此迅速。「飞轮」一旦转起来。" * 5
    lines, _ = screen(width, 200, revealed=True, front="p", back=back)
    body = [line.strip().strip("│").strip() for line in lines if line.strip().startswith("│")]
    text = "".join(body)
    assert back in text
    assert all(line[0] not in NO_START for line in body if line)
    assert all(line[-1] not in NO_END for line in body if line)
    assert text.count("AI") == back.count("AI")  # no "A" at one line's end and "I" at the next one's start


def test_escape_characters_in_a_card_are_drawn_visibly():
    lines, _ = screen(80, 24, front="title\x1b]0;pwned\x07 \x1b[2J", back="\x1b]52;c;ZXZpbA==\x07", revealed=True)
    text = "\n".join(lines)
    assert "\x1b" not in text and "\x07" not in text
    assert "␛]0;pwned␇ ␛[2J" in text and "␛]52;c;ZXZpbA==␇" in text


def test_the_saved_line_is_gone_after_waiting_for_a_learning_card(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 1)
    with Store(tmp_path / "fc.db") as store:
        # no learn-ahead, so the card answered Again is waited for
        reviewing = Reviewing(store, [deck], FrozenClock(), Settings(fuzz=False, learn_ahead_minutes=0))
        screens: list = []

        def commands():
            yield Command.REVEAL
            yield Command.AGAIN  # Again: due again in a minute; the wait screen shows
            reviewing.clock.advance(minutes=2)
            yield None  # a tick: now the card is due
            yield Command.QUIT

        run(reviewing.session(), commands(), screens.append, interactive=True)
    waiting = [item for item in screens if isinstance(item, Waiting)]
    assert waiting and "Saved: Again" in draw(waiting[0])[0]
    again = [item for item in screens if isinstance(item, CardScreen)][-1]
    assert again.message is None and "Saved" not in "\n".join(draw(again))


def test_the_time_a_card_takes_to_draw_is_not_logged_as_thinking_time(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 1)
    with Store(tmp_path / "fc.db") as store:
        reviewing = Reviewing(store, [deck], FrozenClock(), Settings(fuzz=False))

        def slow_show(renderable):
            if isinstance(renderable, CardScreen) and not renderable.revealed:
                reviewing.clock.advance(seconds=110)  # a 10 MB card took this long to lay out

        def commands():
            reviewing.clock.advance(seconds=4)  # the person reads for four seconds
            yield Command.REVEAL
            yield Command.GOOD
            yield Command.QUIT

        run(reviewing.session(), commands(), slow_show, interactive=True)
        (answer,) = list(store.answers())
    assert answer.duration_ms == 4000
