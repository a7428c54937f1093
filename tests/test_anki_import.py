"""import-anki: packages made by the real Anki (current and legacy formats, .apkg and .colpkg) read back into
the store: answers merged exactly once, memory states recomputed, Anki's own notes brought into a deck."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from anki_history import anki_export, answer_in_anki, import_with_scheduling, reviewed_store, revlog

from conftest import run_cli
from flashcards.anki.package_in import open_package
from flashcards.anki.package_out import export_decks
from flashcards.anki.scheduling_in import html_to_text
from flashcards.clock import day_number, to_ms
from flashcards.decks.deckfile.reader import load_deck
from flashcards.errors import FlashcardsError
from flashcards.export.history import export_history
from flashcards.import_anki.history import import_anki
from flashcards.model import State
from flashcards.scheduling.memory_states import recompute_memory_states
from flashcards.settings import Settings

pytestmark = pytest.mark.slow  # end to end (packages made by real Anki, through the CLI): run by CI, left out of the quick loop


def _round_trip(tmp_path, col, *, legacy: bool, answers_in_anki: int = 3, anki_note: bool = True):
    """Our history exported, imported into Anki, answered there (and a note made there), exported by Anki."""
    store, deck, deck_path = reviewed_store(tmp_path)
    out = tmp_path / "ours.apkg"
    export_decks([deck], out, history=export_history(store, Settings(), datetime.now(UTC)))
    import_with_scheduling(col, out)
    if anki_note:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = "Made in <b>Anki</b>&nbsp;&amp; kept", "line one<br>line two"
        note.tags = ["from-anki"]
        col.add_note(note, col.decks.id("Reading"))
    col.decks.select(col.decks.id("Reading"))
    assert answer_in_anki(col, answers_in_anki) == answers_in_anki
    back = anki_export(col, tmp_path / ("anki-legacy.apkg" if legacy else "anki.apkg"), legacy=legacy)
    return store, deck, deck_path, back


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "legacy"])
def test_answers_given_in_anki_join_the_log_once_and_ours_are_not_doubled(tmp_path, anki_collection, legacy):
    store, _, _, package = _round_trip(tmp_path, anki_collection, legacy=legacy)
    assert ("collection.anki21b" in zipfile.ZipFile(package).namelist()) != legacy
    before = store.answer_count()
    report = import_anki(store, Settings(), package, None, datetime.now(UTC))
    anki_log = revlog(anki_collection)
    assert report.answers_read == len(anki_log)
    assert report.answers_added == len(anki_log) - before == 3
    assert store.answer_count() == len(anki_log)
    assert {to_ms(a.reviewed_at) for a in store.answers()} == {row[0] for row in anki_log}
    assert (report.ours, report.from_anki, report.not_brought) == (7, 1, 1)
    assert "--deck" in report.hints[0]
    again = import_anki(store, Settings(), package, None, datetime.now(UTC))
    assert (again.answers_added, again.answers_already) == (0, len(anki_log))
    assert store.answer_count() == len(anki_log)


def test_a_package_merged_a_row_at_a_time_leaves_the_same_store_as_one_merged_at_once(
        tmp_path, anki_collection, monkeypatch):
    """import-anki reads and merges Anki's review log MERGE_CHUNK rows at a time (memory does not follow the
    length of the log); cut into pieces of one row, every answer, schedule and card of --deck is the same."""
    from flashcards.import_anki import history
    from flashcards.store import Store

    _, _, _, package = _round_trip(tmp_path, anki_collection, legacy=False)
    now = datetime.now(UTC)
    results = []
    for chunk in (history.MERGE_CHUNK, 1):
        monkeypatch.setattr(history, "MERGE_CHUNK", chunk)
        folder = tmp_path / f"chunk{chunk}"
        folder.mkdir()
        with Store(folder / "store.db") as store:
            report = import_anki(store, Settings(), package, folder / "deck.yaml", now)
            log = [(a.card_id, a.reviewed_at, a.rating, a.state_before, a.state_after, a.due, a.stability)
                   for a in store.answers()]
            results.append((report.to_dict() | {"deck": None}, log, sorted(store.cards(), key=lambda r: r.card_id),
                            (folder / "deck.yaml").read_text()))
    assert results[0][1] and results[0] == results[1]


def test_memory_states_after_import_are_what_fsrs_gives_for_the_merged_history(tmp_path, anki_collection):
    store, _, _, package = _round_trip(tmp_path, anki_collection, legacy=False)
    import_anki(store, Settings(), package, None, datetime.now(UTC))
    imported = {row.card_id: row.schedule for row in store.cards()}
    recompute_memory_states(store, Settings())  # every card from scratch: nothing may move
    for row in store.cards():
        if row.schedule.state != State.NEW:
            assert row.schedule.stability == pytest.approx(imported[row.card_id].stability)
            assert row.schedule.difficulty == pytest.approx(imported[row.card_id].difficulty)


def test_the_latest_answer_decides_the_card_state(tmp_path, anki_collection):
    store, deck, _, package = _round_trip(tmp_path, anki_collection, legacy=False, anki_note=False)
    before = {row.card_id: row for row in store.cards()}
    report = import_anki(store, Settings(), package, None, datetime.now(UTC))
    recent = datetime.now(UTC) - timedelta(hours=1)
    answered_in_anki = {a.card_id for a in store.answers() if a.reviewed_at > recent}
    assert report.schedules_from_anki == len(answered_in_anki) >= 1
    by_passage = {anki_collection.get_note(n)["Passage"]: anki_collection.get_note(n).cards()[0]
                  for n in anki_collection.find_notes("")}
    queues = []
    for card in deck.cards:
        row = store.card(card.id)
        anki_card = by_passage[card.front]
        queues.append(anki_card.queue if card.id in answered_in_anki else None)
        if card.id in answered_in_anki:
            assert int(row.schedule.state) == anki_card.type
            assert (row.schedule.reps, row.schedule.lapses) == (anki_card.reps, anki_card.lapses)
            if anki_card.queue == 1:
                assert int(row.schedule.due.timestamp()) == anki_card.due
            if anki_card.queue == 2:
                days = day_number(row.schedule.due) - day_number(datetime.now(UTC))
                assert days == anki_card.due - anki_collection.sched.today
        else:
            assert row.schedule.due == before[card.id].schedule.due
            assert row.suspended == before[card.id].suspended
    assert 2 in queues  # a review card's due day was checked


def test_notes_made_in_anki_become_cards_of_the_deck_once_with_their_history(tmp_path, anki_collection):
    store, _, _, package = _round_trip(tmp_path, anki_collection, legacy=False, answers_in_anki=6)
    target = tmp_path / "from-anki.yaml"
    report = import_anki(store, Settings(), package, target, datetime.now(UTC))
    assert (report.added_to_deck, report.not_brought) == (1, 0)
    cards = load_deck(target).cards
    assert [(c.front, c.back, c.tags) for c in cards] == [("Made in Anki & kept", "line one\nline two", ["from-anki"])]
    anki_answers = [a for a in store.answers() if a.card_id == cards[0].id]
    assert len(anki_answers) >= 1
    assert store.card(cards[0].id).schedule.state != State.NEW
    text = target.read_text()
    again = import_anki(store, Settings(), package, target, datetime.now(UTC))
    assert (again.added_to_deck, again.already_in_deck, again.answers_added) == (0, 1, 0)
    assert target.read_text() == text


def test_notes_made_in_anki_join_a_hand_written_deck_without_touching_its_lines(tmp_path, anki_collection):
    """--deck adds Anki's notes the way convert does: appended as text, the person's comments, blank lines and
    layout kept byte for byte."""
    store, _, _, package = _round_trip(tmp_path, anki_collection, legacy=False)
    target = tmp_path / "mine.yaml"
    mine = ("# my reading, by hand\nname: mine\n\ncards:\n  # the one I keep coming back to\n"
            "  - id: handmade1\n    front: A passage I typed myself\n    back: |\n      and what I made of it\n")
    target.write_text(mine, encoding="utf-8")
    report = import_anki(store, Settings(), package, target, datetime.now(UTC))
    assert report.added_to_deck == 1
    text = target.read_text(encoding="utf-8")
    assert text.startswith(mine)
    assert [card.front for card in load_deck(target).cards] == ["A passage I typed myself", "Made in Anki & kept"]


def test_a_collection_package_is_read_in_both_formats(tmp_path, anki_collection):
    store, _, _, _ = _round_trip(tmp_path, anki_collection, legacy=False)
    logged = len(revlog(anki_collection))
    for legacy in (False, True):
        path = tmp_path / f"whole-{legacy}.colpkg"
        anki_collection.export_collection_package(str(path), include_media=False, legacy=legacy)
        anki_collection.reopen()  # exporting a whole collection closes it
        with open_package(path) as package:
            assert package.filename == ("collection.anki21" if legacy else "collection.anki21b")
            assert package.revlog_count == logged
            assert sum(map(len, package.answers_by_card([card.id for card in package.cards]).values())) == logged
            assert len(package.notes) == 8
    report = import_anki(store, Settings(), path, None, datetime.now(UTC))
    assert report.answers_added == 3


def test_html_becomes_plain_text():
    assert html_to_text("a<br>b<br/>c &amp; d&nbsp;e <i>f</i>") == "a\nb\nc & d e f"
    assert html_to_text("<div>one</div><div>two</div>") == "one\ntwo"
    assert html_to_text("&#91;sound:x.mp3]") == "[sound:x.mp3]"


def _open(package) -> None:
    with package:
        pass


def test_damaged_newer_and_history_less_packages_are_one_clear_line(tmp_path, anki_collection):
    damaged = tmp_path / "damaged.apkg"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FlashcardsError, match="damaged zip"):
        _open(open_package(damaged))
    newer = tmp_path / "newer.apkg"
    with zipfile.ZipFile(newer, "w") as z:
        z.writestr("meta", b"\x08\x07")
        z.writestr("collection.anki21b", b"")
    with pytest.raises(FlashcardsError, match="newer Anki"):
        _open(open_package(newer))
    truncated = tmp_path / "truncated.apkg"
    with zipfile.ZipFile(truncated, "w") as z:
        z.writestr("meta", b"\x08\x03")
        z.writestr("collection.anki21b", b"(\xb5/\xfd garbage")
    with pytest.raises(FlashcardsError, match="damaged package"):
        _open(open_package(truncated))
    note = anki_collection.new_note(anki_collection.models.by_name("Basic"))
    note["Front"] = "x"
    anki_collection.add_note(note, 1)
    from anki.collection import ExportAnkiPackageOptions

    bare = tmp_path / "bare.apkg"
    anki_collection.export_anki_package(out_path=str(bare), options=ExportAnkiPackageOptions(with_scheduling=False),
                                        limit=None)
    (tmp_path / "s").mkdir()
    store, _, _ = reviewed_store(tmp_path / "s")
    with pytest.raises(FlashcardsError, match="no review history"):
        import_anki(store, Settings(), bare, None, datetime.now(UTC))
    for path, words in [(damaged, "damaged zip"), (newer, "newer Anki"), (bare, "no review history")]:
        result = run_cli("import-anki", str(path), "--db", str(tmp_path / "cli.db"))
        assert result.code == 1 and words in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    # with a deck to bring them to, the notes of a package without answers become new cards
    brought = run_cli("import-anki", str(bare), "--deck", str(tmp_path / "from-anki.yaml"), "--db",
                      str(tmp_path / "cli.db"))
    assert brought.code == 0, brought.stderr
    assert "no answers" in brought.stdout + brought.stderr
    assert [card.front for card in load_deck(tmp_path / "from-anki.yaml").cards] == ["x"]


def test_import_anki_command_reports_as_json(tmp_path, anki_collection):
    store, _, _, package = _round_trip(tmp_path, anki_collection, legacy=True)
    store.close()
    args = ("import-anki", str(package), "--db", str(tmp_path / "store.db"), "--json")
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["format"], report["ours"], report["answers_added"]) == ("legacy", 7, 3)
    assert json.loads(run_cli(*args).stdout)["answers_added"] == 0
    text = run_cli("import-anki", str(package), "--db", str(tmp_path / "store.db"))
    assert "0 added" in text.stdout and "--deck" in text.stdout


@pytest.mark.slow
def test_a_collection_of_ten_thousand_cards_and_a_hundred_thousand_answers_comes_home_whole(tmp_path):
    """Every note and every answer of a big package arrives, each card with a memory state. How fast is the
    benchmark's business (bench/run.py, the import-anki row), not this test's."""
    from flashcards.model import Card, CardRow, Deck, LoggedAnswer, Schedule
    from flashcards.store import Store

    start = datetime.now(UTC) - timedelta(days=300)
    deck = Deck("Big", [Card(f"big{i:05d}", f"Passage {i}", f"thought {i}") for i in range(10_000)])
    with Store(tmp_path / "source.db") as source:
        answers, rows = [], []
        for index, card in enumerate(deck.cards):
            first = start + timedelta(seconds=index)
            for n in range(10):
                at = first + timedelta(days=n * 25)
                before = State.NEW if n == 0 else State.REVIEW
                answers.append(LoggedAnswer(0, card.id, at, 3, 5000, before, State.REVIEW, at + timedelta(days=25)))
            rows.append(CardRow(card.id, Schedule(State.REVIEW, None, 30.0, 5.0, at + timedelta(days=25), at, 10, 0)))
        with source.transaction() as db:
            source.insert_answers(db, answers)
            source.write_cards(db, rows)
        package = tmp_path / "big.apkg"
        export_decks([deck], package, history=export_history(source, Settings(), datetime.now(UTC)),
                     package_format="current")
    with Store(tmp_path / "target.db") as target:
        report = import_anki(target, Settings(), package, tmp_path / "big.yaml", datetime.now(UTC))
        assert (report.added_to_deck, report.answers_added) == (10_000, 100_000)
        assert target.answer_count() == 100_000
        assert all(row.schedule.stability is not None for row in target.cards())


@pytest.mark.parametrize("package_format", ["legacy", "current"])
def test_our_own_export_read_back_adds_nothing_and_keeps_every_schedule(tmp_path, package_format):
    store, deck, _ = reviewed_store(tmp_path)
    package = tmp_path / "ours.apkg"
    export_decks([deck], package, history=export_history(store, Settings(), datetime.now(UTC)),
                 package_format=package_format)
    with open_package(package) as opened:
        assert opened.filename == {"legacy": "collection.anki2", "current": "collection.anki21b"}[package_format]
    before = list(store.cards())
    report = import_anki(store, Settings(), package, None, datetime.now(UTC))
    assert (report.ours, report.answers_added, report.schedules_from_anki) == (7, 0, 0)
    assert report.answers_already == store.answer_count()
    assert list(store.cards()) == before


def test_answers_given_here_after_the_export_and_in_anki_leave_a_store_check_calls_sound(tmp_path, anki_collection):
    """The counts follow the merged log: a card answered here after the export and then in Anki has every
    answer of both sides, and its reps say so (Anki's count lacks ours), so `check` finds nothing to restore."""
    from flashcards.model import Rating
    from flashcards.scheduling.scheduler import FSRSScheduler

    store, deck, _, package = _round_trip(tmp_path, anki_collection, legacy=False, anki_note=False)
    exported = store.answer_count()
    answered_in_anki = {anki_collection.get_note(anki_collection.get_card(cid).nid)["Passage"]
                        for cid in anki_collection.db.list("select distinct cid from revlog where id > ?",
                                                           to_ms(datetime.now(UTC) - timedelta(hours=1)))}
    here = [card for card in deck.cards if card.front in answered_in_anki]
    assert len(here) == 3
    scheduler = FSRSScheduler(fuzz=False)
    at = datetime.now(UTC) - timedelta(minutes=30)  # after the export, before Anki's answers
    with store.transaction() as db:
        for card in here:
            row = store.card(card.id)
            after = scheduler.review(card.id, row.schedule, Rating.GOOD, at)
            store.log_answer(db, card.id, at, 3, 5000, row.schedule, after)
            store.write_card(db, replace(row, schedule=after))
    store.close()
    db_path = tmp_path / "store.db"
    imported = run_cli("import-anki", str(package), "--db", str(db_path), "--json")
    assert imported.code == 0, imported.stderr
    assert json.loads(imported.stdout)["answers_added"] == 3
    check = run_cli("check", "--db", str(db_path))
    assert check.code == 0, check.stderr
    assert f"ok (7 cards, {exported + 3 + 3} answers)" in check.stdout
    from flashcards.store import Store

    with Store(db_path) as reopened:
        for card in here:
            logged = [a for a in reopened.answers() if a.card_id == card.id]
            assert reopened.card(card.id).schedule.reps == len(logged)


def test_answers_dated_before_anki_or_far_in_the_future_are_skipped_with_one_counted_warning(tmp_path, anki_collection):
    """Anki's revlog id is the answer's moment in ms: a row dated in the year 5138 or in 2001 is not an answer
    anyone gave; the rest of the history comes home, and the report says how many were left out."""
    import sqlite3

    store, _, _, exported = _round_trip(tmp_path, anki_collection, legacy=True, anki_note=False)
    card_id = anki_collection.db.scalar("select cid from revlog order by id desc limit 1")
    far, early = to_ms(datetime(5138, 3, 2, tzinfo=UTC)), to_ms(datetime(2001, 9, 9, tzinfo=UTC))
    # Anki's own exporter refuses such a log ("use the Check Database action"); a package from elsewhere (a phone
    # with its clock wrong, another tool) carries it: the rows are put into Anki's package by hand
    package = tmp_path / "misdated.apkg"
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(package, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "collection.anki21":
                inner = tmp_path / "inner.db"
                inner.write_bytes(data)
                with sqlite3.connect(inner) as db:
                    db.executemany("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                                   "values (?, ?, -1, 3, 4, 1, 2500, 6000, 1)", [(far, card_id), (early, card_id)])
                db.close()
                data = inner.read_bytes()
            target.writestr(item, data)
    store.close()
    db_path = tmp_path / "store.db"
    result = run_cli("import-anki", str(package), "--db", str(db_path), "--json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["answers_added"] == 3
    assert report["answers_misdated"] == 2
    [warning] = [hint for hint in report["hints"] if "skipped" in hint]
    assert "2 answers" in warning and "5138" in warning and "\n" not in warning
    text = run_cli("import-anki", str(package), "--db", str(db_path))
    assert text.code == 0 and sum("skipped" in line for line in text.stdout.splitlines()) == 1
    from flashcards.store import Store

    with Store(db_path) as reopened:
        moments = [a.reviewed_at for a in reopened.answers()]
    assert all(datetime(2006, 1, 1, tzinfo=UTC) <= moment <= datetime.now(UTC) for moment in moments)
