"""How numbers read for people: intervals as Anki writes them on its buttons, plurals, bars."""

from __future__ import annotations

from datetime import timedelta

from flashcards.ui.formats import bar, format_interval, plural


def test_intervals_are_written_as_anki_writes_them():
    cases = {timedelta(seconds=30): "<1m", timedelta(minutes=10): "10m", timedelta(hours=3): "3h",
             timedelta(days=1): "1d", timedelta(days=29): "29d", timedelta(days=45): "1.5mo",
             timedelta(days=365): "1y", timedelta(days=800): "2.2y"}
    assert all(format_interval(d) == text for d, text in cases.items())


def test_plurals_and_bars():
    assert (plural(1, "card"), plural(2, "card"), plural(0, "day")) == ("1 card", "2 cards", "0 days")
    assert bar(1.0, 4) == "████" and bar(0.5, 4) == "██" and bar(0.0, 4) == ""
    assert bar(1 / 32, 4) == "▁"  # an eighth of a cell
