"""stats over a real store with a known history: the store's rows as the stats library's records."""

from __future__ import annotations

import json
import re
from datetime import UTC
from html.parser import HTMLParser

from reviewing import write_deck
from small_history import build_history

from conftest import run_cli
from flashcards.clock import day_number
from flashcards.settings import Settings
from flashcards.stats.source import store_stats


def test_stats_from_the_store_count_states_answers_and_retention(tmp_path):
    store, reviewing, _ = build_history(tmp_path)
    stats = store_stats(store, None, Settings(), now=reviewing.clock.now, tz=UTC)
    cards = stats.cards
    assert (cards.new, cards.learning, cards.young, cards.mature, cards.suspended, cards.total) == (2, 1, 0, 1, 1, 5)  # the Good review earned a month: mature
    last_30 = stats.retention[1]
    assert (last_30.young.passed, last_30.young.total) == (1, 2)  # Good kept, Again lost, both young (8-day cards)
    today = [day for day in stats.heatmap if day.day.toordinal() == day_number(reviewing.clock.now, 4, UTC)]
    assert today[0].count == 2 and stats.current_streak == 1 and stats.days_studied == 2
    assert stats.activity[-1].minutes == (4000 + 10000) / 60000
    assert sum(day.count for day in stats.heatmap) == 4
    store.close()


def test_stats_of_one_deck_leave_out_the_other_decks_cards(tmp_path):
    store, reviewing, _ = build_history(tmp_path)
    other = tmp_path / "other.yaml"
    write_deck(other, 3, name="other")
    from flashcards.decks.open_decks import open_decks

    keys = [deck.key for deck in open_decks(store, [other])]
    stats = store_stats(store, keys, Settings(), now=reviewing.clock.now, tz=UTC)
    assert (stats.cards.new, stats.cards.total, sum(d.count for d in stats.heatmap)) == (3, 3, 0)
    store.close()


def test_stats_command_prints_charts_json_and_a_self_contained_page(tmp_path):
    deck = tmp_path / "deck.yaml"
    write_deck(deck, 4)
    db = tmp_path / "fc.db"
    run_cli("review", str(deck), "--db", str(db), stdin="3\n1\n4\n")
    page = tmp_path / "stats.html"
    result = run_cli("stats", "--db", str(db), "--html", str(page))
    assert result.code == 0, result.stderr
    for heading in ("Cards", "Due forecast", "Reviews, last 365 days", "True retention", "Answers per day"):
        assert heading in result.stdout
    assert "parameters FSRS defaults" in result.stdout
    numbers = json.loads(run_cli("stats", "--db", str(db), "--json").stdout)
    assert numbers["cards"]["new"] == 1 and numbers["cards"]["learning"] == 2 and numbers["cards"]["young"] == 1
    assert numbers["settings"]["desired retention"] == "90%"
    month = numbers["periods"][0]  # three answers today: Good, Again, Easy to new cards
    assert [period["range"] for period in numbers["periods"]] == ["1 month", "3 months", "1 year", "all"]
    assert month["answers"]["total"] == 3 and month["added"] == 3
    assert month["buttons"]["learning"] == {"again": 1, "hard": 0, "good": 1, "easy": 1, "total": 3, "correct": 2,
                                            "rate": 0.6667}
    assert sum(hour["answers"] for hour in month["hours"]) == 3
    assert numbers["difficulty"]["cards"] == 3 and numbers["retrievability"]["cards"] == 3
    for heading in ("Answer buttons, last 30 days", "Hours of the day", "By range", "Review intervals", "Difficulty",
                    "Retrievability"):
        assert heading in result.stdout
    assert re.search(r"^Learning +1 +0 +1 +1 +66\.7%", result.stdout, flags=re.M)  # as --json has it

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.svgs, self.external = 0, []

        def handle_starttag(self, tag, attrs):
            self.svgs += tag == "svg"
            self.external += [v for k, v in attrs if k in ("src", "href") and v and "://" in v]

    parser = Collect()
    parser.feed(page.read_text(encoding="utf-8"))
    assert parser.svgs >= 4 and parser.external == []


def test_stats_on_a_store_that_does_not_exist_shows_empty_charts_and_creates_nothing(tmp_path):
    result = run_cli("stats", "--db", str(tmp_path / "none.db"), "--json")
    assert result.code == 0
    assert json.loads(result.stdout)["cards"]["total"] == 0
    assert run_cli("stats", "--db", str(tmp_path / "none.db")).code == 0
    assert not (tmp_path / "none.db").exists()
