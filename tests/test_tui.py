"""What the review screen draws: wide text wrapped and aligned, the answer intervals, leech notices."""

from __future__ import annotations

from datetime import timedelta

from reviewing import START
from rich.cells import cell_len
from rich.console import Console

from flashcards.model import Card, CardRow, Rating, Schedule
from flashcards.scheduler import FSRSScheduler
from flashcards.session import Answered, Counts, Shown
from flashcards.tui import answered_message, card_view

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
