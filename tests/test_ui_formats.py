"""How numbers read for people: intervals as Anki writes them on its buttons, plurals, bars."""

from __future__ import annotations

from datetime import timedelta

from flashcards.ui.formats import bar, format_interval, format_moment, plural


def test_intervals_are_written_as_anki_writes_them():
    cases = {timedelta(seconds=30): "<1m", timedelta(minutes=10): "10m", timedelta(hours=3): "3h",
             timedelta(days=1): "1d", timedelta(days=29): "29d", timedelta(days=45): "1.5mo",
             timedelta(days=365): "1y", timedelta(days=800): "2.2y"}
    assert all(format_interval(d) == text for d, text in cases.items())


def test_plurals_and_bars():
    assert (plural(1, "card"), plural(2, "card"), plural(0, "day")) == ("1 card", "2 cards", "0 days")
    assert bar(1.0, 4) == "████" and bar(0.5, 4) == "██" and bar(0.0, 4) == ""
    assert bar(1 / 32, 4) == "▁"  # an eighth of a cell


def test_one_rule_for_every_interval_a_moment_a_little_short_of_a_unit_reads_as_that_unit():
    from datetime import UTC, datetime

    cases = {timedelta(seconds=59.9): "1m", timedelta(seconds=59.5): "1m", timedelta(seconds=59.4): "<1m", timedelta(seconds=29): "<1m",
             timedelta(seconds=90): "2m", timedelta(minutes=59, seconds=50): "1h", timedelta(hours=24, seconds=-1): "1d",
             timedelta(hours=23, minutes=40): "1d", timedelta(hours=23, minutes=20): "23h",
             timedelta(days=1, seconds=-0.01): "1d", timedelta(days=1, hours=1): "1d", timedelta(days=29.9): "1mo"}
    assert {d: format_interval(d) for d in cases} == cases
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert format_moment(now + timedelta(seconds=60) - timedelta(milliseconds=3), now).startswith("in 1m (")
    assert format_moment(now + timedelta(days=1) - timedelta(milliseconds=3), now).startswith("in 1d (tomorrow ")
